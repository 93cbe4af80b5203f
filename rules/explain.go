package rules

import (
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"
)

// subExpr is one part of a rule's condition, compiled on its own so that its
// value can be shown as evidence of why the rule did or did not fire.
type subExpr struct {
	text    string
	program *vm.Program
}

// Value is one sub-expression's value at evaluation time.
type Value struct {
	Expr  string `json:"expr"`
	Value string `json:"value"`
}

// Evidence is why a rule fired (or not) for a subject: every part of its
// condition with its value. It is stored with each notice and accountability
// record so an inspector sees the reasoning, not just the verdict.
type Evidence struct {
	Rule    string  `json:"rule"`
	Subject string  `json:"subject"`
	When    string  `json:"when"`
	Now     string  `json:"now"`
	Result  bool    `json:"result"`
	Values  []Value `json:"values"`
	Error   string  `json:"error,omitempty"`
}

// explainer lists the sub-expressions of a condition, innermost first, each
// compiled with the condition's let-declarations in front of it.
func (rc *ruleCompile) explainer(src string) []subExpr {
	tree, err := parser.Parse(src)
	if err != nil {
		return nil
	}
	var prefix strings.Builder
	var out []subExpr
	seen := map[string]bool{}
	add := func(text string) {
		if seen[text] || len(out) >= maxExplainedSubs {
			return
		}
		seen[text] = true
		prog, err := rc.compileExpr(Src{Text: prefix.String() + text})
		if err != nil || !showable(prog.Node().Type()) {
			return
		}
		out = append(out, subExpr{text: text, program: prog})
	}
	body := tree.Node
	for {
		decl, ok := body.(*ast.VariableDeclaratorNode)
		if !ok {
			break
		}
		walkPost(decl.Value, add)
		add(decl.Name)
		fmt.Fprintf(&prefix, "let %s = %s; ", decl.Name, decl.Value.String())
		body = decl.Expr
	}
	walkPost(body, add)
	return out
}

// walkPost visits the nodes worth showing, children before parents; it does
// not descend into closures, whose variables only exist inside them.
func walkPost(n ast.Node, visit func(string)) {
	switch n := n.(type) {
	case *ast.NilNode, *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.StringNode, *ast.ConstantNode:
		return
	case *ast.IdentifierNode:
		if n.Value == "Case" || n.Value == "Petitioner" || n.Value == "Slot" || n.Value == "Params" {
			return
		}
	case *ast.UnaryNode:
		walkPost(n.Node, visit)
	case *ast.BinaryNode:
		walkPost(n.Left, visit)
		walkPost(n.Right, visit)
	case *ast.MemberNode:
		walkPost(n.Node, visit)
	case *ast.ChainNode:
		walkPost(n.Node, visit)
	case *ast.CallNode:
		for _, a := range n.Arguments {
			walkPost(a, visit)
		}
	case *ast.BuiltinNode:
		if len(n.Arguments) > 0 {
			walkPost(n.Arguments[0], visit)
		}
	case *ast.ConditionalNode:
		walkPost(n.Cond, visit)
		walkPost(n.Exp1, visit)
		walkPost(n.Exp2, visit)
	case *ast.ArrayNode, *ast.MapNode, *ast.PredicateNode, *ast.PointerNode, *ast.VariableDeclaratorNode:
		return
	}
	visit(n.String())
}

// showable is false for values too large to be worth showing (whole structs,
// lists), which stay visible through the fields the condition reads.
func showable(t reflect.Type) bool {
	if t == nil {
		return true
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		return t == reflect.TypeOf(time.Time{})
	case reflect.Slice, reflect.Map, reflect.Func:
		return false
	}
	return true
}

// formatValue renders a value for evidence, times in the rule set's zone.
func formatValue(v any, loc *time.Location) string {
	switch v := v.(type) {
	case time.Time:
		if v.IsZero() {
			return "(unset)"
		}
		return v.In(loc).Format(time.RFC3339)
	case time.Duration:
		return v.String()
	case string:
		return fmt.Sprintf("%q", v)
	case nil:
		return "nil"
	}
	return fmt.Sprint(v)
}
