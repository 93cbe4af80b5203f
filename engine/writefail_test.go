package engine_test

import (
	"context"
	"fmt"
	"testing"
	"testing/fstest"
	"time"

	"duban/clock"
	"duban/engine"
	"duban/models"
	"duban/rules"
	"duban/store"
	"duban/store/storetest"
)

// When the only writes of a page for a rule are flags of a petitioner whose
// episode was open already — a new repeat case — and writing fails (the
// database went away, the disk is full), the rule's run must count the
// error: a run that looks clean is never retried, and the flag would wait
// for the petitioner's next change. Found by the reliability suite's
// database outage test.
func TestAFailedFlagWriteIsARuleError(t *testing.T) {
	rs, err := rules.Load(fstest.MapFS{"r.yaml": {Data: []byte(`rules:
  - id: r.repeat
    subject: petitioner
    schedule: "0 8 * * *"
    window: 90d
    when: len(Petitioner.Cases) >= 2
    flag: {label: 重复访, cases: 'map(Petitioner.Cases, .CaseNo)'}
`)}}, rules.Options{})
	if err != nil {
		t.Fatal(err)
	}
	row := func(no string) string {
		return fmt.Sprintf(`{"case_no":%q,"petitioner_id":"P1","channel":"visit","status":"received","received_at":"2026-03-01T09:00:00+08:00"}`+"\n", no)
	}
	now := at("2026-03-10 08:00")
	storetest.Each(t, now, func(t *testing.T, s *store.Store, clk *clock.Fixed) {
		ctx := context.Background()
		importJSONL(t, s, "cases", row("R1")+row("R2"))
		e := engine.New(s, nil)
		if rep, err := e.Tick(ctx, rs, now, engine.TickOptions{}); err != nil || rep.Errors() > 0 {
			t.Fatalf("first tick: %v %+v", err, rep)
		}
		importJSONL(t, s, "cases", row("R3"))
		trigger := "CREATE TRIGGER no_flags BEFORE INSERT ON flags FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'disk full'"
		if s.Dialect == store.SQLite {
			trigger = "CREATE TRIGGER no_flags BEFORE INSERT ON flags BEGIN SELECT RAISE(ABORT, 'disk full'); END"
		}
		if err := s.DB.Exec(trigger).Error; err != nil {
			t.Fatal(err)
		}
		later := now.Add(time.Hour)
		rep, err := e.Tick(ctx, rs, later, engine.TickOptions{})
		if err != nil || rep.Errors() == 0 {
			t.Fatalf("the flag could not be written and the tick reported no error: %v %+v", err, rep.Runs[0])
		}
		s.DB.Exec("DROP TRIGGER no_flags")
		if rep, err := e.Tick(ctx, rs, later, engine.TickOptions{}); err != nil || rep.Errors() > 0 {
			t.Fatalf("the tick again: %v %+v", err, rep)
		}
		var n int64
		s.DB.Model(&models.Flag{}).Where("case_no = ?", "R3").Count(&n)
		if n != 1 {
			t.Errorf("R3 flagged %d times, want once", n)
		}
	})
}
