// Package backtest compares two rule sets against the cases in a database:
// it evaluates both at the same instants with dry-run ticks, which read
// subjects but no outcome state and write nothing, and lists the outcomes
// that appear, disappear or change between the old rules and the new.
package backtest

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"duban/engine"
	"duban/rules"
	"duban/store"
)

// Change kinds.
const (
	Appears    = "appears"    // the new rules raise it, the old ones do not
	Disappears = "disappears" // the old rules raise it, the new ones do not
	Changes    = "changes"    // both raise it, differently
)

// Key identifies an outcome across the two rule sets.
type Key struct {
	Kind    string // notice | flag | accountability
	Rule    string
	Subject string
	CaseNo  string
}

// Change is one outcome that differs, over every instant where it differs.
type Change struct {
	Change string `json:"change"`
	Key
	Old *engine.Outcome `json:"old,omitempty"` // the last instant's
	New *engine.Outcome `json:"new,omitempty"`
	// Fields names what changed (level, unit, grade, flag, title, reason);
	// Old and New show the values.
	Fields []string  `json:"fields,omitempty"`
	First  time.Time `json:"first"`
	Last   time.Time `json:"last"`
	// Instants counts the instants at which the outcome differs.
	Instants int `json:"instants"`
}

// Unit is the unit the change concerns: the new outcome's, else the old's.
func (c *Change) Unit() string {
	if c.New != nil && c.New.Unit != "" {
		return c.New.Unit
	}
	if c.Old != nil {
		return c.Old.Unit
	}
	return ""
}

// Counts are the changes of one rule or unit.
type Counts struct {
	Appears, Disappears, Changes int
}

func (c *Counts) add(change string) {
	switch change {
	case Appears:
		c.Appears++
	case Disappears:
		c.Disappears++
	case Changes:
		c.Changes++
	}
}

// Options say when to evaluate and what.
type Options struct {
	// Instants are the times both rule sets are evaluated at.
	Instants []time.Time
	// All evaluates every rule, also those the two sets define alike.
	All bool
	// PageSize overrides the engine's page size (0: its default).
	PageSize int
}

// Report is the backtest's result.
type Report struct {
	Instants []time.Time
	// Evaluated are the rules run: changed, or in one set only, or all with
	// Options.All. Unchanged are the rules both sets define alike, skipped.
	Evaluated []string
	Unchanged []string
	OnlyOld   []string
	OnlyNew   []string
	Changes   []*Change
	ByRule    map[string]*Counts
	ByUnit    map[string]*Counts
	// Held counts what each set raises summed over the instants, for scale.
	HeldOld, HeldNew int
}

// Run evaluates old and new at every instant and compares what they raise.
// Nothing is written to the store.
func Run(ctx context.Context, s *store.Store, old, new *rules.RuleSet, opts Options) (*Report, error) {
	if len(opts.Instants) == 0 {
		return nil, fmt.Errorf("backtest: no instants to evaluate at")
	}
	rep := &Report{Instants: opts.Instants, ByRule: map[string]*Counts{}, ByUnit: map[string]*Counts{}}
	sameReasoning := old.SameReasoning(new)
	var oldIDs, newIDs []string
	for _, r := range old.Rules {
		n := new.Rule(r.ID)
		switch {
		case n == nil:
			rep.OnlyOld = append(rep.OnlyOld, r.ID)
			oldIDs = append(oldIDs, r.ID)
		case !opts.All && sameReasoning && n.Fingerprint() == r.Fingerprint():
			rep.Unchanged = append(rep.Unchanged, r.ID)
		default:
			rep.Evaluated = append(rep.Evaluated, r.ID)
			oldIDs = append(oldIDs, r.ID)
			newIDs = append(newIDs, r.ID)
		}
	}
	for _, r := range new.Rules {
		if old.Rule(r.ID) == nil {
			rep.OnlyNew = append(rep.OnlyNew, r.ID)
			newIDs = append(newIDs, r.ID)
		}
	}
	eng := engine.New(s, nil)
	if opts.PageSize > 0 {
		eng.PageSize = opts.PageSize
	}
	changes := map[string]*Change{}
	for _, now := range opts.Instants {
		before, err := holds(ctx, eng, old, now, oldIDs)
		if err != nil {
			return nil, fmt.Errorf("old rules at %s: %w", now.Format(time.RFC3339), err)
		}
		after, err := holds(ctx, eng, new, now, newIDs)
		if err != nil {
			return nil, fmt.Errorf("new rules at %s: %w", now.Format(time.RFC3339), err)
		}
		rep.HeldOld += len(before)
		rep.HeldNew += len(after)
		note := func(kind string, k Key, o, n *engine.Outcome, fields []string) {
			id := kind + "\x00" + k.Kind + "\x00" + k.Rule + "\x00" + k.Subject + "\x00" + k.CaseNo
			c := changes[id]
			if c == nil {
				c = &Change{Change: kind, Key: k, First: now}
				changes[id] = c
			}
			c.Old, c.New, c.Last = o, n, now
			c.Instants++
			for _, f := range fields {
				if !contains(c.Fields, f) {
					c.Fields = append(c.Fields, f)
				}
			}
		}
		for k, n := range after {
			o, ok := before[k]
			if !ok {
				note(Appears, k, nil, n, nil)
				continue
			}
			if fields := differences(o, n); len(fields) > 0 {
				note(Changes, k, o, n, fields)
			}
		}
		for k, o := range before {
			if _, ok := after[k]; !ok {
				note(Disappears, k, o, nil, nil)
			}
		}
	}
	for _, c := range changes {
		rep.Changes = append(rep.Changes, c)
		counts(rep.ByRule, c.Rule).add(c.Change)
		counts(rep.ByUnit, c.Unit()).add(c.Change)
	}
	sort.Slice(rep.Changes, func(i, j int) bool {
		a, b := rep.Changes[i], rep.Changes[j]
		for _, p := range [][2]string{{a.Rule, b.Rule}, {a.Change, b.Change}, {a.Subject, b.Subject}, {a.Kind, b.Kind}, {a.CaseNo, b.CaseNo}} {
			if p[0] != p[1] {
				return p[0] < p[1]
			}
		}
		return false
	})
	return rep, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func counts(m map[string]*Counts, k string) *Counts {
	c := m[k]
	if c == nil {
		c = &Counts{}
		m[k] = c
	}
	return c
}

// holds runs a dry tick of the given rules and collects what they raise.
func holds(ctx context.Context, eng *engine.Engine, rs *rules.RuleSet, now time.Time, ids []string) (map[Key]*engine.Outcome, error) {
	out := map[Key]*engine.Outcome{}
	if len(ids) == 0 {
		return out, nil
	}
	rep, err := eng.Tick(ctx, rs, now, engine.TickOptions{Rules: ids, DryRun: true, OnOutcome: func(o engine.Outcome) {
		k := Key{Kind: o.Kind, Rule: o.Rule, Subject: o.Subject}
		if o.Kind == engine.KindFlag {
			k.CaseNo = o.CaseNo
		}
		out[k] = &o
	}})
	if err != nil {
		return nil, err
	}
	var errs []string
	for _, run := range rep.Runs {
		if run.Errors > 0 {
			errs = append(errs, fmt.Sprintf("rule %s: %d errors, first: %s", run.RuleID, run.Errors, run.FirstError))
		}
	}
	if len(errs) > 0 {
		// A rule that fails on some subjects would show as outcomes
		// disappearing; say so instead.
		return nil, fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return out, nil
}

// differences names the fields that differ between two versions of one outcome.
func differences(o, n *engine.Outcome) []string {
	var out []string
	for _, f := range fieldsOf(o, n) {
		if f[1] != f[2] {
			out = append(out, f[0])
		}
	}
	return out
}

func fieldsOf(o, n *engine.Outcome) [][3]string {
	return [][3]string{{"level", o.Level, n.Level}, {"unit", o.Unit, n.Unit}, {"grade", o.Grade, n.Grade},
		{"flag", o.Flag, n.Flag}, {"title", o.Title, n.Title}, {"reason", o.Reason, n.Reason}}
}

// Describe says what changed, with the last instant's values:
// level "提醒" → "督办".
func (c *Change) Describe() string {
	if c.Old == nil || c.New == nil {
		return ""
	}
	var parts []string
	for _, f := range fieldsOf(c.Old, c.New) {
		if contains(c.Fields, f[0]) {
			parts = append(parts, fmt.Sprintf("%s %q → %q", f[0], f[1], f[2]))
		}
	}
	return strings.Join(parts, "; ")
}

// Days lists the instants at the given time of day (in loc) on every date
// from one to another, both included.
func Days(from, to time.Time, hour, minute int, loc *time.Location) ([]time.Time, error) {
	y, m, d := from.Date()
	start := time.Date(y, m, d, hour, minute, 0, 0, loc)
	y, m, d = to.Date()
	end := time.Date(y, m, d, hour, minute, 0, 0, loc)
	if end.Before(start) {
		return nil, fmt.Errorf("--to %s is before --from %s", to.Format("2006-01-02"), from.Format("2006-01-02"))
	}
	var out []time.Time
	for t := start; !t.After(end); t = t.AddDate(0, 0, 1) {
		out = append(out, t)
		if len(out) > 366 {
			return nil, fmt.Errorf("a backtest covers at most 366 days")
		}
	}
	return out, nil
}
