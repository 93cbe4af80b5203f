package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"duban/store/storetest"
)

// duban runs the command in-process and returns its exit status and output.
func duban(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errOut := duban(t, args...)
	if code != 0 {
		t.Fatalf("duban %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// outcomes parses `run --format json` output into "kind action rule subject unit level/grade/flag".
func outcomes(t *testing.T, out string) []string {
	t.Helper()
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		var o map[string]any
		if err := json.Unmarshal([]byte(line), &o); err != nil {
			t.Fatalf("not a JSON line: %q", line)
		}
		for _, k := range []string{"kind", "action", "rule", "subject", "at"} {
			if _, ok := o[k]; !ok {
				t.Errorf("line lacks %q: %s", k, line)
			}
		}
		detail := ""
		for _, k := range []string{"level", "grade", "flag"} {
			if v, ok := o[k].(string); ok {
				detail += v
			}
		}
		got = append(got, fmt.Sprintf("%v %v %v %v %v %s", o["kind"], o["action"], o["rule"], o["case_no"], o["unit"], detail))
	}
	sort.Strings(got)
	return got
}

func TestRunOnceJSONContract(t *testing.T) {
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			db := "--db=" + b.NewDSN(t)
			mustRun(t, "import", db, "--kind", "units", "testdata/units.jsonl")
			mustRun(t, "import", db, "testdata/cases.jsonl")
			first := outcomes(t, mustRun(t, "run", db, "--once", "--now", "2026-03-10T08:00:00+08:00", "--format", "json"))
			want := []string{
				"accountability raised deadline.accountability C-LONGOVERDUE rsj 通报批评",
				"flag raised abnormal.group C-GROUP <nil> 集体访",
				"notice raised deadline.breach C-LONGOVERDUE rsj 督办",
				"notice raised deadline.breach C-OVERDUE zjj 督办",
				"notice raised deadline.warning C-NEARDUE zjj 提醒",
				"notice raised handoff.next_day C-HANDOFF 信访局 催办",
			}
			if strings.Join(first, "\n") != strings.Join(want, "\n") {
				t.Errorf("first run:\n%s\nwant\n%s", strings.Join(first, "\n"), strings.Join(want, "\n"))
			}
			if again := outcomes(t, mustRun(t, "run", db, "--once", "--now", "2026-03-10T08:00:00+08:00", "--format", "json")); len(again) != 0 {
				t.Errorf("second run at the same time printed %v", again)
			}
			next := outcomes(t, mustRun(t, "run", db, "--once", "--now", "2026-03-11T08:00:00+08:00", "--format", "json"))
			want = []string{
				"accountability raised handoff.accountability C-HANDOFF 信访局 提醒谈话",
				"notice reraised deadline.breach C-LONGOVERDUE rsj 督办",
				"notice reraised deadline.breach C-OVERDUE zjj 督办",
				"notice reraised handoff.next_day C-HANDOFF 信访局 催办",
			}
			if strings.Join(next, "\n") != strings.Join(want, "\n") {
				t.Errorf("a day later:\n%s\nwant\n%s", strings.Join(next, "\n"), strings.Join(want, "\n"))
			}
			if out := mustRun(t, "audit", "verify", db); !strings.HasPrefix(out, "ok: 2 entries") {
				t.Errorf("audit verify: %s", out)
			}
			list := mustRun(t, "notices", "list", db, "--format", "json", "--status", "open")
			if n := strings.Count(list, "\n"); n != 4 {
				t.Errorf("notices list shows %d open notices, want 4:\n%s", n, list)
			}
		})
	}
}

func TestBadRulesRefuseToRun(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "r.yaml"), []byte("rules:\n  - id: a.b\n    subject: case\n    schedule: every day\n    when: Case.Open\n    flag: {label: x}\n"), 0o644)
	db := "--db=sqlite:" + filepath.Join(t.TempDir(), "d.db")
	code, out, errOut := duban(t, "run", db, "--once", "--rules", dir, "--now", "2026-03-10T08:00:00+08:00")
	if code == 0 || !strings.Contains(errOut, "r.yaml:4:5: rule a.b: schedule \"every day\"") || out != "" {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, _, errOut = duban(t, "rules", "check", dir)
	if code != 1 || !strings.Contains(errOut, "r.yaml:4:5: rule a.b") {
		t.Errorf("rules check: exit %d, %q", code, errOut)
	}
}

func TestAuditVerifyNamesTheEditedRecord(t *testing.T) {
	path := filepath.Join(t.TempDir(), "d.db")
	db := "--db=sqlite:" + path
	mustRun(t, "import", db, "--kind", "units", "testdata/units.jsonl")
	mustRun(t, "import", db, "testdata/cases.jsonl")
	mustRun(t, "run", db, "--once", "--now", "2026-03-11T08:00:00+08:00")
	if out := mustRun(t, "audit", "verify", db); !strings.HasPrefix(out, "ok: 2 entries") {
		t.Fatalf("verify: %s", out)
	}
	s, err := openForTest(path)
	if err != nil {
		t.Fatal(err)
	}
	s.Exec("UPDATE accountability_records SET grade = '提醒' WHERE seq = 1")
	s.Close()
	code, out, _ := duban(t, "audit", "verify", db)
	if code != 1 || !strings.Contains(out, "FAILED at record 1") || !strings.Contains(out, "altered") {
		t.Errorf("exit %d: %s", code, out)
	}
}

func TestImportReportsLineAndField(t *testing.T) {
	db := "--db=sqlite:" + filepath.Join(t.TempDir(), "d.db")
	bad := filepath.Join(t.TempDir(), "bad.csv")
	os.WriteFile(bad, []byte("case_no,channel,status,received_at\nA1,visit,received,2026-03-01T10:00:00+08:00\n,visit,received,2026-03-01T10:00:00+08:00\nA3,visit,received,yesterday\n"), 0o644)
	code, _, errOut := duban(t, "import", db, bad)
	if code != 1 || !strings.Contains(errOut, "bad.csv:3: case_no: missing") || !strings.Contains(errOut, `bad.csv:4: received_at: "yesterday"`) {
		t.Errorf("exit %d: %s", code, errOut)
	}
	if out := mustRun(t, "notices", "list", db); strings.Count(out, "\n") != 1 {
		t.Errorf("db not empty after a refused import")
	}
}

func TestDemoRaisesWhatItPlanted(t *testing.T) {
	for _, seed := range []string{"1", "7"} {
		for _, now := range []string{"2026-11-25T09:00:00+08:00", "2026-10-08T07:30:00+08:00", "2026-02-22T12:00:00+08:00"} {
			db := "--db=sqlite:" + filepath.Join(t.TempDir(), "demo.db")
			code, out, errOut := duban(t, "demo", db, "--seed", seed, "--now", now)
			if code != 0 || strings.Contains(out, "MISMATCH") {
				t.Errorf("demo seed %s at %s: exit %d\n%s%s", seed, now, code, out, errOut)
			}
		}
	}
}

// TestTwoProcessesTickingAtOnce runs two separate duban processes against one
// MariaDB at the same instant, several times: every outcome is printed by
// exactly one of them and stored once.
func TestTwoProcessesTickingAtOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dsn := storetest.MySQL.NewDSN(t)
	bin := binary(t)
	db := "--db=" + dsn
	mustRun(t, "import", db, "--kind", "units", "testdata/units.jsonl")
	mustRun(t, "import", db, "testdata/cases.jsonl")
	seen := map[string]int{}
	for _, now := range []string{"2026-03-10T08:00:00+08:00", "2026-03-11T08:00:00+08:00", "2026-03-12T08:00:00+08:00"} {
		var wg sync.WaitGroup
		outs := make([]string, 2)
		for i := range outs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				cmd := exec.Command(bin, "run", db, "--once", "--now", now, "--format", "json")
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				out, err := cmd.Output()
				if err != nil {
					t.Errorf("process %d: %v\n%s", i, err, stderr.String())
				}
				outs[i] = string(out)
			}()
		}
		wg.Wait()
		for _, o := range append(outcomes(t, outs[0]), outcomes(t, outs[1])...) {
			seen[now+" "+o]++
		}
	}
	if len(seen) < 12 {
		t.Errorf("only %d distinct outcomes over three days: %v", len(seen), seen)
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("%s printed %d times", k, n)
		}
	}
	if out := mustRun(t, "audit", "verify", db); !strings.HasPrefix(out, "ok: 2 entries") {
		t.Errorf("verify: %s", out)
	}
}
