package rules

import (
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"
)

// subExpr is one part of a rule's condition, compiled on its own so that its
// value can be shown as evidence of why the rule did or did not fire.
type subExpr struct {
	text    string
	part    bool // one of the operands of the condition's outermost && or ||
	program *vm.Program
}

// explainer evaluates the parts of a condition. All of them are compiled
// into one program (the let-declarations once, then a list of every part),
// so explaining costs one evaluation; the separate programs are the
// fallback when one part fails (a nil field, an index out of range).
type explainer struct {
	subs []subExpr
	all  *vm.Program
}

// Value is one sub-expression's value at evaluation time.
type Value struct {
	Expr  string `json:"expr"`
	Value string `json:"value"`
	// Part marks the operands of the condition's outermost && (or ||): the
	// parts whose values decide the result.
	Part bool `json:"part,omitempty"`
}

// Evidence is why a rule fired (or not) for a subject: every part of its
// condition with its value. It is stored with each notice, flag and
// accountability record so an inspector sees the reasoning, not just the
// verdict; `duban rules explain` shows the same for any subject.
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
// compiled with the condition's let-declarations in front of it. The
// intermediate links of the outermost && chain are left out: each part is
// shown, and the whole is the result.
func (rc *ruleCompile) explainer(src string) *explainer {
	tree, err := parser.Parse(src)
	if err != nil {
		return nil
	}
	var prefix strings.Builder
	ex := &explainer{}
	seen := map[string]int{}
	add := func(text string, part bool) {
		if i, ok := seen[text]; ok {
			if i >= 0 && part {
				ex.subs[i].part = true
			}
			return
		}
		seen[text] = -1
		if len(ex.subs) >= maxExplainedSubs {
			return
		}
		prog, err := rc.compileExpr(Src{Text: prefix.String() + text})
		if err != nil || !showable(prog.Node().Type()) {
			return
		}
		seen[text] = len(ex.subs)
		ex.subs = append(ex.subs, subExpr{text: text, part: part, program: prog})
	}
	body := tree.Node
	for {
		decl, ok := body.(*ast.VariableDeclaratorNode)
		if !ok {
			break
		}
		// The declared value's parts, then the variable itself (rather than
		// the same value twice, as the call and as the name).
		walkChildren(decl.Value, add)
		fmt.Fprintf(&prefix, "let %s = %s; ", decl.Name, decl.Value.String())
		add(decl.Name, false)
		body = decl.Expr
	}
	if parts := chain(body); len(parts) > 1 {
		for _, p := range parts {
			walkPost(p, add, true)
		}
	} else {
		walkPost(body, add, true)
	}
	if len(ex.subs) > 0 {
		texts := make([]string, len(ex.subs))
		for i, s := range ex.subs {
			texts[i] = s.text
		}
		if prog, err := rc.compileExpr(Src{Text: prefix.String() + "[" + strings.Join(texts, ", ") + "]"}); err == nil {
			ex.all = prog
		}
	}
	return ex
}

// chain returns the operands of the outermost && (or ||) chain of n.
func chain(n ast.Node) []ast.Node {
	b, ok := n.(*ast.BinaryNode)
	if !ok {
		return []ast.Node{n}
	}
	op := logical(b.Operator)
	if op == "" {
		return []ast.Node{n}
	}
	var out []ast.Node
	var walk func(ast.Node)
	walk = func(n ast.Node) {
		if b, ok := n.(*ast.BinaryNode); ok && logical(b.Operator) == op {
			walk(b.Left)
			walk(b.Right)
			return
		}
		out = append(out, n)
	}
	walk(n)
	return out
}

func logical(op string) string {
	switch op {
	case "&&", "and":
		return "and"
	case "||", "or":
		return "or"
	}
	return ""
}

func walkChildren(n ast.Node, visit func(string, bool)) {
	switch n := n.(type) {
	case *ast.CallNode:
		for _, a := range n.Arguments {
			walkPost(a, visit, false)
		}
	default:
		walkPost(n, visit, false)
	}
}

// walkPost visits the nodes worth showing, children before parents; it does
// not descend into closures, whose variables only exist inside them. part
// marks n itself as a part of the condition.
func walkPost(n ast.Node, visit func(string, bool), part bool) {
	switch n := n.(type) {
	case *ast.NilNode, *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.StringNode, *ast.ConstantNode:
		return
	case *ast.IdentifierNode:
		if n.Value == "Case" || n.Value == "Petitioner" || n.Value == "Slot" || n.Value == "Params" {
			return
		}
	case *ast.UnaryNode:
		walkPost(n.Node, visit, false)
	case *ast.BinaryNode:
		walkPost(n.Left, visit, false)
		walkPost(n.Right, visit, false)
	case *ast.MemberNode:
		walkPost(n.Node, visit, false)
	case *ast.ChainNode:
		walkPost(n.Node, visit, false)
	case *ast.CallNode:
		for _, a := range n.Arguments {
			walkPost(a, visit, false)
		}
	case *ast.BuiltinNode:
		if len(n.Arguments) > 0 {
			walkPost(n.Arguments[0], visit, false)
		}
	case *ast.ConditionalNode:
		walkPost(n.Cond, visit, false)
		walkPost(n.Exp1, visit, false)
		walkPost(n.Exp2, visit, false)
	case *ast.ArrayNode, *ast.MapNode, *ast.PredicateNode, *ast.PointerNode, *ast.VariableDeclaratorNode:
		return
	}
	visit(n.String(), part)
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

// Verdict says in a few words whether the condition held, and, when it did
// not, which of its parts failed (or, for an || condition, that none held).
func (ev Evidence) Verdict() string {
	if ev.Error != "" {
		return "error: " + ev.Error
	}
	if ev.Result {
		return "holds"
	}
	var failed []string
	for _, v := range ev.Values {
		if v.Part && v.Value == "false" {
			failed = append(failed, v.Expr)
		}
	}
	if len(failed) == 0 {
		return "does not hold"
	}
	return "does not hold: " + strings.Join(failed, ", ") + " false"
}

// WriteText renders evidence for people: the verdict, the condition, and
// each part with its value; parts of the outermost && are marked ✓ or ✗.
// `duban rules explain` and `duban notices show` both print it, so an
// inspector reads a stored notice's reasons the way an admin reads a trial.
func (ev Evidence) WriteText(w io.Writer) {
	fmt.Fprintf(w, "rule %s, subject %s, at %s: %s\n", ev.Rule, ev.Subject, ev.Now, ev.Verdict())
	fmt.Fprintln(w, "when:")
	for _, line := range conditionLines(ev.When) {
		fmt.Fprintf(w, "    %s\n", line)
	}
	if len(ev.Values) == 0 {
		return
	}
	width := 0
	for _, v := range ev.Values {
		if n := utf8.RuneCountInString(v.Expr); n > width && n <= 48 {
			width = n
		}
	}
	fmt.Fprintln(w, "values:")
	for _, v := range ev.Values {
		mark := " "
		if v.Part {
			switch v.Value {
			case "true":
				mark = "✓"
			case "false":
				mark = "✗"
			}
		}
		pad := width - utf8.RuneCountInString(v.Expr)
		if pad < 0 {
			fmt.Fprintf(w, "  %s %s\n  %s %s = %s\n", mark, v.Expr, " ", strings.Repeat(" ", width), v.Value)
			continue
		}
		fmt.Fprintf(w, "  %s %s%s = %s\n", mark, v.Expr, strings.Repeat(" ", pad), v.Value)
	}
}

// Text is WriteText to a string.
func (ev Evidence) Text() string {
	var b strings.Builder
	ev.WriteText(&b)
	return b.String()
}

// conditionLines splits a condition for display: each let-declaration on a
// line of its own (a folded YAML scalar joins them into one).
func conditionLines(when string) []string {
	var out []string
	start, quote := 0, rune(0)
	for i, r := range when {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '"' || r == '\'' || r == '`':
			quote = r
		case r == ';':
			out = append(out, when[start:i+1])
			start = i + 1
		}
	}
	out = append(out, when[start:])
	var lines []string
	for _, part := range out {
		for _, l := range strings.Split(part, "\n") {
			if l = strings.TrimSpace(l); l != "" {
				lines = append(lines, l)
			}
		}
	}
	return lines
}
