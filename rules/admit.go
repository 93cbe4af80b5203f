package rules

import (
	"slices"
	"time"
)

// Admits reports whether a subject passes the rule's scope — the conditions a
// store could filter on. The engine reads the union of several rules' scopes
// in one pass, so most subjects it holds are outside most rules' scopes;
// checking that in Go is far cheaper than running the rule's program.
func (r *Rule) Admits(env any) bool {
	if r.admit == nil {
		return true
	}
	return r.admit(env)
}

// compileAdmit turns a scope into a native check, or nil when every subject
// passes (or the scope names something it cannot check here).
func compileAdmit(subject string, scope Scope) func(any) bool {
	if len(scope) == 0 {
		return nil
	}
	var checks []func(any) bool
	for _, c := range scope {
		get := fieldGetter(subject, c.Field)
		if get == nil {
			return nil
		}
		checks = append(checks, condCheck(c, get))
	}
	return func(env any) bool {
		for _, ch := range checks {
			if !ch(env) {
				return false
			}
		}
		return true
	}
}

func condCheck(c Cond, get func(any) any) func(any) bool {
	switch c.Op {
	case "is null":
		return func(env any) bool { return get(env).(time.Time).IsZero() }
	case "is not null":
		return func(env any) bool { return !get(env).(time.Time).IsZero() }
	case "in":
		return func(env any) bool { return slices.Contains(c.Values, get(env)) }
	case "not in":
		return func(env any) bool { return !slices.Contains(c.Values, get(env)) }
	case "=":
		return func(env any) bool { return get(env) == c.Values[0] }
	case "!=":
		return func(env any) bool { return get(env) != c.Values[0] }
	}
	// Order comparisons are on ints (the scope extractor only makes them for ints).
	want, _ := c.Values[0].(int)
	cmp := map[string]func(a, b int) bool{
		"<": func(a, b int) bool { return a < b }, "<=": func(a, b int) bool { return a <= b },
		">": func(a, b int) bool { return a > b }, ">=": func(a, b int) bool { return a >= b },
	}[c.Op]
	if cmp == nil {
		return func(any) bool { return true }
	}
	return func(env any) bool {
		v, ok := get(env).(int)
		return !ok || cmp(v, want)
	}
}

// fieldGetter reads one scope field of the subject in env.
func fieldGetter(subject, field string) func(any) any {
	switch subject {
	case SubjectCase:
		f := caseField(field)
		if f == nil {
			return nil
		}
		return func(env any) any { return f(env.(*CaseEnv).Case) }
	case SubjectSlot:
		var f func(*Slot) any
		switch field {
		case "Leader":
			f = func(s *Slot) any { return s.Leader }
		case "Substitute":
			f = func(s *Slot) any { return s.Substitute }
		case "Location":
			f = func(s *Slot) any { return s.Location }
		case "LeaderAvailable":
			f = func(s *Slot) any { return s.LeaderAvailable }
		default:
			return nil
		}
		return func(env any) any { return f(env.(*SlotEnv).Slot) }
	}
	return nil
}

func caseField(field string) func(*Case) any {
	switch field {
	case "Status":
		return func(c *Case) any { return c.Status }
	case "Channel":
		return func(c *Case) any { return c.Channel }
	case "Category":
		return func(c *Case) any { return c.Category }
	case "AssignedUnit":
		return func(c *Case) any { return c.AssignedUnit }
	case "ReceptionLeader":
		return func(c *Case) any { return c.ReceptionLeader }
	case "PetitionerID":
		return func(c *Case) any { return c.PetitionerID }
	case "Escalated":
		return func(c *Case) any { return c.Escalated }
	case "LawRelated":
		return func(c *Case) any { return c.LawRelated }
	case "GroupSize":
		return func(c *Case) any { return c.GroupSize }
	case "AcceptedAt":
		return func(c *Case) any { return c.AcceptedAt }
	case "AssignedAt":
		return func(c *Case) any { return c.AssignedAt }
	case "DueAt":
		return func(c *Case) any { return c.DueAt }
	case "ExtendedDueAt":
		return func(c *Case) any { return c.ExtendedDueAt }
	case "ClosedAt":
		return func(c *Case) any { return c.ClosedAt }
	case "ReturnVisitAt":
		return func(c *Case) any { return c.ReturnVisitAt }
	}
	return nil
}
