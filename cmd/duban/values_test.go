package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// demoDB builds a small demo county in a temporary SQLite file.
func demoDB(t *testing.T) string {
	t.Helper()
	db := "--db=sqlite:" + filepath.Join(t.TempDir(), "demo.db")
	mustRun(t, "demo", db, "--now", "2026-11-25T09:00:00+08:00", "--cases", "600", "--password", "demo-password-1")
	return db
}

func TestListingsRefuseUnknownValues(t *testing.T) {
	db := demoDB(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"notices", "list", "--status", "bogus"}, `--status "bogus": want one of open, acknowledged, resolved`},
		{[]string{"notices", "list", "--level", "严重"}, `--level "严重": want one of 提醒, 催办, 督办`},
		{[]string{"flags", "list", "--label", "重复"}, `--label "重复": want one of 重复访, 越级访, 集体访; did you mean 重复访?`},
		{[]string{"notices", "list", "--unit", "住建局"}, `--unit "住建局": no such unit; did you mean zjj (县住房和城乡建设局)?`},
		{[]string{"notices", "list", "--unit", "zjjj"}, `did you mean zjj (县住房和城乡建设局)?`},
		{[]string{"notices", "list", "--unit", "nowhere"}, `give a code or a name: bmz (白马镇人民政府),`},
		{[]string{"audit", "list", "--unit", "住建局"}, `did you mean zjj (县住房和城乡建设局)?`},
		{[]string{"audit", "list", "--kind", "recrd"}, `did you mean record?`},
		{[]string{"notices", "list", "--rule", "deadline.breech"}, `did you mean deadline.breach?`},
	} {
		code, out, errOut := duban(t, append(tc.args, db)...)
		if code == 0 || !strings.Contains(errOut, tc.want) || out != "" {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want a refusal with %q", strings.Join(tc.args, " "), code, out, errOut, tc.want)
		}
	}
}

func TestUnitByCodeOrName(t *testing.T) {
	db := demoDB(t)
	byCode := mustRun(t, "notices", "list", db, "--unit", "zjj")
	byName := mustRun(t, "notices", "list", db, "--unit", "县住房和城乡建设局")
	if byCode != byName || strings.Count(byCode, "\n") < 2 {
		t.Errorf("--unit zjj and --unit 县住房和城乡建设局 differ, or list nothing:\n%s\n%s", byCode, byName)
	}
	if !strings.Contains(byCode, "zjj 县住房和城乡建设局") {
		t.Errorf("unit name not beside its code:\n%s", byCode)
	}
	group := mustRun(t, "notices", "list", db, "--unit", "信访局", "--limit", "3")
	if strings.Count(group, "\n") < 2 {
		t.Errorf("--unit 信访局 (a recipient group) listed nothing:\n%s", group)
	}
}

func TestListingsShowNames(t *testing.T) {
	db := demoDB(t)
	out := mustRun(t, "notices", "list", db, "--rule", "abnormal.repeat", "--limit", "1")
	// P000123 张三: a petitioner's id with the name beside it
	if !strings.Contains(out, "abnormal.repeat 重复访") || !regexpPetitioner.MatchString(out) {
		t.Errorf("notices list lacks the rule's or the petitioner's name:\n%s", out)
	}
	out = mustRun(t, "flags", "list", db, "--label", "重复访", "--limit", "1")
	if !regexpPetitioner.MatchString(out) {
		t.Errorf("flags list shows a petitioner without a name:\n%s", out)
	}
	out = mustRun(t, "audit", "list", db, "--limit", "3")
	if !strings.Contains(out, "问责") {
		t.Errorf("audit list lacks rule names:\n%s", out)
	}
}

func TestJSONListingsUseTheAPIShape(t *testing.T) {
	db := demoDB(t)
	for _, tc := range []struct {
		args []string
		keys []string
	}{
		{[]string{"notices", "list", "--limit", "3"}, []string{"id", "rule", "rule_name", "subject", "unit", "raised_at", "send_count"}},
		{[]string{"flags", "list", "--limit", "3"}, []string{"id", "case_no", "label", "rule", "set_at"}},
		{[]string{"audit", "list", "--limit", "3"}, []string{"seq", "kind", "rule", "unit", "at", "hash"}},
		{[]string{"notices", "show", "1"}, []string{"id", "recipients", "evidence"}},
	} {
		out := mustRun(t, append(append(tc.args, db), "--format", "json")...)
		lines := strings.Split(strings.TrimSpace(out), "\n")
		for _, line := range lines {
			var m map[string]any
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				t.Fatalf("%v: not JSON: %s", tc.args, line)
			}
			for k := range m {
				if k != strings.ToLower(k) {
					t.Errorf("%v: field %q is not snake_case", tc.args, k)
				}
			}
			for _, k := range tc.keys {
				if _, ok := m[k]; !ok {
					t.Errorf("%v: no %q in %s", tc.args, k, line)
				}
			}
			if r, ok := m["recipients"]; ok {
				if _, isList := r.([]any); !isList {
					t.Errorf("%v: recipients %v is not a JSON array", tc.args, r)
				}
			}
			if e, ok := m["evidence"]; ok {
				if _, isObject := e.(map[string]any); !isObject {
					t.Errorf("%v: evidence %v is not a JSON object", tc.args, e)
				}
			}
		}
	}
}

func TestReadingCommandsRefuseAMissingDatabase(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "nope.db")
	for _, args := range [][]string{
		{"notices", "list"}, {"notices", "show", "1"}, {"flags", "list"}, {"audit", "list"}, {"audit", "verify"},
		{"audit", "head"}, {"deliveries", "list"}, {"users", "list"}, {"rules", "explain", "deadline.breach", "X1"},
	} {
		code, _, errOut := duban(t, append(args, "--db", "sqlite:"+path)...)
		if code == 0 || !strings.Contains(errOut, "no database at "+path) || !strings.Contains(errOut, "demo") {
			t.Errorf("%v on a missing database: exit %d, %q", args, code, errOut)
		}
		if _, err := os.Stat(path); err == nil {
			t.Fatalf("%v created %s", args, path)
		}
	}
	mustRun(t, "import", "--db", "sqlite:"+path, "--kind", "units", "testdata/units.jsonl")
	mustRun(t, "notices", "list", "--db", "sqlite:"+path)
}

var regexpPetitioner = regexp.MustCompile(`P\d{6} \p{Han}{2,3}`)
