package importer_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"duban/clock"
	"duban/importer"
	"duban/models"
	"duban/store"
	"duban/store/storetest"
)

var t0 = time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)

func count(s *store.Store, m any) int64 {
	var n int64
	s.DB.Model(m).Count(&n)
	return n
}

func TestImportCSVAndJSONThenUpdate(t *testing.T) {
	storetest.Each(t, t0, func(t *testing.T, s *store.Store, clk *clock.Fixed) {
		ctx := context.Background()
		res, err := importer.File(ctx, s, "testdata/units.csv", importer.Options{Kind: importer.KindUnits})
		if err != nil || res.Created != 3 {
			t.Fatalf("units: %+v %v", res, err)
		}
		res, err = importer.File(ctx, s, "testdata/cases.csv", importer.Options{})
		if err != nil || res.Created != 2 {
			t.Fatalf("cases.csv: %+v %v", res, err)
		}
		var c models.Case
		s.DB.Where("case_no = ?", "XF2").Take(&c)
		// "2026-03-03 09:00" has no zone: read in Asia/Shanghai.
		if !c.ReceivedAt.Equal(time.Date(2026, 3, 3, 1, 0, 0, 0, time.UTC)) || !c.Escalated || c.GroupSize != 6 {
			t.Errorf("XF2 as stored: %+v", c)
		}
		var p models.Petitioner
		s.DB.Where("petitioner_key = ?", "P1").Take(&p)
		if p.Phone != "13800138000" || p.Name != "张三" {
			t.Errorf("petitioner: %+v", p)
		}
		// The JSON file updates XF1 and XF2; a case number is a key, not a duplicate.
		res, err = importer.File(ctx, s, "testdata/cases.json", importer.Options{})
		if err != nil || res.Updated != 2 || res.Created != 0 {
			t.Fatalf("cases.json: %+v %v", res, err)
		}
		s.DB.Where("case_no = ?", "XF2").Take(&c)
		// The JSON rows name no category or escalated: XF2 keeps its own.
		if c.Channel != "phone" || c.GroupSize != 3 || !c.Escalated || c.Category != "劳资纠纷" {
			t.Errorf("XF2 after update: %+v", c)
		}
		if n := count(s, &models.Case{}); n != 2 {
			t.Errorf("%d cases, want 2", n)
		}
		events, err := s.CaseTimeline(ctx, "XF2")
		if err != nil {
			t.Fatal(err)
		}
		kinds := []string{}
		for _, e := range events {
			kinds = append(kinds, e.Kind+" "+e.Detail)
		}
		// The JSON file changed XF2's channel, group size and received_at:
		// the timeline keeps the change beside what the row shows, and names
		// each import that made one.
		want := "received channel=phone,imported import testdata/cases.csv: created," +
			"updated channel, flags (import testdata/cases.json)," +
			"imported import testdata/cases.json: changed channel, group_size, received_at"
		if got := strings.Join(kinds, ","); got != want {
			t.Errorf("XF2 timeline:\n got %v\nwant %v", got, want)
		}
		// XF1 was sent back from assigned to received; its row still shows
		// the handoff (the file did not clear it), the stored event the move.
		events, _ = s.CaseTimeline(ctx, "XF1")
		found := false
		for _, e := range events {
			found = found || (e.Kind == "updated" && strings.Contains(e.Detail, "status assigned → received"))
		}
		if !found {
			t.Errorf("XF1 timeline: %+v", events)
		}
	})
}

func TestBadRowsImportNothingAndSayWhere(t *testing.T) {
	storetest.Each(t, t0, func(t *testing.T, s *store.Store, clk *clock.Fixed) {
		ctx := context.Background()
		if _, err := importer.File(ctx, s, "testdata/units.csv", importer.Options{Kind: importer.KindUnits}); err != nil {
			t.Fatal(err)
		}
		body := strings.Join([]string{
			`{"case_no":"OK1","channel":"visit","status":"received","received_at":"2026-03-02T09:00:00+08:00"}`,
			`{"channel":"visit","status":"received","received_at":"2026-03-02T09:00:00+08:00"}`,
			`{"case_no":"B2","channel":"visit","status":"received","received_at":"2 March"}`,
			``,
			`{"case_no":"B3","channel":"visit","status":"assigned","received_at":"2026-03-02T09:00:00+08:00","assigned_unit":"nosuch","assigned_at":"2026-03-02T10:00:00+08:00"}`,
			`{"case_no":"B4","channel":"fax","status":"received","received_at":"2026-03-02T09:00:00+08:00","colour":"red"}`,
			`{"case_no":"OK1","channel":"visit","status":"closed","received_at":"2026-03-02T09:00:00+08:00"}`,
		}, "\n")
		_, err := importer.Reader(ctx, s, strings.NewReader(body), importer.Options{Format: importer.FormatJSONL})
		re, ok := err.(*importer.RowErrors)
		if !ok {
			t.Fatalf("error %T %v, want *RowErrors", err, err)
		}
		msg := re.Error()
		for _, want := range []string{
			"2: case_no: missing",
			`3: received_at: "2 March" is not a time`,
			`5: assigned_unit: unknown unit "nosuch"`,
			"6: colour: unknown field",
			`6: channel: "fax" is not one of visit, letter, online, phone, leader_reception`,
			"7: case_no: OK1 appears again (first on line 1)",
			"7: closed_at: a closed case needs closed_at",
			"nothing was imported",
		} {
			if !strings.Contains(msg, want) {
				t.Errorf("errors do not say %q:\n%s", want, msg)
			}
		}
		if n := count(s, &models.Case{}); n != 0 {
			t.Errorf("%d cases imported from a file with bad rows", n)
		}
		if n := count(s, &models.CaseEvent{}); n != 0 {
			t.Errorf("%d events written from a file with bad rows", n)
		}
	})
}

func TestUnitHierarchyIsChecked(t *testing.T) {
	storetest.Each(t, t0, func(t *testing.T, s *store.Store, clk *clock.Fixed) {
		body := "code,name,parent\na,甲,b\nb,乙,a\nc,丙,nosuch\n"
		_, err := importer.Reader(context.Background(), s, strings.NewReader(body), importer.Options{Kind: importer.KindUnits, Format: importer.FormatCSV})
		if err == nil || !strings.Contains(err.Error(), "2: parent: a would be its own ancestor") ||
			!strings.Contains(err.Error(), `4: parent: unknown unit "nosuch"`) {
			t.Fatalf("cyclic units: %v", err)
		}
		if n := count(s, &models.Unit{}); n != 0 {
			t.Errorf("%d units imported", n)
		}
	})
}

func TestXLSXAndJSONArrayLineNumbers(t *testing.T) {
	f := excelize.NewFile()
	rows := [][]any{
		{"date", "leader", "leader_available", "substitute"},
		{"2026-03-10", "王建国", "否", ""},
		{"2026-03-11", "李明", "是", ""},
		{"2026-13-01", "周红", "是", ""},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		f.SetSheetRow("Sheet1", cell, &r)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "roster.xlsx")
	os.WriteFile(path, buf.Bytes(), 0o644)
	storetest.Each(t, t0, func(t *testing.T, s *store.Store, clk *clock.Fixed) {
		ctx := context.Background()
		_, err := importer.File(ctx, s, path, importer.Options{Kind: importer.KindSlots})
		if err == nil || !strings.Contains(err.Error(), `roster.xlsx:4: date: "2026-13-01" is not a date`) {
			t.Fatalf("xlsx error: %v", err)
		}
		_, err = importer.Reader(ctx, s, strings.NewReader("[\n {\"date\":\"2026-03-10\",\"leader\":\"王建国\"},\n\n {\"date\":\"2026-03-11\"}\n]"),
			importer.Options{Kind: importer.KindSlots, Format: importer.FormatJSON})
		if err == nil || !strings.Contains(err.Error(), "4: leader: missing") {
			t.Fatalf("json array error: %v", err)
		}
		if n := count(s, &models.ReceptionSlot{}); n != 0 {
			t.Errorf("%d slots imported", n)
		}
	})
}
