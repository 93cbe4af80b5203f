package rules

import (
	"fmt"
	"text/template"
	"time"

	"github.com/expr-lang/expr/vm"
)

// Evaluator runs compiled rules. It owns a VM, so each goroutine needs its
// own; programs themselves are shared.
type Evaluator struct {
	vm vm.VM
	// Bounds limit each evaluation; the zero value is production's.
	Bounds Bounds
}

// run runs a program on env with a fresh evaluation budget.
func (e *Evaluator) run(p *vm.Program, env any) (any, error) {
	resetBudget(env, e.Bounds)
	return e.vm.Run(p, env)
}

// Holds reports whether the rule's condition holds for env (a *CaseEnv,
// *PetitionerEnv or *SlotEnv matching the rule's subject).
func (e *Evaluator) Holds(r *Rule, env any) (bool, error) {
	out, err := e.run(r.when, env)
	if err != nil {
		return false, fmt.Errorf("rule %s: %w", r.ID, err)
	}
	b, ok := out.(bool)
	if !ok {
		return false, fmt.Errorf("rule %s: condition gave %T, not a boolean", r.ID, out)
	}
	return b, nil
}

// Tick is a rule set bound to one instant: its templates render with that now.
type Tick struct {
	Set       *RuleSet
	Now       time.Time
	templates map[*Rule]tickTemplates
}

type tickTemplates struct {
	title, body, reason *template.Template
}

// At binds the rule set to now for rendering outcomes.
func (rs *RuleSet) At(now time.Time) *Tick {
	t := &Tick{Set: rs, Now: now, templates: make(map[*Rule]tickTemplates, len(rs.Rules))}
	funcs := templateFuncs(rs.Calendar, now)
	bind := func(tp *template.Template) *template.Template {
		if tp == nil {
			return nil
		}
		c := template.Must(tp.Clone())
		return c.Funcs(funcs)
	}
	for _, r := range rs.Rules {
		var tt tickTemplates
		if r.Notice != nil {
			tt.title, tt.body = bind(r.Notice.title), bind(r.Notice.body)
		}
		if r.Accountability != nil {
			tt.reason = bind(r.Accountability.reason)
		}
		t.templates[r] = tt
	}
	return t
}

// Raised is what a rule raises for one subject.
type Raised struct {
	Notice         *NoticeOutcome
	Flag           *FlagOutcome
	Accountability *AccountabilityOutcome
	Evidence       Evidence
}

// NoticeOutcome is a rendered notice.
type NoticeOutcome struct {
	Level      string
	Title      string
	Body       string
	Recipients []string // unit codes and groups, in the rule's order, without blanks or repeats
	Repeat     time.Duration
}

// FlagOutcome is a rendered flag.
type FlagOutcome struct {
	Label   string
	CaseNos []string
}

// AccountabilityOutcome is a rendered accountability record.
type AccountabilityOutcome struct {
	Unit   string
	Grade  string
	Reason string
}

// Render works out everything the rule raises for a subject its condition
// holds for. caseNo is the subject case for case rules ("" otherwise).
func (t *Tick) Render(e *Evaluator, r *Rule, env any, subjectKey, caseNo string) (*Raised, error) {
	tt := t.templates[r]
	out := &Raised{Evidence: t.Explain(e, r, env, subjectKey)}
	if n := r.Notice; n != nil {
		no := &NoticeOutcome{Level: n.Level, Repeat: n.Repeat}
		seen := map[string]bool{}
		for _, rcp := range n.To {
			v, err := e.recipient(rcp, env)
			if err != nil {
				return nil, fmt.Errorf("rule %s: to %s: %w", r.ID, rcp.Source, err)
			}
			if v != "" && !seen[v] {
				seen[v] = true
				no.Recipients = append(no.Recipients, v)
			}
		}
		var err error
		if no.Title, err = execute(tt.title, env, maxTitleBytes); err != nil {
			return nil, fmt.Errorf("rule %s: title: %w", r.ID, err)
		}
		if tt.body != nil {
			if no.Body, err = execute(tt.body, env, maxBodyBytes); err != nil {
				return nil, fmt.Errorf("rule %s: body: %w", r.ID, err)
			}
		}
		out.Notice = no
	}
	if f := r.Flag; f != nil {
		fo := &FlagOutcome{Label: f.Label}
		if f.cases == nil {
			if caseNo != "" {
				fo.CaseNos = []string{caseNo}
			}
		} else {
			v, err := e.run(f.cases, env)
			if err != nil {
				return nil, fmt.Errorf("rule %s: flag cases: %w", r.ID, err)
			}
			list, err := stringList(v)
			if err != nil {
				return nil, fmt.Errorf("rule %s: flag cases: %w", r.ID, err)
			}
			fo.CaseNos = list
		}
		out.Flag = fo
	}
	if a := r.Accountability; a != nil {
		unit, err := e.recipient(a.Against, env)
		if err != nil {
			return nil, fmt.Errorf("rule %s: against %s: %w", r.ID, a.Against.Source, err)
		}
		reason, err := execute(tt.reason, env, maxReasonBytes)
		if err != nil {
			return nil, fmt.Errorf("rule %s: reason: %w", r.ID, err)
		}
		out.Accountability = &AccountabilityOutcome{Unit: unit, Grade: a.Grade, Reason: reason}
	}
	return out, nil
}

func (e *Evaluator) recipient(r Recipient, env any) (string, error) {
	if r.program == nil {
		return r.Literal, nil
	}
	v, err := e.run(r.program, env)
	if err != nil {
		return "", err
	}
	s, _ := v.(string)
	return s, nil
}

func stringList(v any) ([]string, error) {
	switch l := v.(type) {
	case []string:
		return l, nil
	case []any:
		out := make([]string, 0, len(l))
		for _, e := range l {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("list holds %T, want case numbers (strings)", e)
			}
			out = append(out, s)
		}
		return out, nil
	case nil:
		return nil, nil
	}
	return nil, fmt.Errorf("gave %T, want a list of case numbers", v)
}

// Explain evaluates every part of the rule's condition for env.
func (t *Tick) Explain(e *Evaluator, r *Rule, env any, subjectKey string) Evidence {
	ev := Evidence{Rule: r.ID, Subject: subjectKey, When: r.When, Now: formatValue(t.Now, t.Set.Location)}
	holds, err := e.Holds(r, env)
	ev.Result = holds
	if err != nil {
		ev.Error = err.Error()
	}
	ex := r.explain
	if ex == nil || len(ex.subs) == 0 {
		return ev
	}
	ev.Values = make([]Value, len(ex.subs))
	var all []any
	if ex.all != nil {
		if out, err := e.run(ex.all, env); err == nil {
			all, _ = out.([]any)
		}
	}
	for i, s := range ex.subs {
		var v any
		var err error
		if len(all) == len(ex.subs) {
			v = all[i]
		} else {
			v, err = e.run(s.program, env)
		}
		text := formatValue(v, t.Set.Location)
		if err != nil {
			text = "error: " + err.Error()
		}
		ev.Values[i] = Value{Expr: s.text, Value: text, Part: s.part}
	}
	return ev
}

// FlagCases lists the cases a petitioner rule's flag labels for env, for
// episodes already open whose petitioner brought new cases.
func (t *Tick) FlagCases(e *Evaluator, r *Rule, env any) ([]string, error) {
	if r.Flag == nil || r.Flag.cases == nil {
		return nil, nil
	}
	v, err := e.run(r.Flag.cases, env)
	if err != nil {
		return nil, fmt.Errorf("rule %s: flag cases: %w", r.ID, err)
	}
	return stringList(v)
}
