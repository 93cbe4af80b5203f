package rules

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"
)

// Warnings: things that load and run but are probably not what the writer
// meant. They never stop a rule set from loading; `duban rules check
// --strict` fails on them.

// usedNames lists the identifiers an expression reads, including
// Params.name and Params["name"].
func usedNames(src string, into map[string]bool) {
	tree, err := parser.Parse(src)
	if err != nil {
		return
	}
	ast.Walk(&tree.Node, nameCollector(into))
}

type nameCollector map[string]bool

func (c nameCollector) Visit(node *ast.Node) {
	switch n := (*node).(type) {
	case *ast.IdentifierNode:
		c[n.Value] = true
	case *ast.MemberNode:
		if id, ok := n.Node.(*ast.IdentifierNode); ok && id.Value == "Params" {
			if s, ok := n.Property.(*ast.StringNode); ok {
				c[s.Value] = true
			}
		}
	}
}

var templateParam = regexp.MustCompile(`\.Params\.([A-Za-z_][A-Za-z0-9_]*)|index\s+\.Params\s+"([A-Za-z_][A-Za-z0-9_]*)"`)

func templateNames(src string, into map[string]bool) {
	for _, m := range templateParam.FindAllStringSubmatch(src, -1) {
		into[m[1]+m[2]] = true
	}
}

// ruleSources are the texts of a rule that may use params or working days.
func ruleSources(s ruleSpec) (exprs, templates []string) {
	exprs = append(exprs, s.When.Text)
	if n := s.Notice; n != nil {
		for _, to := range n.To {
			exprs = append(exprs, to.Text)
		}
		templates = append(templates, n.Title.Text, n.Body.Text)
	}
	if f := s.Flag; f != nil {
		exprs = append(exprs, f.Cases.Text)
	}
	if a := s.Accountability; a != nil {
		exprs = append(exprs, a.Against.Text)
		templates = append(templates, a.Reason.Text)
	}
	return exprs, templates
}

// lint adds the warnings about one compiled rule.
func (rc *ruleCompile) lint(s ruleSpec) {
	r := rc.r
	exprs, templates := ruleSources(s)
	r.usedParams = map[string]bool{}
	for _, e := range exprs {
		if strings.TrimSpace(e) != "" {
			usedNames(e, r.usedParams)
		}
		r.workdays = r.workdays || workdayFuncs.MatchString(e)
	}
	for _, t := range templates {
		templateNames(t, r.usedParams)
		r.workdays = r.workdays || workdayFuncs.MatchString(t)
	}
	var unused []string
	for k := range s.Params {
		if !r.usedParams[k] {
			unused = append(unused, k)
		}
	}
	sort.Strings(unused)
	for _, k := range unused {
		rc.warn("params", "param %s is never used by the rule (a misspelt name in `when` or a template?)", k)
	}

	if r.Subject == SubjectPetitioner && r.Window == 0 && !rc.pr.bad["window"] {
		rc.warn("subject", "petitioner rule without a window counts every case the petitioner ever brought; give `window:`, such as 90d")
	}

	if n := r.Notice; n != nil && n.Repeat > 0 && r.schedule != nil {
		if every := minInterval(r.schedule, rc.loc); every > 0 {
			grace := min(n.Repeat/20, time.Hour)
			if n.Repeat < every-grace {
				rc.warn("notice.repeat", "notice repeat %s is shorter than the schedule's interval (%s): it is re-sent at most once per tick, every %s",
					FormatDuration(n.Repeat), FormatDuration(every), FormatDuration(every))
			}
		}
	}

	if r.when != nil {
		// A trial run on a sample subject catches conditions that loop too
		// much whatever the data (nested loops over ranges, long texts).
		ev := Evaluator{Bounds: rc.bounds}
		if _, err := ev.run(r.when, rc.sample); isBudgetError(err) {
			rc.keyProblem("when", "%s", budgetMessage(err))
			return
		}
		names := map[string]bool{}
		usedNames(s.When.Text, names)
		constant := true
		for _, n := range []string{"Now", "Case", "Petitioner", "Slot", "daysSince", "daysUntil", "workdaysSince"} {
			if names[n] {
				constant = false
			}
		}
		if constant {
			always := ""
			ev := Evaluator{Bounds: rc.bounds}
			if v, err := ev.run(r.when, rc.sample); err == nil {
				always = fmt.Sprintf(" (always %v)", v)
			}
			rc.warn("when", "condition reads neither the subject nor Now: it is the same for every subject%s", always)
		}
	}
}

func (rc *ruleCompile) warn(key string, format string, args ...any) {
	before := len(rc.probs)
	rc.keyProblem(key, format, args...)
	rc.probs[before].Warning = true
}

// literalWarning warns about a recipient taken literally that looks like a
// field name (`to: [AssignedUnit]` meant Case.AssignedUnit): unit codes and
// group names are lower case or Chinese.
func (rc *ruleCompile) literalWarning(src Src, field, text string) {
	first := []rune(text)[0]
	if first > unicode.MaxASCII || !unicode.IsUpper(first) {
		return
	}
	msg := fmt.Sprintf("%s: %q is taken literally as a unit or group name", field, text)
	if s := suggestField(text, rc.env); s != "" {
		msg += "; did you mean " + s + "?"
	}
	rc.probs = append(rc.probs, Problem{File: rc.file, Line: src.Line, Col: src.Col, RuleID: rc.r.ID, Message: msg, Warning: true})
}

// minInterval is the shortest time between two firings of a schedule over
// a sample of its next firings (a year at most).
func minInterval(s interface{ Next(time.Time) time.Time }, loc *time.Location) time.Duration {
	t := s.Next(time.Date(2026, 1, 5, 0, 0, 0, 0, loc))
	end := t.AddDate(1, 0, 0)
	best := time.Duration(0)
	for i := 0; i < 500 && t.Before(end); i++ {
		next := s.Next(t)
		if next.IsZero() {
			break
		}
		if d := next.Sub(t); best == 0 || d < best {
			best = d
		}
		t = next
	}
	return best
}

// FormatDuration writes a duration the way rule files do: 90d, 24h, 90m0s.
func FormatDuration(d time.Duration) string {
	switch {
	case d >= 48*time.Hour && d%(24*time.Hour) == 0:
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	}
	return d.String()
}

// fileParamWarnings warns about params of a file that none of its rules use.
func fileParamWarnings(pf *parsedFile, compiled []*Rule) Problems {
	var out Problems
	var names []string
	for k := range pf.spec.Params {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		used := false
		for _, r := range compiled {
			if r.usedParams[k] {
				used = true
			}
		}
		if !used {
			out = append(out, Problem{File: pf.name, Line: pf.paramsPos.Line, Col: pf.paramsPos.Column, Warning: true,
				Message: fmt.Sprintf("param %s is never used by the file's rules", k)})
		}
	}
	return out
}

// testWarnings checks what a test refers to: rules that exist, times that
// parse, outcomes it can match.
func testWarnings(rs *RuleSet, tests []TestCase) Problems {
	var out Problems
	ids := make([]string, 0, len(rs.Rules))
	for _, r := range rs.Rules {
		ids = append(ids, r.ID)
	}
	ruleRef := func(file string, line int, what, id string) {
		if id == "" || rs.Rule(id) != nil {
			return
		}
		msg := fmt.Sprintf("%s: no rule %q", what, id)
		if s := closest(id, ids); s != "" {
			msg += "; did you mean " + s + "?"
		}
		out = append(out, Problem{File: file, Line: line, Warning: true, Message: msg})
	}
	for _, tc := range tests {
		warn := func(line int, format string, args ...any) {
			out = append(out, Problem{File: tc.File, Line: line, Warning: true,
				Message: fmt.Sprintf("test %q: ", tc.Name) + fmt.Sprintf(format, args...)})
		}
		if tc.Name == "" {
			warn(tc.Line, "has no name")
		}
		if len(tc.At) > 0 && (tc.Now != "" || len(tc.Expect) > 0) {
			warn(tc.Line, "give either now and expect, or at: steps")
		}
		for _, id := range tc.Only {
			ruleRef(tc.File, tc.Line, fmt.Sprintf("test %q: only", tc.Name), id)
		}
		for _, st := range tc.Steps() {
			if _, err := time.Parse(time.RFC3339, st.Now); err != nil {
				warn(st.Line, "now %q is not a time like 2026-03-20T09:00:00+08:00", st.Now)
			}
			for _, e := range st.Expect {
				ruleRef(tc.File, e.Line, fmt.Sprintf("test %q: expect", tc.Name), e.Rule)
				if e.Rule == "" {
					warn(e.Line, "expectation names no rule")
				}
				n := 0
				if e.Notice != nil {
					n++
				}
				if e.Accountability != nil {
					n++
				}
				if e.Flag != "" {
					n++
				}
				if n != 1 {
					warn(e.Line, "an expectation says exactly one of notice: true, flag: LABEL or accountability: true")
				}
				switch e.Action {
				case "", "raised", "reraised", "resolved":
				default:
					warn(e.Line, "action %q must be raised, reraised or resolved", e.Action)
				}
			}
		}
	}
	return out
}

// closest is the candidate nearest to s, if it is plausibly the same word.
func closest(s string, candidates []string) string {
	best, bestDist := "", 1<<30
	for _, c := range candidates {
		if d := editDistance(s, c); d < bestDist {
			best, bestDist = c, d
		}
	}
	if bestDist > len(s)/2+1 {
		return ""
	}
	return best
}
