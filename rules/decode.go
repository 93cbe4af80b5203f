package rules

import (
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"

	"duban/internal/yamlguard"
)

// decoder decodes YAML mappings into the spec structs key by key, so that one
// run reports every unknown key and every bad value, not just the first, and
// what decoded well is still compiled and checked.
type decoder struct {
	file   string
	ruleID string
	probs  Problems
}

func (d *decoder) problem(pos *token.Position, format string, args ...any) {
	p := Problem{File: d.file, RuleID: d.ruleID, Message: fmt.Sprintf(format, args...)}
	if pos != nil {
		p.Line, p.Col = pos.Line, pos.Column
	}
	d.probs = append(d.probs, p)
}

// decoded is what decoding one mapping found: where each key stands, which
// keys had values that could not be decoded, and which were unknown. Keys of
// nested mappings are dotted: notice.repeat.
type decoded struct {
	keys    map[string]token.Position
	bad     map[string]bool
	unknown []string
}

// unsure reports whether a missing path may be the fault of a key already
// reported: the path or its parent was bad, or its mapping had an unknown
// key (a misspelt `titel:` should not also give "notice has no title").
func (r *decoded) unsure(path string) bool {
	if r == nil {
		return false
	}
	parent := ""
	if i := strings.LastIndex(path, "."); i >= 0 {
		parent = path[:i]
	}
	if r.bad[path] || (parent != "" && r.bad[parent]) {
		return true
	}
	for _, u := range r.unknown {
		up := ""
		if i := strings.LastIndex(u, "."); i >= 0 {
			up = u[:i]
		}
		if up == parent {
			return true
		}
	}
	return false
}

func newDecoded() *decoded {
	return &decoded{keys: map[string]token.Position{}, bad: map[string]bool{}}
}

// mapping decodes the mapping n into out, a pointer to a struct with yaml
// tags; what names the struct in messages ("a rule", "notice"). A field
// `Line int` tagged `yaml:"-"` gets the mapping's line.
func (d *decoder) mapping(n ast.Node, out any, what string) *decoded {
	res := newDecoded()
	d.into(n, out, what, "", res)
	return res
}

func (d *decoder) into(n ast.Node, out any, what, prefix string, res *decoded) {
	mvs, ok := mappingValues(n)
	if !ok {
		d.problem(n.GetToken().Position, "%s must be a mapping of keys to values, not %s", what, nodeKind(n))
		return
	}
	v := reflect.ValueOf(out).Elem()
	t := v.Type()
	fields := map[string]int{}
	var names []string
	for i := 0; i < t.NumField(); i++ {
		tag := strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]
		if tag == "" || tag == "-" {
			continue
		}
		fields[tag] = i
		names = append(names, tag)
	}
	if f, ok := t.FieldByName("Line"); ok && f.Tag.Get("yaml") == "-" && f.Type.Kind() == reflect.Int {
		v.FieldByIndex(f.Index).SetInt(int64(n.GetToken().Position.Line))
	}
	for _, mv := range mvs {
		key := mv.Key.GetToken().Value
		path := prefix + key
		pos := mv.Key.GetToken().Position
		if _, dup := res.keys[path]; dup {
			d.problem(pos, "%s: key given twice in %s", key, what)
			continue
		}
		res.keys[path] = *pos
		i, ok := fields[key]
		if !ok {
			d.problem(pos, "%s", unknownKey(key, what, names))
			res.unknown = append(res.unknown, path)
			continue
		}
		if !d.value(mv, v.Field(i), key, path, res) {
			res.bad[path] = true
		}
	}
}

var nodeUnmarshaler = reflect.TypeOf((*yaml.NodeUnmarshaler)(nil)).Elem()

// value decodes one key's value into field, descending into nested specs
// (notice:, a test's expect: list) so their keys are checked one by one too.
func (d *decoder) value(mv *ast.MappingValueNode, field reflect.Value, key, path string, res *decoded) bool {
	ft := field.Type()
	val := mv.Value
	if _, isNull := val.(*ast.NullNode); isNull {
		return true
	}
	switch {
	case ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Struct && !ft.Implements(nodeUnmarshaler):
		if _, ok := mappingValues(val); !ok {
			d.problem(val.GetToken().Position, "%s: want a mapping, not %s", key, nodeKind(val))
			return false
		}
		// Problems inside are reported at their own keys (notice.repeat).
		p := reflect.New(ft.Elem())
		d.into(val, p.Interface(), key, path+".", res)
		field.Set(p)
		return true
	case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct && !reflect.PointerTo(ft.Elem()).Implements(nodeUnmarshaler):
		seq, ok := val.(*ast.SequenceNode)
		if !ok {
			d.problem(val.GetToken().Position, "%s: want a list, not %s", key, nodeKind(val))
			return false
		}
		before := len(d.probs)
		out := reflect.MakeSlice(ft, 0, len(seq.Values))
		for _, item := range seq.Values {
			e := reflect.New(ft.Elem())
			d.into(item, e.Interface(), key+" item", "", newDecoded())
			out = reflect.Append(out, e.Elem())
		}
		field.Set(out)
		return len(d.probs) == before
	}
	// Decode the one key into a holder struct of the field's type, so each
	// key's error is reported on its own.
	holder := reflect.New(reflect.StructOf([]reflect.StructField{{
		Name: "V", Type: ft, Tag: reflect.StructTag(`yaml:"` + key + `"`)}}))
	if err := yamlguard.NodeToValue(mv, holder.Interface(), yaml.Strict()); err != nil {
		d.yamlError(key, err, val)
		return false
	}
	field.Set(holder.Elem().Field(0))
	return true
}

// yamlError reports a go-yaml decoding error in the rule writer's terms.
func (d *decoder) yamlError(key string, err error, at ast.Node) {
	msg := err.Error()
	pos := at.GetToken().Position
	if ge, ok := err.(*yamlguard.Error); ok {
		msg = ge.Message
	}
	if ye, ok := err.(yaml.Error); ok {
		msg = ye.GetMessage()
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			pos = tk.Position
		}
	}
	if m := cannotUnmarshal.FindStringSubmatch(msg); m != nil {
		msg = fmt.Sprintf("want %s, not %s", typeWord(m[2]), typeWord(m[1]))
	}
	msg = strings.NewReplacer("Go struct field ", "field ", "Go value of type ", "", "rules.", "").Replace(msg)
	d.problem(pos, "%s: %s", key, msg)
}

var cannotUnmarshal = regexp.MustCompile(`cannot unmarshal (.+?) into .* of type (.+)$`)

// typeWord names a Go type the way a YAML writer thinks of it.
func typeWord(goType string) string {
	switch {
	case goType == "bool":
		return "true or false"
	case goType == "string":
		return "a string"
	case strings.HasPrefix(goType, "int") || strings.HasPrefix(goType, "uint") || strings.HasPrefix(goType, "float"):
		return "a number"
	case strings.HasPrefix(goType, "map"), strings.HasSuffix(goType, "Spec"), strings.HasPrefix(goType, "rules."):
		return "a mapping"
	case strings.HasPrefix(goType, "[]"):
		return "a list"
	}
	return goType
}

func nodeKind(n ast.Node) string {
	switch n.(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case *ast.StringNode, *ast.LiteralNode:
		return "a string"
	case *ast.IntegerNode, *ast.FloatNode:
		return "a number"
	case *ast.BoolNode:
		return "true or false"
	case *ast.NullNode:
		return "nothing"
	}
	return strings.ToLower(n.Type().String())
}

// unknownKey says which key was probably meant, or lists the keys there are.
func unknownKey(key, what string, known []string) string {
	best, bestDist := "", 1<<30
	for _, k := range known {
		if d := editDistance(strings.ToLower(key), k); d < bestDist {
			best, bestDist = k, d
		}
	}
	if bestDist <= len(key)/2+1 {
		return fmt.Sprintf("unknown field %q in %s; did you mean %s?", key, what, best)
	}
	sorted := append([]string(nil), known...)
	sort.Strings(sorted)
	return fmt.Sprintf("unknown field %q in %s (want one of %s)", key, what, strings.Join(sorted, ", "))
}

// srcList is a list of Srcs that may also be written as a single value
// (`to: 督查组` as well as `to: [督查组]`).
type srcList []Src

// UnmarshalYAML implements yaml.NodeUnmarshaler.
func (l *srcList) UnmarshalYAML(n ast.Node) error {
	if seq, ok := n.(*ast.SequenceNode); ok {
		for _, v := range seq.Values {
			var s Src
			if err := s.UnmarshalYAML(v); err != nil {
				return err
			}
			*l = append(*l, s)
		}
		return nil
	}
	var s Src
	if err := s.UnmarshalYAML(n); err != nil {
		return err
	}
	if s.Text != "" {
		*l = append(*l, s)
	}
	return nil
}
