package rules

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"duban/clock"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
)

// A rule file is written by people and must not be able to hang or exhaust
// the engine, by mistake or otherwise. Loading bounds the size of what it
// compiles (maxExprNodes, maxExprBytes, the YAML guards); evaluation is
// bounded here: each run of a compiled expression on one subject may take
// at most maxEvalSteps iterations of its loops (all, any, map, filter,
// reduce, ... — nested ones multiply) and DefaultEvalTime (Bounds.Time
// when set), and the built-in
// functions that multiply text (repeat, replace, join) refuse results
// longer than maxTextBytes. expr's own memory budget bounds the arrays and
// ranges an expression builds.
const (
	maxEvalSteps = 1_000_000
	maxTextBytes = 1 << 20
	maxExprBytes = 16 << 10
	// checkEvery is how many steps pass between two looks at the clock.
	checkEvery = 1024
)

// DefaultEvalTime is how long one evaluation on one subject may take when
// Bounds.Time is not set.
const DefaultEvalTime = time.Second

// Bounds are the limits of one evaluation that are not fixed in the
// language. The zero value is what production runs with.
type Bounds struct {
	// Time is the longest one evaluation on one subject may take; zero means
	// DefaultEvalTime.
	Time time.Duration
	// Clock measures Time; nil means the wall clock. Tests pass one they
	// move themselves, so whether the time bound trips never depends on how
	// fast the machine is.
	Clock clock.Clock
}

func (b Bounds) limit() time.Duration {
	if b.Time > 0 {
		return b.Time
	}
	return DefaultEvalTime
}

func (b Bounds) clock() clock.Clock {
	if b.Clock != nil {
		return b.Clock
	}
	return clock.Real{}
}

// tooSlowText starts every error of the time bound (the limit follows).
const tooSlowText = "the condition took longer than "

var errTooManySteps = fmt.Errorf("the condition loops more than %d times for one subject; simplify it", maxEvalSteps)

func errTooSlow(limit time.Duration) error {
	return fmt.Errorf("%s%s for one subject; simplify it", tooSlowText, limit)
}

// budget is what one evaluation has spent.
type budget struct {
	steps    int
	bounds   Bounds
	deadline time.Time // set at the first look at the clock
}

// budgeted is an env that carries a budget (every env type does).
type budgeted interface{ evalBudget() *budget }

func (e *CaseEnv) evalBudget() *budget       { return &e.budget }
func (e *PetitionerEnv) evalBudget() *budget { return &e.budget }
func (e *SlotEnv) evalBudget() *budget       { return &e.budget }

// resetBudget starts a new evaluation on env within bounds.
func resetBudget(env any, bounds Bounds) {
	if b, ok := env.(budgeted); ok {
		*b.evalBudget() = budget{bounds: bounds}
	}
}

// step spends one loop iteration.
func (b *budget) step() error {
	b.steps++
	if b.steps > maxEvalSteps {
		return errTooManySteps
	}
	if b.steps%checkEvery == 0 {
		now := b.bounds.clock().Now()
		switch {
		case b.deadline.IsZero():
			// Evaluations that loop less than checkEvery times never read the clock.
			b.deadline = now.Add(b.bounds.limit())
		case now.After(b.deadline):
			return errTooSlow(b.bounds.limit())
		}
	}
	return nil
}

// stepFunc is the function the budget patcher puts in every loop body.
const stepFunc = "__step"

// stepPatcher makes every predicate (the body of all, any, map, filter,
// reduce, sortBy, ...) spend a step of the env's budget first:
// `let __stepN = __step($env); body`, which keeps the body's type.
type stepPatcher struct{ n *int }

func (p stepPatcher) Visit(node *ast.Node) {
	pred, ok := (*node).(*ast.PredicateNode)
	if !ok {
		return
	}
	if decl, ok := pred.Node.(*ast.VariableDeclaratorNode); ok && strings.HasPrefix(decl.Name, stepFunc) {
		return // patched already
	}
	*p.n++
	call := &ast.CallNode{Callee: &ast.IdentifierNode{Value: stepFunc}, Arguments: []ast.Node{&ast.IdentifierNode{Value: "$env"}}}
	pred.Node = &ast.VariableDeclaratorNode{Name: fmt.Sprintf("%s%d", stepFunc, *p.n), Value: call, Expr: pred.Node}
}

// budgetOptions are the compile options that bound evaluation.
func budgetOptions() []expr.Option {
	return []expr.Option{
		expr.Function(stepFunc, func(p ...any) (any, error) {
			if b, ok := p[0].(budgeted); ok {
				if err := b.evalBudget().step(); err != nil {
					return nil, err
				}
			}
			return true, nil
		}, new(func(any) bool)),
		expr.Patch(stepPatcher{n: new(int)}),
		expr.DisableBuiltin("repeat"),
		expr.DisableBuiltin("replace"),
		expr.DisableBuiltin("join"),
		expr.Function("repeat", func(p ...any) (any, error) {
			s, n := p[0].(string), p[1].(int)
			if n < 0 {
				return nil, fmt.Errorf("repeat: negative count %d", n)
			}
			if n > 0 && len(s) > maxTextBytes/n {
				return nil, textTooLong("repeat")
			}
			return strings.Repeat(s, n), nil
		}, new(func(string, int) string)),
		expr.Function("replace", func(p ...any) (any, error) {
			s, old, repl := p[0].(string), p[1].(string), p[2].(string)
			count := 1 + utf8.RuneCountInString(s)
			if old != "" {
				count = strings.Count(s, old)
			}
			if grow := len(repl) - len(old); grow > 0 && count > 0 && grow > (maxTextBytes-len(s))/count {
				return nil, textTooLong("replace")
			}
			return strings.ReplaceAll(s, old, repl), nil
		}, new(func(string, string, string) string)),
		expr.Function("join", func(p ...any) (any, error) {
			list, ok := p[0].([]any)
			if !ok {
				if ss, isStrings := p[0].([]string); isStrings {
					list = make([]any, len(ss))
					for i, s := range ss {
						list[i] = s
					}
				} else {
					return nil, fmt.Errorf("join: want a list of strings, not %T", p[0])
				}
			}
			sep := ""
			if len(p) > 1 {
				sep = p[1].(string)
			}
			var b strings.Builder
			for i, v := range list {
				s, ok := v.(string)
				if !ok {
					return nil, fmt.Errorf("join: element %d is %T, not a string", i, v)
				}
				if i > 0 {
					b.WriteString(sep)
				}
				b.WriteString(s)
				if b.Len() > maxTextBytes {
					return nil, textTooLong("join")
				}
			}
			return b.String(), nil
		}, new(func([]any, string) string), new(func([]any) string), new(func([]string, string) string), new(func([]string) string)),
	}
}

func textTooLong(fn string) error {
	return fmt.Errorf("%s: the result would be longer than %d bytes", fn, maxTextBytes)
}

// isBudgetError tells whether an evaluation stopped on its budget.
func isBudgetError(err error) bool {
	return errors.Is(err, errTooManySteps) ||
		(err != nil && (strings.Contains(err.Error(), errTooManySteps.Error()) || strings.Contains(err.Error(), tooSlowText) ||
			strings.Contains(err.Error(), "memory budget exceeded")))
}

// budgetMessage is a budget error without the expression dump expr adds.
func budgetMessage(err error) string {
	msg := err.Error()
	if strings.Contains(msg, errTooManySteps.Error()) {
		return errTooManySteps.Error()
	}
	if i := strings.Index(msg, tooSlowText); i >= 0 {
		msg = msg[i:]
		if j := strings.Index(msg, "; simplify it"); j >= 0 {
			return msg[:j+len("; simplify it")]
		}
		return msg
	}
	return "the condition builds lists or texts too large for one subject (memory budget exceeded); simplify it"
}
