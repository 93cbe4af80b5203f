// Package ruletest runs the tests written in rule files: each test gets a
// fresh in-memory database, its units, cases and slots are imported the way
// `duban import` would, and real ticks run at the test's times. What the
// ticks raise, re-raise and resolve is compared with what the test expects.
package ruletest

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"duban/clock"
	"duban/engine"
	"duban/importer"
	"duban/rules"
	"duban/store"
)

// Result is the outcome of one test.
type Result struct {
	Test     rules.TestCase
	Passed   bool
	Failures []string
	Err      error // the test could not run (bad data, bad time)
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
	failures, err := run(ctx, rs, tc)
	res.Failures, res.Err = failures, err
	res.Passed = err == nil && len(failures) == 0
	return res
}

func run(ctx context.Context, rs *rules.RuleSet, tc rules.TestCase) ([]string, error) {
	steps := tc.At
	if len(steps) == 0 {
		steps = []rules.TestStep{{Now: tc.Now, Expect: tc.Expect}}
	}
	if len(tc.At) > 0 && (tc.Now != "" || len(tc.Expect) > 0) {
		return nil, fmt.Errorf("give either now and expect, or at: steps")
	}
	only := tc.Only
	if len(only) == 0 {
		for _, r := range rs.Rules {
			if r.File == tc.File {
				only = append(only, r.ID)
			}
		}
	}
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
	var failures []string
	for i, step := range steps {
		label := ""
		if len(steps) > 1 {
			label = fmt.Sprintf("at[%d] %s: ", i, step.Now)
		}
		now, err := time.Parse(time.RFC3339, step.Now)
		if err != nil {
			return nil, fmt.Errorf("%snow: %q is not a time like 2026-03-20T09:00:00+08:00", label, step.Now)
		}
		clk.Set(now)
		cases, slots := step.Cases, step.Slots
		if i == 0 {
			cases, slots = append(append([]map[string]any{}, tc.Cases...), cases...), append(append([]map[string]any{}, tc.Slots...), slots...)
		}
		if len(cases) > 0 {
			opts.Kind = importer.KindCases
			if _, err := importer.Records(ctx, s, importer.FromMaps(cases), opts); err != nil {
				return nil, fmt.Errorf("%scases: %w", label, err)
			}
		}
		if len(slots) > 0 {
			opts.Kind = importer.KindSlots
			if _, err := importer.Records(ctx, s, importer.FromMaps(slots), opts); err != nil {
				return nil, fmt.Errorf("%sslots: %w", label, err)
			}
		}
		var got []engine.Outcome
		rep, err := eng.Tick(ctx, rs, now, engine.TickOptions{Rules: only, OnOutcome: func(o engine.Outcome) { got = append(got, o) }})
		if err != nil {
			return nil, err
		}
		for _, run := range rep.Runs {
			if run.Errors > 0 {
				failures = append(failures, fmt.Sprintf("%srule %s: %d errors, first: %s", label, run.RuleID, run.Errors, run.FirstError))
			}
		}
		for _, f := range Compare(step.Expect, got) {
			failures = append(failures, label+f)
		}
	}
	return failures, nil
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

// Compare matches expectations against outcomes and describes every
// difference: an expected outcome that is missing, one expected absent that
// is there, and any outcome nobody expected.
func Compare(expect []rules.Expectation, got []engine.Outcome) []string {
	var failures []string
	used := make([]bool, len(got))
	for _, e := range expect {
		kind, want := expectedKind(e)
		if kind == "" {
			failures = append(failures, fmt.Sprintf("expectation %s: say notice, flag or accountability", describeExpect(e)))
			continue
		}
		found := -1
		for i, o := range got {
			if !used[i] && matches(e, kind, o) {
				found = i
				break
			}
		}
		switch {
		case want && found < 0:
			failures = append(failures, "missing:    "+describeExpect(e)+nearest(e, kind, got))
		case want:
			used[found] = true
		case !want && found >= 0:
			used[found] = true
			failures = append(failures, "unwanted:   "+describe(got[found]))
		}
	}
	var extra []string
	for i, o := range got {
		if !used[i] {
			extra = append(extra, "unexpected: "+describe(o))
		}
	}
	sort.Strings(extra)
	return append(failures, extra...)
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

// nearest shows what the rule did raise for the same subject, which is
// usually why an expectation is missing (a different level, unit or title).
func nearest(e rules.Expectation, kind string, got []engine.Outcome) string {
	var near []string
	for _, o := range got {
		if o.Rule == e.Rule && o.Kind == kind && (e.CaseNo == "" || o.CaseNo == e.CaseNo) && (e.Subject == "" || o.Subject == e.Subject) {
			near = append(near, describe(o))
		}
	}
	if len(near) == 0 {
		return ""
	}
	return "\n            got instead: " + strings.Join(near, "\n                         ")
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
		{"grade", e.Grade}, {"flag", e.Flag}, {"title~", e.Title}} {
		if kv[1] != "" {
			fmt.Fprintf(&b, " %s=%s", kv[0], kv[1])
		}
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
