package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// Keys given on the command line are read as every other way in reads them:
// a look-alike names the same case, a hostile key is refused naming the
// argument or flag.
func TestCommandLineKeysAreNormalised(t *testing.T) {
	db := "--db=sqlite:" + filepath.Join(t.TempDir(), "d.db")
	now := "2026-03-10T08:00:00+08:00"
	mustRun(t, "import", db, "--kind", "units", "testdata/units.jsonl")
	mustRun(t, "import", db, "testdata/cases.jsonl")
	mustRun(t, "run", db, "--once", "--now", now)

	// full-width Ｃ－ＯＶＥＲＤＵＥ and a trailing zero-width space are C-OVERDUE
	for _, subject := range []string{"Ｃ－ＯＶＥＲＤＵＥ", "C-OVERDUE\u200b"} {
		out := mustRun(t, "rules", "explain", "deadline.breach", subject, db, "--now", now)
		if !strings.Contains(out, "C-OVERDUE 已超期 4 天") {
			t.Errorf("explain %q:\n%s", subject, out)
		}
		var n struct{ ID uint64 }
		json.Unmarshal([]byte(mustRun(t, "notices", "list", db, "--rule", "deadline.breach", "--case", subject, "--format", "json")), &n)
		if n.ID == 0 {
			t.Errorf("notices list --case %q finds no notice", subject)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"rules", "explain", "deadline.breach", "C-OVERDUE/..", "--now", now}, "SUBJECT: U+002F '/'"},
		{[]string{"rules", "explain", "abnormal.repeat", "P\u200b1", "--now", now}, "SUBJECT: U+200B"},
		{[]string{"notices", "list", "--case", "%41"}, "--case: U+0025 '%'"},
		{[]string{"notices", "list", "--unit", "zjj\u202e"}, "--unit: U+202E"},
		{[]string{"flags", "list", "--case", "A\nB"}, "--case: U+000A"},
		{[]string{"audit", "list", "--case", "A?B"}, "--case: U+003F '?'"},
		{[]string{"audit", "list", "--unit", "../zjj"}, "--unit: U+002E '.'"},
	} {
		code, _, errOut := duban(t, append(tc.args, db)...)
		if code == 0 || !strings.Contains(errOut, tc.want) {
			t.Errorf("duban %q: exit %d %s; want an error with %q", tc.args, code, errOut, tc.want)
		}
	}
}
