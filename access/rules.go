package access

import (
	"context"
	"time"

	"duban/models"
	"duban/rules"
	"duban/store"
)

// RuleStatus is one loaded rule with its schedule and its last run.
type RuleStatus struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	Subject     string    `json:"subject"`
	Schedule    string    `json:"schedule"`
	NextRun     time.Time `json:"next_run"`
	File        string    `json:"file"`
	Line        int       `json:"line"`
	Outcomes    []string  `json:"outcomes"` // e.g. 通知 督办, 标记 重复访, 问责 通报批评
	OpenNotices int64     `json:"open_notices"`
	LastRun     *RuleRun  `json:"last_run,omitempty"`
	Warnings    []string  `json:"warnings,omitempty"`
}

// RuleRun is one rule's part of its last tick.
type RuleRun struct {
	TickID         string    `json:"tick" mask:"keep"`
	Now            time.Time `json:"now"` // the instant the rule reasoned about
	StartedAt      time.Time `json:"started_at"`
	DurationMS     int64     `json:"duration_ms"`
	Subjects       int       `json:"subjects"`
	Fired          int       `json:"fired"`
	Raised         int       `json:"raised"`
	Reraised       int       `json:"reraised"`
	Resolved       int       `json:"resolved"`
	Flags          int       `json:"flags"`
	Accountability int       `json:"accountability"`
	Errors         int       `json:"errors"`
	FirstError     string    `json:"first_error,omitempty"`
	Host           string    `json:"host,omitempty"`
}

func ruleRun(r *models.RuleRun) *RuleRun {
	return &RuleRun{TickID: r.TickID, Now: r.Now, StartedAt: r.StartedAt, DurationMS: r.DurationMS, Subjects: r.Subjects,
		Fired: r.Fired, Raised: r.Raised, Reraised: r.Reraised, Resolved: r.Resolved, Flags: r.Flags,
		Accountability: r.Accountability, Errors: r.Errors, FirstError: r.FirstError, Host: r.Host}
}

// RulesStatus is the rule set in force.
type RulesStatus struct {
	Timezone string   `json:"timezone"`
	Files    []string `json:"files"`
	// TestFiles are the rule tests (name_test.yaml) loaded with the set:
	// they hold no rules.
	TestFiles []string     `json:"test_files,omitempty"`
	Rules     []RuleStatus `json:"rules"`
	Warnings  []string     `json:"warnings,omitempty"`
	// LoadError is the last failed reload, when the source reports one:
	// the rules shown are still those in force.
	LoadError string `json:"load_error,omitempty"`
}

// LoadErrorer is implemented by a rule source that reloads files and can say
// why its last reload failed (the set in force stays the previous one).
type LoadErrorer interface {
	LoadError() error
}

// Rules describes the rule set in force, with each rule's last run.
func (s *Service) Rules(ctx context.Context) (*RulesStatus, error) {
	rs := s.RuleSource.Current()
	out := &RulesStatus{Rules: []RuleStatus{}, Files: []string{}}
	if le, ok := s.RuleSource.(LoadErrorer); ok {
		if err := le.LoadError(); err != nil {
			out.LoadError = err.Error()
		}
	}
	if rs == nil {
		return outgoing(nil, out), nil
	}
	out.Timezone = rs.Location.String()
	for _, f := range rs.Files {
		if rules.IsTestFile(f) {
			out.TestFiles = append(out.TestFiles, f)
		} else {
			out.Files = append(out.Files, f)
		}
	}
	runs, err := s.Store.LastRuleRuns(ctx)
	if err != nil {
		return nil, err
	}
	open, err := s.Store.OpenNoticesByRule(ctx)
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	for _, w := range rs.Warnings {
		if w.RuleID == "" {
			out.Warnings = append(out.Warnings, w.String())
		}
	}
	for _, r := range rs.Rules {
		st := RuleStatus{ID: r.ID, Name: r.Name, Description: r.Description, Subject: r.Subject, Schedule: r.Schedule,
			NextRun: r.Next(now.In(rs.Location)), File: r.File, Line: r.Line, Outcomes: outcomes(r), OpenNotices: open[r.ID]}
		if run, ok := runs[r.ID]; ok {
			st.LastRun = ruleRun(&run)
		}
		for _, w := range rs.Warnings {
			if w.RuleID == r.ID {
				st.Warnings = append(st.Warnings, w.String())
			}
		}
		out.Rules = append(out.Rules, st)
	}
	// A rule error can quote a subject's data; no one who reads the rules'
	// status handles a case.
	return outgoing(nil, out), nil
}

func outcomes(r *rules.Rule) []string {
	out := []string{}
	if r.Notice != nil {
		out = append(out, "通知 "+r.Notice.Level)
	}
	if r.Flag != nil {
		out = append(out, "标记 "+r.Flag.Label)
	}
	if r.Accountability != nil {
		out = append(out, "问责 "+r.Accountability.Grade)
	}
	return out
}

// scoreOptions reckons deadlines with the rules' own parameters: the
// handling and extension days of the deadline rule in force.
func (s *Service) scoreOptions(units []string) store.ScoreOptions {
	opts := store.ScoreOptions{HandlingDays: 60, MaxExtensionDays: 30, Now: s.Clock.Now(), Units: units}
	rs := s.RuleSource.Current()
	if rs == nil {
		return opts
	}
	opts.Calendar = rs.Calendar
	for _, id := range []string{"deadline.breach", "deadline.accountability", "deadline.warning"} {
		if r := rs.Rule(id); r != nil {
			if v, ok := intParam(r.Params["handling_days"]); ok {
				opts.HandlingDays = v
			}
			if v, ok := intParam(r.Params["max_extension_days"]); ok {
				opts.MaxExtensionDays = v
			}
			break
		}
	}
	return opts
}

func intParam(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case int64:
		return int(n), true
	case uint64:
		return int(n), true
	case float64:
		return int(n), true
	}
	return 0, false
}
