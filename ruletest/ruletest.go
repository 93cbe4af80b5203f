// Package ruletest runs the tests written in rule files: each test gets a
// fresh in-memory database, its units, cases and slots are imported the way
// `duban import` would, and real ticks run at the test's times. What the
// ticks raise, re-raise and resolve is compared with what the test expects.
package ruletest

import (
	"context"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"time"

	"duban/clock"
	"duban/engine"
	"duban/importer"
	"duban/keys"
	"duban/rules"
	"duban/store"
)

// Result is the outcome of one test.
type Result struct {
	Test   rules.TestCase
	Passed bool
	Steps  []StepResult
	// Failures are the failing steps' differences as lines, for logs.
	Failures []string
	Err      error // the test could not run (bad data, bad time)
}

// StepResult is one tick of a test: what was expected against what the
// tick raised, re-raised and resolved.
type StepResult struct {
	Index  int // 0-based
	Step   rules.TestStep
	Diff   []DiffLine
	Errors []string // rule errors during the tick
	Failed bool
}

// DiffLine is one line of a step's diff of expected and got outcomes.
type DiffLine struct {
	// Op is ' ' for an expected outcome that was there, '-' for an expected
	// outcome that was not, '~' for one that was there but differs (same
	// rule, kind and subject), '+' for an outcome nobody expected, and '!'
	// for an outcome the test said must not be there.
	Op   byte
	Text string
	Line int // the expectation's line in the test file
	// Got is, for '~', the outcome raised instead, and Why what differs.
	Got string
	Why []string
}

// Name is file:line: name.
func (r Result) Name() string {
	return fmt.Sprintf("%s:%d: %s", r.Test.File, r.Test.Line, r.Test.Name)
}

// Run runs every test of the rule set.
func Run(ctx context.Context, rs *rules.RuleSet) []Result {
	out := make([]Result, 0, len(rs.Tests))
	for _, tc := range rs.Tests {
		out = append(out, RunOne(ctx, rs, tc))
	}
	return out
}

// RunOne runs one test.
func RunOne(ctx context.Context, rs *rules.RuleSet, tc rules.TestCase) Result {
	res := Result{Test: tc}
	res.Steps, res.Err = run(ctx, rs, tc)
	res.Passed = res.Err == nil
	for _, st := range res.Steps {
		if st.Failed {
			res.Passed = false
			res.Failures = append(res.Failures, st.lines(len(res.Steps) > 1, tc.File)...)
		}
	}
	return res
}

// Rules are the rules a test ticks: its `only:`, else the rules of its own
// file (for name_test.yaml, of name.yaml), else every rule of the set.
func Rules(rs *rules.RuleSet, tc rules.TestCase) []string {
	if len(tc.Only) > 0 {
		return tc.Only
	}
	file := tc.File
	if rules.IsTestFile(file) {
		ext := path.Ext(file)
		file = strings.TrimSuffix(strings.TrimSuffix(file, ext), "_test") + ext
	}
	var ids []string
	for _, r := range rs.Rules {
		if r.File == file || strings.TrimSuffix(r.File, path.Ext(r.File)) == strings.TrimSuffix(file, path.Ext(file)) {
			ids = append(ids, r.ID)
		}
	}
	return ids
}

func run(ctx context.Context, rs *rules.RuleSet, tc rules.TestCase) ([]StepResult, error) {
	if len(tc.At) > 0 && (tc.Now != "" || len(tc.Expect) > 0) {
		return nil, fmt.Errorf("give either now and expect, or at: steps")
	}
	steps := tc.Steps()
	only := Rules(rs, tc)
	for _, id := range only {
		if rs.Rule(id) == nil {
			return nil, fmt.Errorf("only: no rule %q", id)
		}
	}
	clk := clock.NewFixed(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC))
	s, err := store.Open(ctx, "sqlite::memory:", store.Options{Clock: clk})
	if err != nil {
		return nil, err
	}
	defer s.Close()
	if err := importUnits(ctx, s, tc); err != nil {
		return nil, err
	}
	eng := engine.New(s, nil)
	opts := importer.Options{Location: rs.Location}
	var out []StepResult
	for i, step := range steps {
		label := ""
		if len(tc.At) > 0 {
			label = fmt.Sprintf("at[%d]: ", i)
		}
		now, err := time.Parse(time.RFC3339, step.Now)
		if err != nil {
			return out, fmt.Errorf("%snow: %q is not a time like 2026-03-20T09:00:00+08:00", label, step.Now)
		}
		clk.Set(now)
		cases, slots := step.Cases, step.Slots
		if len(tc.At) > 0 && i == 0 {
			cases, slots = append(append([]map[string]any{}, tc.Cases...), cases...), append(append([]map[string]any{}, tc.Slots...), slots...)
		}
		if len(cases) > 0 {
			opts.Kind = importer.KindCases
			if _, err := importer.Records(ctx, s, importer.FromMaps(cases), opts); err != nil {
				return out, fmt.Errorf("%scases: %w", label, err)
			}
		}
		if len(slots) > 0 {
			opts.Kind = importer.KindSlots
			if _, err := importer.Records(ctx, s, importer.FromMaps(slots), opts); err != nil {
				return out, fmt.Errorf("%sslots: %w", label, err)
			}
		}
		var got []engine.Outcome
		rep, err := eng.Tick(ctx, rs, now, engine.TickOptions{Rules: only, OnOutcome: func(o engine.Outcome) { got = append(got, o) }})
		if err != nil {
			return out, err
		}
		sr := StepResult{Index: i, Step: step, Diff: Diff(expectKeys(step.Expect), got)}
		for _, run := range rep.Runs {
			if run.Errors > 0 {
				sr.Errors = append(sr.Errors, fmt.Sprintf("rule %s: %d errors, first: %s", run.RuleID, run.Errors, run.FirstError))
			}
		}
		sr.Failed = len(sr.Errors) > 0
		for _, d := range sr.Diff {
			if d.Op != ' ' {
				sr.Failed = true
			}
		}
		out = append(out, sr)
	}
	return out, nil
}

// expectKeys reads an expectation's case number, subject and unit as the
// import reads the fixtures' keys, so that `subject: Ｐ５` expects P5; a
// value that is not a key (a slot's date/leader, a recipient such as
// 信访局（综合科）) stays as written.
func expectKeys(es []rules.Expectation) []rules.Expectation {
	out := make([]rules.Expectation, len(es))
	for i, e := range es {
		for _, f := range []struct {
			v         *string
			normalise func(string) (string, error)
		}{{&e.CaseNo, keys.CaseNo}, {&e.Subject, keys.Petitioner}, {&e.Unit, keys.Unit}} {
			if k, err := keys.Optional(f.normalise, *f.v); err == nil {
				*f.v = k
			}
		}
		out[i] = e
	}
	return out
}

// importUnits imports the test's units, or, when it lists none, a unit for
// every code its cases name, so short tests need not spell them out.
func importUnits(ctx context.Context, s *store.Store, tc rules.TestCase) error {
	units := tc.Units
	if len(units) == 0 {
		seen := map[string]bool{}
		all := append([]map[string]any{}, tc.Cases...)
		for _, st := range tc.At {
			all = append(all, st.Cases...)
		}
		for _, c := range all {
			code, _ := c["assigned_unit"].(string)
			if code != "" && !seen[code] {
				seen[code] = true
				units = append(units, map[string]any{"code": code, "name": code})
			}
		}
	}
	if len(units) == 0 {
		return nil
	}
	_, err := importer.Records(ctx, s, importer.FromMaps(units), importer.Options{Kind: importer.KindUnits})
	if err != nil {
		return fmt.Errorf("units: %w", err)
	}
	return nil
}

// Diff matches expectations against outcomes: each expectation is matched
// ( ), missing (-), raised differently (~: the same rule, kind and subject,
// another level, unit, title or action) or, for one that says an outcome
// must not be there, present (!); every outcome nobody expected is extra (+).
func Diff(expect []rules.Expectation, got []engine.Outcome) []DiffLine {
	out := make([]DiffLine, len(expect))
	used := make([]bool, len(got))
	var missing []int
	for i, e := range expect {
		kind, want := expectedKind(e)
		if kind == "" {
			out[i] = DiffLine{Op: '-', Line: e.Line, Text: describeExpect(e) + " (say notice: true, flag: LABEL or accountability: true)"}
			continue
		}
		found := -1
		for j, o := range got {
			if !used[j] && matches(e, kind, o) {
				found = j
				break
			}
		}
		switch {
		case want && found < 0:
			out[i] = DiffLine{Op: '-', Line: e.Line, Text: describeExpect(e)}
			missing = append(missing, i)
		case want:
			used[found] = true
			out[i] = DiffLine{Op: ' ', Line: e.Line, Text: describe(got[found])}
		case found >= 0:
			used[found] = true
			out[i] = DiffLine{Op: '!', Line: e.Line, Text: describe(got[found])}
		default:
			out[i] = DiffLine{Op: ' ', Line: e.Line, Text: describeExpect(e)}
		}
	}
	// A missing expectation and an unexpected outcome of the same rule,
	// kind and subject are one outcome that differs: show them together.
	for _, i := range missing {
		e := expect[i]
		kind, _ := expectedKind(e)
		for j, o := range got {
			if used[j] || o.Rule != e.Rule || o.Kind != kind || (e.CaseNo != "" && o.CaseNo != e.CaseNo) || (e.Subject != "" && o.Subject != e.Subject) {
				continue
			}
			used[j] = true
			out[i].Op, out[i].Got, out[i].Why = '~', describe(o), differences(e, o)
			break
		}
	}
	var extra []DiffLine
	for i, o := range got {
		if !used[i] {
			extra = append(extra, DiffLine{Op: '+', Text: describe(o)})
		}
	}
	sort.Slice(extra, func(i, j int) bool { return extra[i].Text < extra[j].Text })
	return append(out, extra...)
}

// Compare is Diff reduced to its differences, one line each.
func Compare(expect []rules.Expectation, got []engine.Outcome) []string {
	var out []string
	for _, d := range Diff(expect, got) {
		if d.Op != ' ' {
			out = append(out, d.String())
		}
	}
	return out
}

// String renders the line as the CLI prints it.
func (d DiffLine) String() string {
	var b strings.Builder
	switch d.Op {
	case '-':
		b.WriteString("- missing:    ")
	case '~':
		b.WriteString("~ differs:    ")
	case '+':
		b.WriteString("+ unexpected: ")
	case '!':
		b.WriteString("! unwanted:   ")
	default:
		b.WriteString("  ok:         ")
	}
	b.WriteString(d.Text)
	if d.Line > 0 {
		fmt.Fprintf(&b, "  (line %d)", d.Line)
	}
	if d.Op == '~' {
		b.WriteString("\n      got:    " + d.Got)
		for _, w := range d.Why {
			b.WriteString("\n              " + w)
		}
	}
	return b.String()
}

// lines renders a failed step for logs and the CLI.
func (st StepResult) lines(stepped bool, file string) []string {
	var out []string
	if stepped {
		out = append(out, fmt.Sprintf("at[%d] now %s (%s:%d):", st.Index, st.Step.Now, file, st.Step.Line))
	}
	indent := ""
	if stepped {
		indent = "  "
	}
	for _, e := range st.Errors {
		out = append(out, indent+"error: "+e)
	}
	for _, d := range st.Diff {
		for _, l := range strings.Split(d.String(), "\n") {
			out = append(out, indent+l)
		}
	}
	return out
}

// WriteText prints the result as `duban rules test` does: ok, or FAIL with
// a diff of each failing step (- expected but missing, + raised but not
// expected, ! raised though the test says it must not be).
func (r Result) WriteText(w io.Writer) {
	switch {
	case r.Err != nil:
		fmt.Fprintf(w, "ERROR %s\n      %s\n", r.Name(), strings.ReplaceAll(r.Err.Error(), "\n", "\n      "))
	case !r.Passed:
		fmt.Fprintf(w, "FAIL  %s\n", r.Name())
		for _, l := range r.Failures {
			fmt.Fprintf(w, "      %s\n", l)
		}
	default:
		fmt.Fprintf(w, "ok    %s\n", r.Name())
	}
}

func expectedKind(e rules.Expectation) (kind string, want bool) {
	switch {
	case e.Notice != nil:
		return engine.KindNotice, *e.Notice
	case e.Accountability != nil:
		return engine.KindAccountability, *e.Accountability
	case e.Flag != "":
		return engine.KindFlag, true
	}
	return "", false
}

func matches(e rules.Expectation, kind string, o engine.Outcome) bool {
	action := e.Action
	if action == "" {
		action = engine.ActionRaised
	}
	_, want := expectedKind(e)
	if o.Kind != kind || o.Rule != e.Rule {
		return false
	}
	if want && o.Action != action {
		return false
	}
	if e.CaseNo != "" && o.CaseNo != e.CaseNo {
		return false
	}
	if e.Subject != "" && o.Subject != e.Subject {
		return false
	}
	if e.Level != "" && o.Level != e.Level || e.Unit != "" && o.Unit != e.Unit || e.Grade != "" && o.Grade != e.Grade {
		return false
	}
	if e.Flag != "" && o.Flag != e.Flag {
		return false
	}
	return e.Title == "" || strings.Contains(o.Title, e.Title)
}

// differences says what of an outcome differs from the expectation it
// stands closest to (a different level, unit, title or action).
func differences(e rules.Expectation, o engine.Outcome) []string {
	var diffs []string
	action := e.Action
	if action == "" {
		action = engine.ActionRaised
	}
	for _, f := range [][3]string{{"action", action, o.Action}, {"level", e.Level, o.Level}, {"unit", e.Unit, o.Unit},
		{"grade", e.Grade, o.Grade}, {"flag", e.Flag, o.Flag}} {
		if f[1] != "" && f[1] != f[2] {
			diffs = append(diffs, fmt.Sprintf("%s is %s, not %s", f[0], f[2], f[1]))
		}
	}
	if e.Title != "" && !strings.Contains(o.Title, e.Title) {
		diffs = append(diffs, fmt.Sprintf("title %q does not contain %q", o.Title, e.Title))
	}
	return diffs
}

func describeExpect(e rules.Expectation) string {
	kind, want := expectedKind(e)
	var b strings.Builder
	if !want {
		b.WriteString("no ")
	}
	b.WriteString(kind)
	if e.Action != "" {
		b.WriteString(" " + e.Action)
	}
	fmt.Fprintf(&b, " %s", e.Rule)
	for _, kv := range [][2]string{{"case", e.CaseNo}, {"subject", e.Subject}, {"level", e.Level}, {"unit", e.Unit},
		{"grade", e.Grade}, {"flag", e.Flag}} {
		if kv[1] != "" {
			fmt.Fprintf(&b, " %s=%s", kv[0], kv[1])
		}
	}
	if e.Title != "" {
		fmt.Fprintf(&b, " title~%q", e.Title)
	}
	return b.String()
}

func describe(o engine.Outcome) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s", o.Kind, o.Action, o.Rule)
	if o.CaseNo != "" {
		fmt.Fprintf(&b, " case=%s", o.CaseNo)
	}
	if o.Subject != "" && o.Subject != o.CaseNo {
		fmt.Fprintf(&b, " subject=%s", o.Subject)
	}
	for _, kv := range [][2]string{{"level", o.Level}, {"unit", o.Unit}, {"grade", o.Grade}, {"flag", o.Flag}} {
		if kv[1] != "" {
			fmt.Fprintf(&b, " %s=%s", kv[0], kv[1])
		}
	}
	if o.Title != "" {
		fmt.Fprintf(&b, " title=%q", o.Title)
	}
	return b.String()
}
