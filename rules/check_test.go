package rules

import (
	"os"
	"strings"
	"testing"
	"testing/fstest"
)

func TestEveryMistakeIsReportedWithFileLineAndRule(t *testing.T) {
	_, err := LoadPaths([]string{"testdata/bad"}, Options{})
	probs, ok := err.(Problems)
	if !ok {
		t.Fatalf("error %T: %v", err, err)
	}
	want := []string{
		"testdata/bad/mistakes.yaml:5:35: rule typo.field: Case.DueDate: no such field; did you mean Case.DueAt?",
		"testdata/bad/mistakes.yaml:10:26: rule wrong.type: invalid operation: + (mismatched types int and string)",
		`testdata/bad/mistakes.yaml:15:5: rule bad.cron: schedule "0 25 * * *"`,
		"testdata/bad/mistakes.yaml:22:5: rule no.recipient: notice has no recipient",
		"testdata/bad/mistakes.yaml:27:52: rule bad.template: title template: Case.CaseNumber: no such field; did you mean Case.CaseNo?",
		`testdata/bad/mistakes.yaml:32:5: rule unknown.key: unknown field "notise"`,
		"testdata/bad/mistakes.yaml:34:5: rule typo.field: duplicate rule id, already defined at testdata/bad/mistakes.yaml:3",
		// the duplicate's own mistakes are reported in the same run
		"testdata/bad/mistakes.yaml:36:29: rule typo.field: Case.Escalatd: no such field; did you mean Case.Escalated?",
		"testdata/bad/syntax.yaml:4:",
		"rule syntax.error: unexpected token EOF",
	}
	msg := probs.Error()
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("missing %q in:\n%s", w, msg)
		}
	}
	if len(probs) < 8 {
		t.Errorf("only %d problems reported:\n%s", len(probs), msg)
	}
}

func TestAGoodFileBesideABadOneLoadsNothing(t *testing.T) {
	good, _ := os.ReadFile("defaults/deadline.yaml")
	files := fstest.MapFS{
		"a.yaml": {Data: good},
		"b.yaml": {Data: []byte("rules:\n  - id: x\n    subject: nobody\n    when: true\n")},
	}
	rs, err := Load(files, Options{})
	if rs != nil || err == nil || !strings.Contains(err.Error(), `b.yaml:3:5: rule x: subject "nobody" must be case, petitioner or reception_slot`) {
		t.Fatalf("Load = %v, %v", rs, err)
	}
}

func TestRulesCannotReadTheWallClockOrRunAway(t *testing.T) {
	for _, tc := range []struct{ when, want string }{
		{"now() > Case.DueAt", "now: unknown name; did you mean Now?"},
		{"'" + strings.Repeat("!", 2100) + "Case.Open'", "exceeds maximum allowed nodes"},
		{strings.Repeat("Case.Open && ", 2100) + "true", "the expression is 27304 bytes; at most 16384"},
	} {
		files := fstest.MapFS{"r.yaml": {Data: []byte("rules:\n  - id: r\n    subject: case\n    when: " + tc.when + "\n    flag: {label: x}\n")}}
		_, err := Load(files, Options{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("when %.40q: error %v, want %q", tc.when, err, tc.want)
		}
	}
}

func TestTemplatesCannotLoopOverNumbers(t *testing.T) {
	files := fstest.MapFS{"r.yaml": {Data: []byte(`rules:
  - id: r
    subject: case
    when: Case.Open
    notice: {level: 提醒, to: [督查组], title: '{{ range 1000000000 }}x{{ end }}'}
`)}}
	_, err := Load(files, Options{})
	if err == nil || !strings.Contains(err.Error(), "r.yaml:5:") || !strings.Contains(err.Error(), "range only over a field") {
		t.Errorf("error %v", err)
	}
}

func mustLoad(t *testing.T, files map[string]string) *RuleSet {
	t.Helper()
	fs := fstest.MapFS{}
	for name, src := range files {
		fs[name] = &fstest.MapFile{Data: []byte(src)}
	}
	rs, err := Load(fs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func TestHiddenDirectoriesAreNotRules(t *testing.T) {
	good, _ := os.ReadFile("defaults/roster.yaml")
	// What a Kubernetes ConfigMap mount looks like: the files live in a
	// hidden, timestamped directory.
	files := fstest.MapFS{
		"roster.yaml":                         {Data: good},
		"..2026_11_25_08_00_00.1/roster.yaml": {Data: good},
	}
	rs, err := Load(files, Options{})
	if err != nil || len(rs.Rules) != 1 {
		t.Fatalf("Load = %v, %v", rs, err)
	}
}

func TestAMissingRulesPathIsNamed(t *testing.T) {
	_, err := LoadPaths([]string{"testdata/no-such-rules"}, Options{})
	if err == nil || err.Error() != "rules testdata/no-such-rules: no such file or directory" {
		t.Errorf("got %v", err)
	}
}
