package rules

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"time"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"
)

// How a rule's condition depends on Now decides whether a later tick can
// skip subjects that did not change (an incremental tick) or must look at
// every subject again.
//
//   - A rule that never reads Now only changes its mind when its subject changes.
//   - Now compared with a value of the subject (Now > due) changes the answer
//     at that value: a breakpoint, computed per subject and remembered.
//   - Now as an argument of a day-counting function (daysUntil(due),
//     workdaysSince(x)) changes the answer only at local midnight.
//   - Anything else (Now - x > duration("72h"), Now.Hour()) is not analysed:
//     such a rule is evaluated on every subject at every tick.
type TimeUse struct {
	// ByDay is set when the condition counts days from Now: its answer may
	// change at every local midnight.
	ByDay bool
	// Opaque is set when Now is used in a way the engine cannot follow.
	Opaque bool
	// breakpoints are the values Now is compared with, compiled to run on a
	// subject; when Now passes one, the condition may change.
	breakpoints []*vm.Program
}

// Incremental reports whether the rule can be skipped for unchanged
// subjects between its breakpoints (and, when ByDay, within a day).
func (tu TimeUse) Incremental() bool { return !tu.Opaque }

// dayFunctions only look at Now's date.
var dayFunctions = map[string]bool{
	"daysBetween": true, "workdaysBetween": true, "isWorkday": true, "startOfDay": true, "endOfDay": true,
	"daysSince": true, "daysUntil": true, "workdaysSince": true,
}

var comparisons = map[string]bool{"<": true, "<=": true, ">": true, ">=": true, "==": true, "!=": true}

// analyseTime classifies a condition's use of Now and compiles each value Now
// is compared with (behind the condition's let declarations).
func (rc *ruleCompile) analyseTime(src string) TimeUse {
	tree, err := parser.Parse(src)
	if err != nil {
		return TimeUse{Opaque: true}
	}
	var tu TimeUse
	var prefix string
	body := tree.Node
	var operands []ast.Node
	var walk func(n ast.Node, parent ast.Node)
	walk = func(n ast.Node, parent ast.Node) {
		switch n := n.(type) {
		case *ast.IdentifierNode:
			if n.Value != "Now" {
				return
			}
			switch p := parent.(type) {
			case *ast.BinaryNode:
				if comparisons[p.Operator] {
					other := p.Right
					if p.Right == n {
						other = p.Left
					}
					if !usesNow(other) {
						operands = append(operands, other)
						return
					}
				}
			case *ast.CallNode:
				if id, ok := p.Callee.(*ast.IdentifierNode); ok && dayFunctions[id.Value] {
					tu.ByDay = true
					return
				}
			}
			tu.Opaque = true
		case *ast.CallNode:
			if id, ok := n.Callee.(*ast.IdentifierNode); ok {
				if _, rel := nowRelative[id.Value]; rel {
					tu.ByDay = true
				}
			}
			walk(n.Callee, n)
			for _, a := range n.Arguments {
				walk(a, n)
			}
		case *ast.BinaryNode:
			walk(n.Left, n)
			walk(n.Right, n)
		case *ast.UnaryNode:
			walk(n.Node, n)
		case *ast.MemberNode:
			walk(n.Node, n)
		case *ast.ChainNode:
			walk(n.Node, n)
		case *ast.BuiltinNode:
			for _, a := range n.Arguments {
				walk(a, n)
			}
		case *ast.ConditionalNode:
			walk(n.Cond, n)
			walk(n.Exp1, n)
			walk(n.Exp2, n)
		case *ast.ArrayNode:
			for _, e := range n.Nodes {
				walk(e, n)
			}
		case *ast.MapNode:
			for _, p := range n.Pairs {
				walk(p, n)
			}
		case *ast.PairNode:
			walk(n.Key, n)
			walk(n.Value, n)
		case *ast.PredicateNode:
			walk(n.Node, n)
		case *ast.SliceNode:
			walk(n.Node, n)
			if n.From != nil {
				walk(n.From, n)
			}
			if n.To != nil {
				walk(n.To, n)
			}
		case *ast.SequenceNode:
			for _, e := range n.Nodes {
				walk(e, n)
			}
		case *ast.VariableDeclaratorNode:
			walk(n.Value, n)
			walk(n.Expr, n)
		}
	}
	for {
		decl, ok := body.(*ast.VariableDeclaratorNode)
		if !ok {
			break
		}
		if usesNow(decl.Value) {
			// A variable computed from Now would need its own analysis.
			return TimeUse{Opaque: true}
		}
		prefix += fmt.Sprintf("let %s = %s; ", decl.Name, decl.Value.String())
		body = decl.Expr
	}
	walk(body, nil)
	if tu.Opaque {
		return tu
	}
	for _, op := range operands {
		prog, err := rc.compileExpr(Src{Text: prefix + op.String()})
		if err != nil {
			return TimeUse{Opaque: true}
		}
		if t := prog.Node().Type(); t != nil && t != timeType {
			return TimeUse{Opaque: true}
		}
		tu.breakpoints = append(tu.breakpoints, prog)
	}
	return tu
}

var timeType = reflect.TypeOf(time.Time{})

// usesNow reports whether an expression reads Now, directly or through a
// now-relative function.
func usesNow(n ast.Node) bool {
	found := false
	ast.Walk(&n, visitorFunc(func(node *ast.Node) {
		switch x := (*node).(type) {
		case *ast.IdentifierNode:
			if x.Value == "Now" {
				found = true
			}
		case *ast.CallNode:
			if id, ok := x.Callee.(*ast.IdentifierNode); ok {
				if _, rel := nowRelative[id.Value]; rel {
					found = true
				}
			}
		}
	}))
	return found
}

type visitorFunc func(*ast.Node)

func (f visitorFunc) Visit(n *ast.Node) { f(n) }

// Breakpoints appends to out the instants in (after, until] at which the
// rule's condition may change for the subject in env.
func (e *Evaluator) Breakpoints(r *Rule, env any, after, until time.Time, out []time.Time) []time.Time {
	for _, p := range r.Time.breakpoints {
		v, err := e.run(p, env)
		if err != nil {
			continue
		}
		if t, ok := v.(time.Time); ok && t.After(after) && !t.After(until) {
			out = append(out, t)
		}
	}
	return out
}

// StateKey identifies how a rule reasons in this rule set: its fingerprint,
// the zone and the working-day calendar. A tick may only build on an earlier
// tick's work for a rule whose state key did not change between them.
func (rs *RuleSet) StateKey(r *Rule) string {
	rs.calOnce.Do(func() {
		b, _ := json.Marshal(rs.Calendar.Overrides())
		first, last := rs.Calendar.KnownYears()
		rs.calDigest = fmt.Sprintf("%s|%d-%d|%x", rs.Location, first, last, sha256.Sum256(b))
	})
	sum := sha256.Sum256([]byte(r.Fingerprint() + "|" + rs.calDigest))
	return hex.EncodeToString(sum[:16])
}
