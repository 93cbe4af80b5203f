package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// A row of the accountability log whose time cannot be read (edited in the
// database) is named by `audit verify`: its sequence number, id and column,
// not a driver's scan error. The command exits 1, as for any failed chain.
func TestAuditVerifyNamesAnUnreadableRecord(t *testing.T) {
	// Which record a failure names when an earlier one was edited too.
	t.Run("after an edited record", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "d.db")
		db := "--db=sqlite:" + path
		mustRun(t, "import", db, "--kind", "units", "testdata/units.jsonl")
		mustRun(t, "import", db, "testdata/cases.jsonl")
		mustRun(t, "run", db, "--once", "--now", "2026-03-11T08:00:00+08:00")
		s, err := openForTest(path)
		if err != nil {
			t.Fatal(err)
		}
		s.Exec("UPDATE accountability_records SET reason = 'edited' WHERE seq = 1")
		s.Exec("UPDATE accountability_records SET created_at = 'yesterday' WHERE seq = 2")
		s.Close()
		if code, out, errOut := duban(t, "audit", "verify", db); code != 1 || !strings.Contains(out, "FAILED at record 1 ") || !strings.Contains(out, "was altered") {
			t.Errorf("audit verify with record 1 edited and record 2 unreadable: exit %d\nstdout %s\nstderr %s", code, out, errOut)
		}
	})
	for _, tc := range []struct{ name, value string }{
		{"a word", "'yesterday'"},
		{"a date out of range", "'2026-13-45 25:61:00'"},
		{"an empty string", "''"},
		{"a number", "12345"},
		{"a blob", "x'00ff'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "d.db")
			db := "--db=sqlite:" + path
			mustRun(t, "import", db, "--kind", "units", "testdata/units.jsonl")
			mustRun(t, "import", db, "testdata/cases.jsonl")
			mustRun(t, "run", db, "--once", "--now", "2026-03-11T08:00:00+08:00")
			s, err := openForTest(path)
			if err != nil {
				t.Fatal(err)
			}
			var id uint64
			s.Raw("SELECT id FROM accountability_records WHERE seq = 2").Scan(&id)
			if err := s.Exec("UPDATE accountability_records SET created_at = " + tc.value + " WHERE seq = 2").Error; err != nil {
				t.Fatal(err)
			}
			s.Close()
			for _, format := range []string{"text", "json"} {
				code, out, errOut := duban(t, "audit", "verify", db, "--format", format)
				want := fmt.Sprintf("FAILED at record 2 (id %d): record 2's created_at holds ", id)
				if format == "json" {
					want = fmt.Sprintf(`"seq":2,"id":%d,"problem":"record 2's created_at holds `, id)
				}
				if code != 1 || !strings.Contains(out, want) || strings.Contains(out+errOut, "Scan error") {
					t.Errorf("audit verify --format %s of a record with created_at %s: exit %d\nstdout %s\nstderr %s\nwant %q",
						format, tc.value, code, out, errOut, want)
				}
			}
		})
	}
}
