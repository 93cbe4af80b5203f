package rules

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"duban/calendar"
)

// DefaultTimezone is the zone rule files reason in unless they say otherwise.
const DefaultTimezone = "Asia/Shanghai"

// RuleSet is a compiled, immutable set of rules, safe for concurrent use.
type RuleSet struct {
	Rules    []*Rule
	Tests    []TestCase
	Location *time.Location
	Calendar *calendar.Calendar
	// Files are the rule and calendar files the set came from.
	Files []string
	// Warnings are problems that did not stop the set from loading.
	Warnings Problems

	calOnce   sync.Once
	calDigest string
}

// Rule returns the rule with the given id, or nil.
func (rs *RuleSet) Rule(id string) *Rule {
	for _, r := range rs.Rules {
		if r.ID == id {
			return r
		}
	}
	return nil
}

// Options adjust loading.
type Options struct {
	// Calendar replaces the official holiday calendar as the base (tests).
	Calendar *calendar.Calendar
	// CalendarFiles are applied over the base, after those in the rule directory.
	CalendarFiles []string
	// Now dates the calendar check (the clock's now); zero means the wall clock.
	Now time.Time
	// TestFiles are test files (name_test.yaml, only `tests:`) to load with
	// the rules, for testing a rule set kept elsewhere (the built-in pack).
	TestFiles []string
	// Bounds limit the trial run of each condition at load (the zero value
	// is production's).
	Bounds Bounds
}

type source struct {
	fsys    fs.FS
	name    string // name inside fsys
	display string // the path as the user gave it
}

// Load compiles every rule file (*.yaml, *.yml) in fsys, applying calendar
// files (*.calendar.yaml) found there. On any error it returns nil and the
// Problems; nothing is half-loaded.
func Load(fsys fs.FS, opts Options) (*RuleSet, error) {
	names, cals, err := ruleFiles(fsys)
	if err != nil {
		return nil, err
	}
	var srcs, calSrcs []source
	for _, n := range names {
		srcs = append(srcs, source{fsys, n, n})
	}
	for _, n := range cals {
		calSrcs = append(calSrcs, source{fsys, n, n})
	}
	return load(srcs, calSrcs, opts)
}

// LoadPaths compiles the rule files and directories given on a command line.
func LoadPaths(paths []string, opts Options) (*RuleSet, error) {
	var srcs, calSrcs []source
	for _, p := range paths {
		st, err := os.Stat(p)
		if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
			return nil, fmt.Errorf("rules %s: %w", p, pe.Err) // not "stat PATH: ..."
		}
		if err != nil {
			return nil, err
		}
		if st.IsDir() {
			fsys := os.DirFS(p)
			names, cals, err := ruleFiles(fsys)
			if err != nil {
				return nil, err
			}
			if len(names) == 0 {
				return nil, fmt.Errorf("%s: no rule files (*.yaml) in the directory", p)
			}
			for _, n := range names {
				srcs = append(srcs, source{fsys, n, filepath.Join(p, n)})
			}
			for _, n := range cals {
				calSrcs = append(calSrcs, source{fsys, n, filepath.Join(p, n)})
			}
			continue
		}
		s := source{os.DirFS(filepath.Dir(p)), filepath.Base(p), p}
		if strings.Contains(filepath.Base(p), ".calendar.") {
			calSrcs = append(calSrcs, s)
		} else {
			srcs = append(srcs, s)
		}
	}
	return load(srcs, calSrcs, opts)
}

func load(srcs, calSrcs []source, opts Options) (*RuleSet, error) {
	var probs Problems
	for _, p := range opts.TestFiles {
		if !IsTestFile(p) {
			probs = append(probs, Problem{File: p, Message: "a test file is named name_test.yaml"})
			continue
		}
		srcs = append(srcs, source{os.DirFS(filepath.Dir(p)), filepath.Base(p), p})
	}
	var files []*parsedFile
	for _, s := range srcs {
		pf, ps := parseFile(s.fsys, s.name)
		for i := range ps {
			ps[i].File = s.display
		}
		probs = append(probs, ps...)
		if pf != nil {
			pf.name = s.display
			for i := range pf.tests {
				pf.tests[i].File = s.display
			}
			files = append(files, pf)
		}
	}
	if !slices.ContainsFunc(srcs, func(s source) bool { return !IsTestFile(s.name) }) {
		probs = append(probs, Problem{File: "(rules)", Message: "no rule files"})
	}

	tz := ""
	tzFile := ""
	for _, f := range files {
		if f.spec.Timezone == "" {
			continue
		}
		if tz != "" && f.spec.Timezone != tz {
			probs = append(probs, Problem{File: f.name, Line: 1, Message: fmt.Sprintf(
				"timezone %s differs from %s in %s: one rule set reasons in one zone", f.spec.Timezone, tz, tzFile)})
			continue
		}
		tz, tzFile = f.spec.Timezone, f.name
	}
	if tz == "" {
		tz = DefaultTimezone
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		probs = append(probs, Problem{File: tzFile, Line: 1, Message: fmt.Sprintf("unknown timezone %q", tz)})
		loc = time.UTC
	}

	cal := opts.Calendar
	if cal == nil {
		cal = calendar.Official(loc)
	}
	for _, s := range calSrcs {
		src, err := fs.ReadFile(s.fsys, s.name)
		if err == nil {
			cal, err = calendar.Parse(cal, s.display, src)
		}
		if err != nil {
			probs = append(probs, Problem{File: s.display, Message: err.Error()})
		}
	}
	for _, p := range opts.CalendarFiles {
		c, err := calendar.LoadFile(cal, p)
		if err != nil {
			probs = append(probs, Problem{File: p, Message: err.Error()})
			continue
		}
		cal = c
	}

	rs := &RuleSet{Location: loc, Calendar: cal}
	for _, s := range srcs {
		rs.Files = append(rs.Files, s.display)
	}
	for _, s := range calSrcs {
		rs.Files = append(rs.Files, s.display)
	}
	rs.Files = append(rs.Files, opts.CalendarFiles...)

	c := newCompiler(cal, loc, opts.Bounds)
	seen := map[string]string{}
	for _, f := range files {
		var fileRules []*Rule
		for _, pr := range f.rules {
			// Duplicates are found among all rules, compiled or not.
			if id := pr.spec.ID; id != "" {
				if prev, dup := seen[id]; dup {
					pos := pr.keys["id"]
					probs = append(probs, Problem{File: f.name, Line: pos.Line, Col: pos.Column, RuleID: id,
						Message: "duplicate rule id, already defined at " + prev})
					// Its own mistakes are reported too, in the same run.
					_, ps := c.compile(f, pr)
					probs = append(probs, ps...)
					continue
				}
				seen[id] = fmt.Sprintf("%s:%d", f.name, pr.line)
			}
			r, ps := c.compile(f, pr)
			probs = append(probs, ps...)
			if r != nil {
				fileRules = append(fileRules, r)
				if !r.Disabled {
					rs.Rules = append(rs.Rules, r)
				}
			}
		}
		if len(fileRules) == len(f.rules) {
			probs = append(probs, fileParamWarnings(f, fileRules)...)
		}
		rs.Tests = append(rs.Tests, f.tests...)
	}
	probs = append(probs, testWarnings(rs, rs.Tests)...)
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	probs = append(probs, c.calendarWarnings(rs.Rules, now)...)
	probs.sort()
	rs.Warnings = probs.Warnings()
	if errs := probs.Errors(); len(errs) > 0 {
		return nil, errs
	}
	sort.SliceStable(rs.Rules, func(i, j int) bool { return rs.Rules[i].ID < rs.Rules[j].ID })
	return rs, nil
}

var workdayFuncs = regexp.MustCompile(`\b(workdaysBetween|workdaysSince|addWorkdays|isWorkday|periodEnd|dueDate)\b`)

// calendarWarnings warns about rules that reason in working days when the
// calendar does not know the holidays of next year yet: their answers after
// New Year would only skip weekends.
func (c *compiler) calendarWarnings(rs []*Rule, now time.Time) Problems {
	_, last := c.cal.KnownYears()
	next := now.In(c.loc).Year() + 1
	if last >= next {
		return nil
	}
	var out Problems
	for _, r := range rs {
		if r.workdays {
			out = append(out, Problem{File: r.File, Line: r.Line, RuleID: r.ID, Warning: true, Message: fmt.Sprintf(
				"reasons in working days, but the holiday calendar ends with %d; add a calendar file (*.calendar.yaml) for %d", last, next)})
		}
	}
	return out
}
