package rules

import (
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"
)

// Cond is a condition on one subject field that a store can answer with an
// index: Field Op Values, where Field names a field of the subject (Status,
// AssignedAt, ...) and Op is one of =, !=, in, not in, <, <=, >, >=,
// is null, is not null.
type Cond struct {
	Field  string
	Op     string
	Values []any
}

// Scope is a conjunction of Conds implied by a rule's condition: a subject
// that fails any of them cannot make the rule fire, so a store need not load
// it. An empty Scope means every subject.
type Scope []Cond

// derivedConds maps the derived booleans of Case to stored columns.
var derivedConds = map[string][2]Cond{ // [when true, when false]
	"Open":          {{"Status", "in", []any{"received", "accepted", "assigned"}}, {"Status", "in", []any{"closed", "rejected"}}},
	"Accepted":      {{"AcceptedAt", "is not null", nil}, {"AcceptedAt", "is null", nil}},
	"Assigned":      {{"AssignedAt", "is not null", nil}, {"AssignedAt", "is null", nil}},
	"ReturnVisited": {{"ReturnVisitAt", "is not null", nil}, {"ReturnVisitAt", "is null", nil}},
}

// scopeFields are the stored fields a scope may name, per subject, with
// whether they are booleans, strings, ints or times.
var scopeFields = map[string]map[string]string{
	SubjectCase: {
		"Status": "string", "Channel": "string", "Category": "string", "AssignedUnit": "string",
		"ReceptionLeader": "string", "PetitionerID": "string",
		"Escalated": "bool", "LawRelated": "bool", "GroupSize": "int",
		"AcceptedAt": "time", "AssignedAt": "time", "DueAt": "time", "ExtendedDueAt": "time",
		"ClosedAt": "time", "ReturnVisitAt": "time",
	},
	SubjectSlot: {"Leader": "string", "Substitute": "string", "Location": "string", "LeaderAvailable": "bool"},
}

var subjectVar = map[string]string{SubjectCase: "Case", SubjectSlot: "Slot", SubjectPetitioner: "Petitioner"}

// extractScope finds the top-level conjuncts of a condition that name stored
// fields of the subject. It is conservative: anything it does not recognise
// is left to the condition itself.
func extractScope(subject, src string, params map[string]any) Scope {
	tree, err := parser.Parse(src)
	if err != nil {
		return nil
	}
	ast.Walk(&tree.Node, paramPatcher{params})
	body := tree.Node
	for {
		decl, ok := body.(*ast.VariableDeclaratorNode)
		if !ok {
			break
		}
		body = decl.Expr
	}
	var scope Scope
	for _, n := range conjuncts(body) {
		if c, ok := condOf(subject, n); ok {
			scope = append(scope, c)
		}
	}
	return scope
}

func conjuncts(n ast.Node) []ast.Node {
	if b, ok := n.(*ast.BinaryNode); ok && (b.Operator == "&&" || b.Operator == "and") {
		return append(conjuncts(b.Left), conjuncts(b.Right)...)
	}
	return []ast.Node{n}
}

// field returns the name of a subject field node such as Case.DueAt.
func field(subject string, n ast.Node) (string, bool) {
	m, ok := n.(*ast.MemberNode)
	if !ok || m.Optional {
		return "", false
	}
	id, ok := m.Node.(*ast.IdentifierNode)
	if !ok || id.Value != subjectVar[subject] {
		return "", false
	}
	prop, ok := m.Property.(*ast.StringNode)
	if !ok {
		return "", false
	}
	return prop.Value, true
}

func literal(n ast.Node) (any, bool) {
	switch v := n.(type) {
	case *ast.StringNode:
		return v.Value, true
	case *ast.IntegerNode:
		return v.Value, true
	case *ast.BoolNode:
		return v.Value, true
	case *ast.ConstantNode:
		switch c := v.Value.(type) {
		case string, int, bool:
			return c, true
		}
	}
	return nil, false
}

func literalList(n ast.Node) ([]any, bool) {
	switch v := n.(type) {
	case *ast.ArrayNode:
		out := make([]any, 0, len(v.Nodes))
		for _, e := range v.Nodes {
			l, ok := literal(e)
			if !ok {
				return nil, false
			}
			out = append(out, l)
		}
		return out, true
	case *ast.ConstantNode:
		if list, ok := v.Value.([]any); ok {
			return list, true
		}
	}
	return nil, false
}

var flipped = map[string]string{"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}

func condOf(subject string, n ast.Node) (Cond, bool) {
	fields := scopeFields[subject]
	negated := false
	if u, ok := n.(*ast.UnaryNode); ok && (u.Operator == "!" || u.Operator == "not") {
		negated, n = true, u.Node
	}
	// A boolean field on its own: Case.Open, !Slot.LeaderAvailable.
	if name, ok := field(subject, n); ok {
		if subject == SubjectCase {
			if d, ok := derivedConds[name]; ok {
				if negated {
					return d[1], true
				}
				return d[0], true
			}
		}
		if fields[name] == "bool" {
			return Cond{name, "=", []any{!negated}}, true
		}
		return Cond{}, false
	}
	// Case.X.IsZero()
	if call, ok := n.(*ast.CallNode); ok && len(call.Arguments) == 0 {
		if m, ok := call.Callee.(*ast.MemberNode); ok {
			if p, ok := m.Property.(*ast.StringNode); ok && p.Value == "IsZero" {
				if name, ok := field(subject, m.Node); ok && fields[name] == "time" {
					if negated {
						return Cond{name, "is not null", nil}, true
					}
					return Cond{name, "is null", nil}, true
				}
			}
		}
		return Cond{}, false
	}
	b, ok := n.(*ast.BinaryNode)
	if !ok {
		return Cond{}, false
	}
	if b.Operator == "in" {
		name, ok := field(subject, b.Left)
		list, lok := literalList(b.Right)
		if !ok || !lok || (fields[name] != "string" && fields[name] != "int") {
			return Cond{}, false
		}
		if negated {
			return Cond{name, "not in", list}, true
		}
		return Cond{name, "in", list}, true
	}
	if negated {
		return Cond{}, false
	}
	op, ok := flipped[b.Operator]
	if !ok {
		return Cond{}, false
	}
	name, fok := field(subject, b.Left)
	val, lok := literal(b.Right)
	if !fok || !lok {
		// literal on the left: 5 <= Case.GroupSize
		name, fok = field(subject, b.Right)
		val, lok = literal(b.Left)
		if !fok || !lok {
			return Cond{}, false
		}
	} else {
		op = b.Operator
	}
	kind := fields[name]
	switch {
	case kind == "string" && (op == "==" || op == "!="):
		if _, ok := val.(string); !ok {
			return Cond{}, false
		}
	case kind == "int":
		if _, ok := val.(int); !ok {
			return Cond{}, false
		}
	case kind == "bool" && (op == "==" || op == "!="):
		if _, ok := val.(bool); !ok {
			return Cond{}, false
		}
	default:
		return Cond{}, false
	}
	if op == "==" {
		op = "="
	}
	return Cond{name, op, []any{val}}, true
}
