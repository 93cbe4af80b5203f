package reliability_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"duban/internal/faultkit"
	"duban/store/storetest"
)

// TestKilledTicksLoseNothing ticks a county at many instants with `duban
// run --once`, SIGKILLing the process at random points of each tick and
// running it again, as cron would. After each instant the database must
// hold exactly what an uninterrupted full tick produced on a twin database
// — every notice, sending, episode, flag and accountability record once —
// and the accountability chain must verify.
func TestKilledTicksLoseNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("runs processes")
	}
	t.Parallel()
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			rng := seeded(t)
			sc := faultkit.Scenario{Cases: faultkit.Scale(600, 2000), Schedule: "0 * * * *", Repeat: 24 * time.Hour,
				Received: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
			dir := t.TempDir()
			rulesDir, units, cases := sc.Files(t, dir)
			faulted, reference := "--db="+b.NewDSN(t), "--db="+b.NewDSN(t)
			for _, db := range []string{faulted, reference} {
				faultkit.MustRun(t, "import", db, "--kind", "units", units)
				faultkit.MustRun(t, "import", db, cases)
			}
			fs, rs := openStore(t, faulted[5:]), openStore(t, reference[5:])

			instants := faultkit.Scale(6, 40)
			killsPer := faultkit.Scale(2, 4)
			type kill struct {
				DelayMS int64  `json:"delay_ms"`
				Phase   string `json:"phase"`
			}
			var kills []kill
			phases := map[string]int{}
			differences, chainFailures := 0, 0
			start := time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC)
			for i := 0; i < instants; i++ {
				now := start.Add(time.Duration(i) * 7 * time.Hour).Format(time.RFC3339)
				if i > 0 {
					changes := filepath.Join(dir, fmt.Sprintf("changes-%d.jsonl", i))
					os.WriteFile(changes, []byte(sc.Changes(i)), 0o644)
					for _, db := range []string{faulted, reference} {
						// The changes reopen some closed cases on purpose.
						faultkit.MustRun(t, "import", db, "--allow-reopen", changes)
					}
				}
				run := []string{"run", "--once", "--now", now, "--rules", rulesDir, "--page-size", "50"}
				began := time.Now()
				faultkit.MustRun(t, append(run, reference, "--full")...)
				window := time.Since(began) * 13 / 10
				want := snapshot(t, rs)
				for k := 0; k < killsPer; k++ {
					before := snapshot(t, fs)
					delay := time.Duration(rng.Int64N(int64(window)))
					res := faultkit.RunKilled(t, delay, append(run, faulted)...)
					if res.Finished {
						if res.Code != 0 {
							t.Fatalf("run at %s exited %d:\n%s", now, res.Code, res.Stderr)
						}
						phases["finished before the kill"]++
						kills = append(kills, kill{delay.Milliseconds(), "finished"})
						break
					}
					after := snapshot(t, fs)
					phase := "mid-tick (some pages written)"
					switch {
					case len(faultkit.Diff(before, after, 1)) == 0:
						phase = "before any write"
					case len(faultkit.Diff(want, after, 1)) == 0:
						phase = "after the last write"
					}
					phases[phase]++
					kills = append(kills, kill{delay.Milliseconds(), phase})
				}
				faultkit.MustRun(t, append(run, faulted)...)
				if d := faultkit.Diff(want, snapshot(t, fs), 1000); len(d) > 0 {
					differences += len(d)
					t.Errorf("after the instant %s the killed database differs from the uninterrupted one:\n%s", now, joinLines(d, 20))
					break
				}
				if code, out, _ := faultkit.Run(t, nil, "audit", "verify", faulted); code != 0 {
					chainFailures++
					t.Errorf("audit verify: %s", out)
					break
				}
			}
			killed := 0
			for _, k := range kills {
				if k.Phase != "finished" {
					killed++
				}
			}
			final := snapshot(t, fs)
			faultkit.Record(t, "kill-run-once-"+b.Name, map[string]any{
				"backend": b.Name, "cases": sc.Cases, "instants": instants, "attempts": len(kills), "sigkills": killed,
				"kills_by_phase": phases, "outcomes_compared": final.Count(),
				"notices": len(final.Notices), "sendings": len(final.Sendings), "flags": len(final.Flags),
				"accountability_records": len(final.Accounts), "differences_from_uninterrupted": differences,
				"audit_verify_failures": chainFailures,
			})
		})
	}
}
