package bench

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"duban/rules"
	"duban/store/storetest"
)

// TestSmallProvinceAgreesWithTheSQLPeer runs the whole benchmark on a small
// province on each database. It asserts no timings; it asserts that duban
// and the hand-written SQL find the same subjects for every rule, that the
// steady-state tick is incremental, and that every phase ran.
func TestSmallProvinceAgreesWithTheSQLPeer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "duban")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/duban").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	now := time.Date(2026, 11, 25, 8, 0, 0, 0, time.FixedZone("CST", 8*3600))
	rs, err := rules.Load(rules.Defaults(), rules.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			rep, err := Run(context.Background(), rs, Options{DSN: b.NewDSN(t), Size: Scaled(20000), Now: now, Binary: bin,
				WorkDir: t.TempDir(), Notices: 20000, Log: func(string, ...any) {}})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.FullTick.Holds) != len(rs.Rules) {
				t.Fatalf("the tick reported %d rules", len(rep.FullTick.Holds))
			}
			for id, n := range rep.FullTick.Holds {
				if n != rep.Peer.PerRule[id] {
					t.Errorf("%s: duban holds for %d subjects, the SQL peer for %d", id, n, rep.Peer.PerRule[id])
				}
			}
			if rep.FullTick.Outcomes == 0 || rep.Reeval.Outcomes != 0 || rep.Reeval.Subjects != rep.FullTick.Subjects {
				t.Errorf("full tick %+v, re-evaluation %+v", rep.FullTick, rep.Reeval)
			}
			if rep.Steady.Subjects >= rep.FullTick.Subjects/5 {
				t.Errorf("the steady tick evaluated %d of %d subjects: not incremental", rep.Steady.Subjects, rep.FullTick.Subjects)
			}
			if rep.Import.Cases == 0 || rep.NoticeList.Queries == 0 {
				t.Errorf("import %+v, notice list %+v", rep.Import, rep.NoticeList)
			}
		})
	}
}
