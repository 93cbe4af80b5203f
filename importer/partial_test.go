package importer_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"duban/casework"
	"duban/clock"
	"duban/importer"
	"duban/models"
	"duban/store"
	"duban/store/storetest"
)

// closedCase registers XF1 with every field, hands it to zjj and closes it
// through casework, as a person would through the API.
func closedCase(t *testing.T, ctx context.Context, s *store.Store, clk *clock.Fixed) models.Case {
	t.Helper()
	if _, err := importer.File(ctx, s, "testdata/units.csv", importer.Options{Kind: importer.KindUnits}); err != nil {
		t.Fatal(err)
	}
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	cw := &casework.Service{Store: s, Clock: clk, Location: shanghai}
	if _, err := cw.Create(ctx, map[string]any{"case_no": "XF1", "petitioner_id": "P1", "petitioner_name": "张三",
		"petitioner_phone": "13800138000", "channel": "visit", "category": "征地拆迁", "summary": "拆迁补偿未到位",
		"status": "received", "received_at": "2026-03-02T09:00:00+08:00"}, "clerk"); err != nil {
		t.Fatal(err)
	}
	due := t0.Add(30 * 24 * time.Hour)
	for _, ev := range []casework.Event{{Kind: casework.Assign, Unit: "zjj", DueAt: &due}, {Kind: casework.Close}} {
		clk.Advance(time.Hour)
		if _, err := cw.Apply(ctx, "XF1", ev, "clerk"); err != nil {
			t.Fatalf("%s: %v", ev.Kind, err)
		}
	}
	c, err := s.CaseByNo(ctx, "XF1")
	if err != nil || c.Status != models.StatusClosed {
		t.Fatalf("closed case: %+v %v", c, err)
	}
	return *c
}

// TestPartialRowsLoseNothing: a row naming only some fields changes only
// those; moving a closed case back to open is refused at its line, or with
// AllowReopen recorded as a reopening; each change names file and actor.
func TestPartialRowsLoseNothing(t *testing.T) {
	cases := []struct {
		name, file  string
		allowReopen bool
		wantErr     string // "" for success
		want        func(c *models.Case) bool
		wantEvent   string // kind of an event that must name actor and file
		wantDetail  string // in that event's detail
		wantPhone   string // the petitioner's after the import (default: as before)
	}{
		{name: "a partial row keeps every other field", file: "testdata/partial/flags.csv",
			want:      func(c *models.Case) bool { return c.Status == models.StatusClosed && c.GroupSize == 5 && c.Escalated },
			wantEvent: "imported"},
		{name: "a petitioner's phone alone is a change the timeline names", file: "testdata/partial/phone.csv",
			want:      func(c *models.Case) bool { return c.Status == models.StatusClosed },
			wantEvent: "imported", wantDetail: "changed petitioner_phone", wantPhone: "13900139000"},
		{name: "closed to assigned is refused at its line", file: "testdata/partial/reopen.csv",
			wantErr: "testdata/partial/reopen.csv:2: status: case XF1 is closed"},
		{name: "closed to received is refused in JSONL too", file: "testdata/partial/reopen.jsonl",
			wantErr: "testdata/partial/reopen.jsonl:1: status: case XF1 is closed"},
		{name: "allow-reopen records a reopening", file: "testdata/partial/reopen.csv", allowReopen: true,
			want:      func(c *models.Case) bool { return c.Status == models.StatusAssigned && c.ClosedAt == nil },
			wantEvent: "reopened"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, t0, func(t *testing.T, s *store.Store, clk *clock.Fixed) {
				ctx := context.Background()
				before := closedCase(t, ctx, s, clk)
				clk.Advance(time.Hour)
				_, err := importer.File(ctx, s, tc.file, importer.Options{Actor: "wang.li", AllowReopen: tc.allowReopen})
				after, _ := s.CaseByNo(ctx, "XF1")
				// Whatever the outcome, nothing the file did not name is lost.
				if after.Summary != before.Summary || after.Category != before.Category || after.PetitionerName != before.PetitionerName ||
					after.AssignedUnit != "zjj" || after.DueAt == nil || !after.DueAt.Equal(*before.DueAt) || !after.ReceivedAt.Equal(before.ReceivedAt) {
					t.Errorf("fields blanked:\nbefore %+v\nafter  %+v", before, *after)
				}
				wantPhone := tc.wantPhone
				if wantPhone == "" {
					wantPhone = "13800138000"
				}
				if p, _ := s.PetitionerByKey(ctx, "P1"); p == nil || p.Phone != wantPhone {
					t.Errorf("petitioner after: %+v", p)
				}
				if tc.wantErr != "" {
					if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "--allow-reopen") {
						t.Fatalf("err = %v, want %q", err, tc.wantErr)
					}
					if after.Status != models.StatusClosed || !after.UpdatedAt.Equal(before.UpdatedAt) {
						t.Errorf("a refused import changed the case: %+v", *after)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if !tc.want(after) {
					t.Errorf("case after import: %+v", *after)
				}
				events, err := s.CaseTimeline(ctx, "XF1")
				if err != nil {
					t.Fatal(err)
				}
				found := false
				for _, e := range events {
					if e.Kind == tc.wantEvent && e.Actor == "wang.li" && strings.Contains(e.Detail, tc.file) && strings.Contains(e.Detail, tc.wantDetail) {
						found = true
					}
				}
				if !found {
					t.Errorf("no %s event naming wang.li and %s: %+v", tc.wantEvent, tc.file, events)
				}
			})
		})
	}
}
