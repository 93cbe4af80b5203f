package main

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"duban/store/storetest"
)

func TestInvocation(t *testing.T) {
	for _, tc := range []struct{ arg0, tmp, gotmp, want string }{
		{"/tmp/go-build1234/b001/exe/duban", "/tmp", "", "go run ./cmd/duban"},
		{"/var/folders/x/T/go-build99/b001/exe/duban", "/var/folders/x/T", "", "go run ./cmd/duban"},
		{"/scratch/go-build7/b001/exe/duban", "/tmp", "/scratch", "go run ./cmd/duban"},
		{"./duban", "/tmp", "", "./duban"},
		{"bin/duban", "/tmp", "", "./bin/duban"},
		{"duban", "/tmp", "", "duban"},
		{"/usr/local/bin/duban", "/tmp", "", "/usr/local/bin/duban"},
		{"/tmp/duban", "/tmp", "", "/tmp/duban"},
	} {
		if got := invocation(tc.arg0, tc.tmp, tc.gotmp); got != tc.want {
			t.Errorf("invocation(%q, %q, %q) = %q, want %q", tc.arg0, tc.tmp, tc.gotmp, got, tc.want)
		}
	}
}

// TestDemoRebuildNumbersFromOne: a second demo on its own database starts
// its ids at 1 again, so the README's `notices show 1` and `audit review 3`
// name the same things after it.
func TestDemoRebuildNumbersFromOne(t *testing.T) {
	ids := regexp.MustCompile(`(?m)^(\d+)\s`)
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			db := "--db=" + b.NewDSN(t)
			var lists []string
			for range 2 {
				mustRun(t, "demo", db, "--now", "2026-11-25T09:00:00+08:00", "--cases", "300", "--password", "demo-password-1")
				lists = append(lists, mustRun(t, "notices", "list", db, "--limit", "100000"))
			}
			// The engine runs rules side by side, so which notice gets
			// which id may change; the ids themselves must not.
			for i, l := range lists {
				ids := ids.FindAllStringSubmatch(l, -1)
				if len(ids) < 10 {
					t.Fatalf("demo %d: only %d notices:\n%s", i+1, len(ids), l)
				}
				for j, m := range ids {
					if want := fmt.Sprint(len(ids) - j); m[1] != want {
						t.Errorf("demo %d: the %d. newest notice has id %s, want %s (ids 1 to %d)", i+1, j+1, m[1], want, len(ids))
						break
					}
				}
			}
			if strings.Count(lists[0], "\n") != strings.Count(lists[1], "\n") {
				t.Errorf("the second demo raised %d notices, the first %d", strings.Count(lists[1], "\n")-1, strings.Count(lists[0], "\n")-1)
			}
			out := mustRun(t, "audit", "list", db, "--limit", "100000")
			if !strings.Contains(out, "\n1 ") {
				t.Errorf("the rebuilt log does not start at seq 1:\n%.400s", out)
			}
		})
	}
}

// TestDemoHasHistory: the demo runs the days before now as daily ticks, so
// the board and the ledgers have a past: notices re-sent, acknowledged and
// resolved, accountability records reviewed, a chain that verifies.
func TestDemoHasHistory(t *testing.T) {
	db := "--db=sqlite:" + t.TempDir() + "/demo.db"
	mustRun(t, "demo", db, "--now", "2026-11-25T09:00:00+08:00", "--password", "demo-password-1")
	resent := regexp.MustCompile(`(?m)\s([2-9]|1\d)\s+\S+ 已超期`)
	for _, tc := range []struct {
		args []string
		want *regexp.Regexp
	}{
		{[]string{"notices", "list", "--status", "resolved", "--limit", "5"}, regexp.MustCompile(`2026-11-1\d \d\d:\d\d .* resolved`)},
		{[]string{"notices", "list", "--status", "acknowledged", "--limit", "5"}, regexp.MustCompile(`acknowledged`)},
		{[]string{"notices", "list", "--rule", "deadline.breach", "--limit", "200"}, resent},
		{[]string{"audit", "list", "--kind", "review", "--limit", "5"}, regexp.MustCompile(`(confirm|dismiss) #\d+ by 纪检组 刘芳`)},
		{[]string{"audit", "verify"}, regexp.MustCompile(`^ok: `)},
	} {
		if out := mustRun(t, append(tc.args, db)...); !tc.want.MatchString(out) {
			t.Errorf("%s: want %s in\n%.800s", strings.Join(tc.args, " "), tc.want, out)
		}
	}
	if out := mustRun(t, "notices", "list", db, "--limit", "100000"); strings.Contains(out, "， ") {
		t.Errorf("a notice title has a space after a full-width comma")
	}
	for _, id := range []string{"1", "50", "150"} {
		if out := mustRun(t, "notices", "show", id, db); strings.Contains(out, "， ") || strings.Contains(out, "。 ") {
			t.Errorf("notice %s: a space after full-width punctuation (YAML folding):\n%s", id, out)
		}
	}
	show := mustRun(t, "notices", "show", "1", db)
	if !regexp.MustCompile(`(?m)^raised\s+2026-11-11 08:00`).MatchString(show) {
		t.Errorf("notice 1 was not raised on the history's first day:\n%s", show)
	}
}
