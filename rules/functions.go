package rules

import (
	"fmt"
	"text/template"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"

	"duban/calendar"
)

// Function is one function of the rule language.
type Function struct {
	Name      string
	Signature string
	Doc       string
}

// Functions documents every function rules can call, in the order the guide lists them.
var Functions = []Function{
	{"daysBetween", "daysBetween(a, b time) int", "calendar days from a's date to b's date, in the rule set's time zone"},
	{"daysSince", "daysSince(t time) int", "daysBetween(t, Now)"},
	{"daysUntil", "daysUntil(t time) int", "daysBetween(Now, t)"},
	{"workdaysBetween", "workdaysBetween(a, b time) int", "working days after a's date up to and including b's date (the first day is not counted); holidays and adjusted working weekends (调休) follow the official calendar"},
	{"workdaysSince", "workdaysSince(t time) int", "workdaysBetween(t, Now)"},
	{"isWorkday", "isWorkday(t time) bool", "whether t falls on a working day"},
	{"addDays", "addDays(t time, n int) time", "t moved by n calendar days, same time of day"},
	{"addWorkdays", "addWorkdays(t time, n int) time", "t moved to the n-th working day after its date, same time of day"},
	{"startOfDay", "startOfDay(t time) time", "00:00 of t's date"},
	{"endOfDay", "endOfDay(t time) time", "the last instant of t's date"},
	{"periodEnd", "periodEnd(t time, n int) time", "end of a period of n days from t, civil-code counting: the first day is not counted, and a last day that is not a working day moves to the next working day"},
	{"isZero", "isZero(t time) bool", "whether t is unset; t.IsZero() means the same (and is run as isZero)"},
	{"dueDate", "dueDate(c Case, days int, maxExtensionDays int) time", "the case's deadline: DueAt when set, else periodEnd(AcceptedAt, days); an ExtendedDueAt counts up to maxExtensionDays days past that; zero when neither is known"},
}

// TemplateFunctions are the functions only templates have, for writing
// times the way notices show them.
var TemplateFunctions = []Function{
	{"date", "date(t time) string", "t's date in the rule set's zone, 2006-01-02; — when t is unset"},
	{"datetime", "datetime(t time) string", "t's date and time in the rule set's zone, 2006-01-02 15:04; — when t is unset"},
}

// nowRelative are the functions that read Now; the patcher rewrites them to
// their two-argument form so a compiled program never needs the wall clock.
var nowRelative = map[string]struct {
	target   string
	nowFirst bool
}{
	"daysSince":     {"daysBetween", false},
	"daysUntil":     {"daysBetween", true},
	"workdaysSince": {"workdaysBetween", false},
}

type nowPatcher struct{}

func (nowPatcher) Visit(node *ast.Node) {
	call, ok := (*node).(*ast.CallNode)
	if !ok {
		return
	}
	// t.IsZero() would go through reflection on every run: call isZero(t).
	if m, ok := call.Callee.(*ast.MemberNode); ok && len(call.Arguments) == 0 && !m.Optional {
		if p, ok := m.Property.(*ast.StringNode); ok && p.Value == "IsZero" {
			ast.Patch(node, &ast.CallNode{Callee: &ast.IdentifierNode{Value: "isZero"}, Arguments: []ast.Node{m.Node}})
			return
		}
	}
	id, ok := call.Callee.(*ast.IdentifierNode)
	if !ok {
		return
	}
	rel, ok := nowRelative[id.Value]
	if !ok || len(call.Arguments) != 1 {
		return
	}
	now := &ast.IdentifierNode{Value: "Now"}
	args := []ast.Node{call.Arguments[0], now}
	if rel.nowFirst {
		args = []ast.Node{now, call.Arguments[0]}
	}
	ast.Patch(node, &ast.CallNode{Callee: &ast.IdentifierNode{Value: rel.target}, Arguments: args})
}

// paramPatcher replaces the bare names of a rule's params by their values, so
// that `count >= min_cases` compiles to `count >= 3` and type-checks.
type paramPatcher struct{ params map[string]any }

func (p paramPatcher) Visit(node *ast.Node) {
	id, ok := (*node).(*ast.IdentifierNode)
	if !ok {
		return
	}
	v, ok := p.params[id.Value]
	if !ok {
		return
	}
	switch v := v.(type) {
	case int:
		ast.Patch(node, &ast.IntegerNode{Value: v})
	case float64:
		ast.Patch(node, &ast.FloatNode{Value: v})
	case string:
		ast.Patch(node, &ast.StringNode{Value: v})
	case bool:
		ast.Patch(node, &ast.BoolNode{Value: v})
	default:
		ast.Patch(node, &ast.ConstantNode{Value: v})
	}
}

func asTime(v any) time.Time { return v.(time.Time) }
func asInt(v any) int        { return v.(int) }

// exprFunctions are the calendar-bound functions, typed so the checker knows
// their signatures.
func exprFunctions(cal *calendar.Calendar) []expr.Option {
	t2i := new(func(time.Time, time.Time) int)
	ti2t := new(func(time.Time, int) time.Time)
	t2t := new(func(time.Time) time.Time)
	return []expr.Option{
		expr.Function("daysBetween", func(p ...any) (any, error) {
			return cal.DaysBetween(asTime(p[0]), asTime(p[1])), nil
		}, t2i),
		expr.Function("workdaysBetween", func(p ...any) (any, error) {
			return cal.WorkdaysBetween(asTime(p[0]), asTime(p[1])), nil
		}, t2i),
		expr.Function("isWorkday", func(p ...any) (any, error) {
			return cal.IsWorkday(asTime(p[0])), nil
		}, new(func(time.Time) bool)),
		expr.Function("addDays", func(p ...any) (any, error) {
			return cal.AddDays(asTime(p[0]), asInt(p[1])), nil
		}, ti2t),
		expr.Function("addWorkdays", func(p ...any) (any, error) {
			return cal.AddWorkdays(asTime(p[0]), asInt(p[1])), nil
		}, ti2t),
		expr.Function("startOfDay", func(p ...any) (any, error) {
			return cal.StartOfDay(asTime(p[0])), nil
		}, t2t),
		expr.Function("endOfDay", func(p ...any) (any, error) {
			return cal.EndOfDay(asTime(p[0])), nil
		}, t2t),
		expr.Function("periodEnd", func(p ...any) (any, error) {
			return cal.PeriodEnd(asTime(p[0]), asInt(p[1])), nil
		}, ti2t),
		expr.Function("isZero", func(p ...any) (any, error) {
			return asTime(p[0]).IsZero(), nil
		}, new(func(time.Time) bool)),
		expr.Function("dueDate", func(p ...any) (any, error) {
			return DueDate(cal, p[0].(*Case), asInt(p[1]), asInt(p[2])), nil
		}, new(func(*Case, int, int) time.Time)),
		// Placeholders so the checker accepts the now-relative forms; the
		// patcher rewrites every call before it runs.
		expr.Function("daysSince", unpatched, new(func(time.Time) int)),
		expr.Function("daysUntil", unpatched, new(func(time.Time) int)),
		expr.Function("workdaysSince", unpatched, new(func(time.Time) int)),
		expr.Patch(nowPatcher{}),
	}
}

func unpatched(...any) (any, error) {
	return nil, fmt.Errorf("internal error: now-relative function was not patched")
}

// DueDate is the case's effective deadline (see the dueDate function).
func DueDate(cal *calendar.Calendar, c *Case, days, maxExtensionDays int) time.Time {
	base := c.DueAt
	if base.IsZero() {
		if c.AcceptedAt.IsZero() {
			return time.Time{}
		}
		base = cal.PeriodEnd(c.AcceptedAt, days)
	}
	if !c.ExtendedDueAt.IsZero() && c.ExtendedDueAt.After(base) {
		limit := cal.PeriodEnd(base, maxExtensionDays)
		if c.ExtendedDueAt.Before(limit) {
			return c.ExtendedDueAt
		}
		return limit
	}
	return base
}

// templateFuncs are the functions templates can call, bound to one tick's now.
func templateFuncs(cal *calendar.Calendar, now time.Time) template.FuncMap {
	loc := cal.Location()
	return template.FuncMap{
		"daysBetween":     cal.DaysBetween,
		"daysSince":       func(t time.Time) int { return cal.DaysBetween(t, now) },
		"daysUntil":       func(t time.Time) int { return cal.DaysBetween(now, t) },
		"workdaysBetween": cal.WorkdaysBetween,
		"workdaysSince":   func(t time.Time) int { return cal.WorkdaysBetween(t, now) },
		"isWorkday":       cal.IsWorkday,
		"addDays":         cal.AddDays,
		"addWorkdays":     cal.AddWorkdays,
		"startOfDay":      cal.StartOfDay,
		"endOfDay":        cal.EndOfDay,
		"periodEnd":       cal.PeriodEnd,
		"isZero":          func(t time.Time) bool { return t.IsZero() },
		"dueDate": func(c *Case, days, ext int) time.Time {
			return DueDate(cal, c, days, ext)
		},
		"date": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.In(loc).Format("2006-01-02")
		},
		"datetime": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.In(loc).Format("2006-01-02 15:04")
		},
	}
}
