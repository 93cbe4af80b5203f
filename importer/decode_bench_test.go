package importer

import "testing"

var sampleLine = []byte(`{"case_no": "IMP00000000", "petitioner_id": "Q0004402", "petitioner_name": "信访人", "channel": "online", "category": "教育", "status": "assigned", "received_at": "2026-11-01T10:00:00+08:00", "accepted_at": "2026-11-02T10:00:00+08:00", "assigned_unit": "sheng", "assigned_at": "2026-11-02T11:00:00+08:00", "due_at": "2027-01-01T10:00:00+08:00", "group_size": 3, "escalated": false}`)

// BenchmarkDecodeObject: one JSON Lines record into the map the checks read.
func BenchmarkDecodeObject(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeObject(sampleLine); err != nil {
			b.Fatal(err)
		}
	}
}
