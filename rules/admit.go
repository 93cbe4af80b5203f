package rules

import "slices"

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
// passes (or the scope names something it cannot check here). The checks
// read typed fields: no value is boxed per subject.
func compileAdmit(subject string, scope Scope) func(any) bool {
	if len(scope) == 0 {
		return nil
	}
	var checks []func(any) bool
	for _, c := range scope {
		var ch func(any) bool
		switch subject {
		case SubjectCase:
			ch = caseCheck(c)
		case SubjectSlot:
			ch = slotCheck(c)
		}
		if ch == nil {
			return nil
		}
		checks = append(checks, ch)
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

func caseCheck(c Cond) func(any) bool {
	cs := func(env any) *Case { return env.(*CaseEnv).Case }
	if get := caseString(c.Field); get != nil {
		if m := stringMatch(c); m != nil {
			return func(env any) bool { return m(get(cs(env))) }
		}
		return nil
	}
	if get := caseBool(c.Field); get != nil {
		if m := boolMatch(c); m != nil {
			return func(env any) bool { return m(get(cs(env))) }
		}
		return nil
	}
	if c.Field == "GroupSize" {
		if m := intMatch(c); m != nil {
			return func(env any) bool { return m(cs(env).GroupSize) }
		}
		return nil
	}
	if get := caseTime(c.Field); get != nil {
		switch c.Op {
		case "is null":
			return func(env any) bool { return get(cs(env)) }
		case "is not null":
			return func(env any) bool { return !get(cs(env)) }
		}
	}
	return nil
}

func slotCheck(c Cond) func(any) bool {
	sl := func(env any) *Slot { return env.(*SlotEnv).Slot }
	var get func(*Slot) string
	switch c.Field {
	case "Leader":
		get = func(s *Slot) string { return s.Leader }
	case "Substitute":
		get = func(s *Slot) string { return s.Substitute }
	case "Location":
		get = func(s *Slot) string { return s.Location }
	case "LeaderAvailable":
		if m := boolMatch(c); m != nil {
			return func(env any) bool { return m(sl(env).LeaderAvailable) }
		}
		return nil
	}
	if get == nil {
		return nil
	}
	if m := stringMatch(c); m != nil {
		return func(env any) bool { return m(get(sl(env))) }
	}
	return nil
}

func stringMatch(c Cond) func(string) bool {
	var vals []string
	for _, v := range c.Values {
		s, ok := v.(string)
		if !ok {
			return nil
		}
		vals = append(vals, s)
	}
	switch {
	case c.Op == "=" && len(vals) == 1:
		return func(s string) bool { return s == vals[0] }
	case c.Op == "!=" && len(vals) == 1:
		return func(s string) bool { return s != vals[0] }
	case c.Op == "in":
		return func(s string) bool { return slices.Contains(vals, s) }
	case c.Op == "not in":
		return func(s string) bool { return !slices.Contains(vals, s) }
	}
	return nil
}

func boolMatch(c Cond) func(bool) bool {
	if len(c.Values) != 1 {
		return nil
	}
	want, ok := c.Values[0].(bool)
	if !ok {
		return nil
	}
	switch c.Op {
	case "=":
		return func(b bool) bool { return b == want }
	case "!=":
		return func(b bool) bool { return b != want }
	}
	return nil
}

func intMatch(c Cond) func(int) bool {
	if c.Op == "in" || c.Op == "not in" {
		var vals []int
		for _, v := range c.Values {
			n, ok := v.(int)
			if !ok {
				return nil
			}
			vals = append(vals, n)
		}
		if c.Op == "in" {
			return func(n int) bool { return slices.Contains(vals, n) }
		}
		return func(n int) bool { return !slices.Contains(vals, n) }
	}
	if len(c.Values) != 1 {
		return nil
	}
	want, ok := c.Values[0].(int)
	if !ok {
		return nil
	}
	switch c.Op {
	case "=":
		return func(n int) bool { return n == want }
	case "!=":
		return func(n int) bool { return n != want }
	case "<":
		return func(n int) bool { return n < want }
	case "<=":
		return func(n int) bool { return n <= want }
	case ">":
		return func(n int) bool { return n > want }
	case ">=":
		return func(n int) bool { return n >= want }
	}
	return nil
}

func caseString(field string) func(*Case) string {
	switch field {
	case "Status":
		return func(c *Case) string { return c.Status }
	case "Channel":
		return func(c *Case) string { return c.Channel }
	case "Category":
		return func(c *Case) string { return c.Category }
	case "AssignedUnit":
		return func(c *Case) string { return c.AssignedUnit }
	case "ReceptionLeader":
		return func(c *Case) string { return c.ReceptionLeader }
	case "PetitionerID":
		return func(c *Case) string { return c.PetitionerID }
	}
	return nil
}

func caseBool(field string) func(*Case) bool {
	switch field {
	case "Escalated":
		return func(c *Case) bool { return c.Escalated }
	case "LawRelated":
		return func(c *Case) bool { return c.LawRelated }
	}
	return nil
}

// caseTime reports whether a time field is unset.
func caseTime(field string) func(*Case) bool {
	switch field {
	case "AcceptedAt":
		return func(c *Case) bool { return c.AcceptedAt.IsZero() }
	case "AssignedAt":
		return func(c *Case) bool { return c.AssignedAt.IsZero() }
	case "DueAt":
		return func(c *Case) bool { return c.DueAt.IsZero() }
	case "ExtendedDueAt":
		return func(c *Case) bool { return c.ExtendedDueAt.IsZero() }
	case "ClosedAt":
		return func(c *Case) bool { return c.ClosedAt.IsZero() }
	case "ReturnVisitAt":
		return func(c *Case) bool { return c.ReturnVisitAt.IsZero() }
	}
	return nil
}
