package ruletest

import (
	"context"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"duban/engine"
	"duban/rules"
)

func yes() *bool { b := true; return &b }
func no() *bool  { b := false; return &b }

func TestDiffNamesWhatIsMissingDiffersUnexpectedAndUnwanted(t *testing.T) {
	expect := []rules.Expectation{
		{Line: 10, Rule: "r.a", CaseNo: "C1", Notice: yes()},
		{Line: 11, Rule: "r.a", CaseNo: "C2", Notice: yes(), Level: "督办", Title: "已超期 2 天"},
		{Line: 12, Rule: "r.b", CaseNo: "C3", Notice: yes()},
		{Line: 13, Rule: "r.c", CaseNo: "C4", Accountability: no()},
	}
	got := []engine.Outcome{
		{Kind: "notice", Action: "raised", Rule: "r.a", CaseNo: "C1", Subject: "C1", Level: "提醒"},
		{Kind: "notice", Action: "raised", Rule: "r.a", CaseNo: "C2", Subject: "C2", Level: "提醒", Title: "C2 已超期 1 天"},
		{Kind: "accountability", Action: "raised", Rule: "r.c", CaseNo: "C4", Subject: "C4", Grade: "约谈"},
		{Kind: "flag", Action: "raised", Rule: "r.d", CaseNo: "C5", Subject: "C5", Flag: "集体访"},
	}
	var lines []string
	for _, d := range Diff(expect, got) {
		lines = append(lines, d.String())
	}
	want := []string{
		`  ok:         notice raised r.a case=C1 level=提醒  (line 10)`,
		`~ differs:    notice r.a case=C2 level=督办 title~"已超期 2 天"  (line 11)` +
			"\n      got:    notice raised r.a case=C2 level=提醒 title=\"C2 已超期 1 天\"" +
			"\n              level is 提醒, not 督办" +
			"\n              title \"C2 已超期 1 天\" does not contain \"已超期 2 天\"",
		`- missing:    notice r.b case=C3  (line 12)`,
		`! unwanted:   accountability raised r.c case=C4 grade=约谈  (line 13)`,
		`+ unexpected: flag raised r.d case=C5 flag=集体访`,
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("diff:\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

func TestAFailingStepSaysWhereAndWhat(t *testing.T) {
	files := fstest.MapFS{
		"overdue.yaml": {Data: []byte(`rules:
  - id: overdue
    subject: case
    when: Case.Open && Now > Case.DueAt && !Case.DueAt.IsZero()
    notice: {level: 督办, to: ['Case.AssignedUnit'], title: '{{ .Case.CaseNo }} 已超期 {{ daysSince .Case.DueAt }} 天', repeat: 24h}
`)},
		"overdue_test.yaml": {Data: []byte(`tests:
  - name: repeats daily
    at:
      - now: 2026-03-10T08:00:00+08:00
        cases:
          - {case_no: C1, channel: visit, status: assigned, received_at: 2026-02-02T09:00:00+08:00, assigned_unit: zjj, assigned_at: 2026-02-03T10:00:00+08:00, due_at: 2026-03-09T23:59:59+08:00}
        expect:
          - {rule: overdue, case_no: C1, notice: true, unit: zjj}
      - now: 2026-03-11T08:00:00+08:00
        expect:
          - {rule: overdue, case_no: C1, notice: true, title: 已超期 2 天}
`)},
	}
	rs, err := rules.Load(files, rules.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := Rules(rs, rs.Tests[0]); !slices.Equal(got, []string{"overdue"}) {
		t.Errorf("a test file tests the rules of its namesake; got %v", got)
	}
	res := RunOne(context.Background(), rs, rs.Tests[0])
	if res.Err != nil || res.Passed {
		t.Fatalf("passed=%v err=%v", res.Passed, res.Err)
	}
	var b strings.Builder
	res.WriteText(&b)
	want := `FAIL  overdue_test.yaml:2: repeats daily
      at[1] now 2026-03-11T08:00:00+08:00 (overdue_test.yaml:9):
        ~ differs:    notice overdue case=C1 title~"已超期 2 天"  (line 11)
              got:    notice reraised overdue case=C1 level=督办 unit=zjj title="C1 已超期 2 天"
                      action is reraised, not raised
`
	if b.String() != want {
		t.Errorf("output:\n%s\nwant\n%s", b.String(), want)
	}
	if len(res.Steps) != 2 || res.Steps[0].Failed || !res.Steps[1].Failed {
		t.Errorf("step results: %+v", res.Steps)
	}
}

// TestEveryDefaultRuleIsTested: each rule of the built-in pack has a test
// that expects it to raise something.
func TestEveryDefaultRuleIsTested(t *testing.T) {
	rs, err := rules.Load(rules.Defaults(), rules.Options{})
	if err != nil {
		t.Fatal(err)
	}
	raised := map[string]bool{}
	for _, tc := range rs.Tests {
		for _, st := range tc.Steps() {
			for _, e := range st.Expect {
				if _, want := expectedKind(e); want && (e.Action == "" || e.Action == engine.ActionRaised) {
					raised[e.Rule] = true
				}
			}
		}
	}
	for _, r := range rs.Rules {
		if !raised[r.ID] {
			t.Errorf("no test of the built-in pack expects %s to raise anything", r.ID)
		}
	}
}
