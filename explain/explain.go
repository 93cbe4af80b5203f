// Package explain says why a rule does or does not fire for one subject: it
// loads the case, petitioner or reception slot from the store as a tick
// would, evaluates every part of the rule's condition, and, when it holds,
// renders what the rule would raise. Nothing is written.
package explain

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"duban/keys"
	"duban/rules"
	"duban/store"
)

// Result is the explanation of one rule for one subject.
type Result struct {
	Rule     *rules.Rule    `json:"-"`
	Evidence rules.Evidence `json:"evidence"`
	// Raised is what the rule would raise (nil when it does not hold).
	Raised *rules.Raised `json:"-"`
	// Note explains how the subject was found, when not directly (the
	// petitioner of a case given for a petitioner rule).
	Note string `json:"note,omitempty"`
	// Cases are, for a petitioner rule, the cases the rule sees: those of
	// its window, oldest first.
	Cases []rules.CaseBrief `json:"cases,omitempty"`
	// Since is where the window starts (zero: no window).
	Since time.Time `json:"since,omitempty"`
}

// Subject explains rule ruleID for the subject key at now: a case number
// for case rules, a petitioner id (or one of their case numbers) for
// petitioner rules, date/leader for reception-slot rules.
func Subject(ctx context.Context, s *store.Store, rs *rules.RuleSet, ruleID, key string, now time.Time) (*Result, error) {
	r := rs.Rule(ruleID)
	if r == nil {
		return nil, unknownRule(rs, ruleID)
	}
	res := &Result{Rule: r}
	var env any
	caseNo := ""
	switch r.Subject {
	case rules.SubjectCase, rules.SubjectPetitioner:
		// a subject is read as the key it names is everywhere (keys); a
		// petitioner id and a case number share their allowed set
		k, err := keys.Petitioner(key)
		if r.Subject == rules.SubjectCase {
			k, err = keys.CaseNo(key)
		}
		if err != nil {
			return nil, fmt.Errorf("SUBJECT: %w", err)
		}
		key = k
	case rules.SubjectSlot:
		if date, leader, ok := strings.Cut(key, "/"); ok {
			l, err := keys.Leader(leader)
			if err != nil {
				return nil, fmt.Errorf("SUBJECT: %w", err)
			}
			key = strings.TrimSpace(date) + "/" + l
		}
	}
	switch r.Subject {
	case rules.SubjectCase:
		c, err := s.CaseSubject(ctx, key)
		if err != nil {
			return nil, err
		}
		env, caseNo = &rules.CaseEnv{Now: now, Case: c, Params: r.Params}, c.CaseNo
	case rules.SubjectPetitioner:
		since := time.Time{}
		if r.Window > 0 {
			since = now.Add(-r.Window)
		}
		p, err := s.PetitionerSubject(ctx, key, since)
		if errors.Is(err, store.ErrNotFound) {
			// Perhaps a case number: explain for its petitioner.
			if c, cerr := s.CaseSubject(ctx, key); cerr == nil && c.PetitionerID != "" {
				res.Note = fmt.Sprintf("case %s is petitioner %s's", key, c.PetitionerID)
				key = c.PetitionerID
				p, err = s.PetitionerSubject(ctx, key, since)
			}
		}
		if errors.Is(err, store.ErrNotFound) && r.Window > 0 {
			return nil, fmt.Errorf("petitioner %s has no case received since %s (the rule's %s window): the rule does not see them",
				key, since.In(rs.Location).Format("2006-01-02 15:04"), rules.FormatDuration(r.Window))
		}
		if err != nil {
			return nil, err
		}
		key = p.ID
		res.Cases, res.Since = p.Cases, since
		env = &rules.PetitionerEnv{Now: now, Petitioner: p, Params: r.Params}
	case rules.SubjectSlot:
		sl, err := s.SlotSubject(ctx, key, rs.Location)
		if err != nil {
			return nil, err
		}
		key = sl.Key
		env = &rules.SlotEnv{Now: now, Slot: sl, Params: r.Params}
	default:
		return nil, fmt.Errorf("rule %s: unknown subject %q", r.ID, r.Subject)
	}
	tick := rs.At(now)
	eval := &rules.Evaluator{}
	res.Evidence = tick.Explain(eval, r, env, key)
	if res.Evidence.Result {
		raised, err := tick.Render(eval, r, env, key, caseNo)
		if err != nil {
			return nil, err
		}
		res.Raised = raised
	}
	return res, nil
}

func unknownRule(rs *rules.RuleSet, id string) error {
	ids := make([]string, 0, len(rs.Rules))
	for _, r := range rs.Rules {
		ids = append(ids, r.ID)
	}
	sort.Strings(ids)
	return fmt.Errorf("no rule %q in the rule set (rules: %s)", id, strings.Join(ids, ", "))
}

// WouldRaise describes in lines what a rule would raise.
func WouldRaise(r *rules.Raised) []string {
	if r == nil {
		return nil
	}
	var out []string
	if n := r.Notice; n != nil {
		line := fmt.Sprintf("notice %s to %s: %s", n.Level, strings.Join(n.Recipients, ", "), n.Title)
		if n.Repeat > 0 {
			line += fmt.Sprintf(" (repeated every %s while it holds)", rules.FormatDuration(n.Repeat))
		}
		out = append(out, line)
	}
	if f := r.Flag; f != nil {
		out = append(out, fmt.Sprintf("flag %s on %s", f.Label, strings.Join(f.CaseNos, ", ")))
	}
	if a := r.Accountability; a != nil {
		out = append(out, fmt.Sprintf("accountability %s against %s: %s", a.Grade, a.Unit, a.Reason))
	}
	return out
}
