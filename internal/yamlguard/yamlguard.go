// Package yamlguard refuses YAML that would take the parser or a decoder
// too long or too much memory, before it gets there: files over a size,
// flow collections ([...] and {...}) nested deeper than a bound (the
// parser's time grows with the square of that depth), and aliases that
// expand to more nodes than a bound (the "billion laughs": ten lines that
// decode to a billion values). The rule files, the notify file and the
// calendar files go through it.
package yamlguard

import (
	"fmt"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/token"
)

// Limits are the bounds a file must keep.
type Limits struct {
	MaxBytes int
	MaxDepth int
	// MaxNodes bounds the nodes of the file with every alias expanded.
	MaxNodes int
}

// Default fits every configuration file duban reads, with room to spare.
var Default = Limits{MaxBytes: 4 << 20, MaxDepth: 64, MaxNodes: 1_000_000}

// Error says where a file went past a bound (Line 0: the whole file).
type Error struct {
	Line, Col int
	Message   string
}

func (e *Error) Error() string {
	if e.Line == 0 {
		return e.Message
	}
	return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Message)
}

// CheckSource checks the size and the nesting of flow collections, with
// the lexer alone (linear in the size).
func CheckSource(src []byte, l Limits) error {
	if len(src) > l.MaxBytes {
		return &Error{Message: fmt.Sprintf("the file is %d bytes; at most %d", len(src), l.MaxBytes)}
	}
	depth := 0
	for _, tk := range lexer.Tokenize(string(src)) {
		switch tk.Type {
		case token.SequenceStartType, token.MappingStartType:
			depth++
			if depth > l.MaxDepth {
				return &Error{Line: tk.Position.Line, Col: tk.Position.Column,
					Message: fmt.Sprintf("[...] and {...} nested more than %d deep", l.MaxDepth)}
			}
		case token.SequenceEndType, token.MappingEndType:
			depth = max(0, depth-1)
		}
	}
	return nil
}

// CheckAliases counts the nodes of a parsed file with every alias
// expanded, refusing it past MaxNodes. An alias counts as the size of the
// latest anchor of its name before it, which is how YAML resolves it.
func CheckAliases(f *ast.File, l Limits) error {
	c := &counter{anchors: map[string]int{}, limit: l.MaxNodes}
	for _, d := range f.Docs {
		c.total += c.size(d.Body)
		if c.over != nil {
			return c.err(c.over)
		}
		if c.total > c.limit {
			return c.err(d.Body)
		}
	}
	return nil
}

type counter struct {
	anchors map[string]int
	total   int
	limit   int
	over    ast.Node // the first alias whose expansion went past the limit
}

func (c *counter) err(n ast.Node) error {
	e := &Error{Message: fmt.Sprintf("aliases expand the file to more than %d values", c.limit)}
	tk := n.GetToken()
	if a, ok := n.(*ast.AliasNode); ok && a.Start != nil {
		tk = a.Start
	}
	if tk != nil && tk.Position != nil {
		e.Line, e.Col = tk.Position.Line, tk.Position.Column
	}
	return e
}

// size is the number of nodes n stands for, capped just past the limit so
// that sums cannot overflow.
func (c *counter) size(n ast.Node) int {
	if n == nil {
		return 0
	}
	sum := func(parts ...int) int {
		s := 1
		for _, p := range parts {
			s = min(s+p, c.limit+1)
		}
		return s
	}
	switch n := n.(type) {
	case *ast.DocumentNode:
		return c.size(n.Body)
	case *ast.MappingNode:
		parts := make([]int, len(n.Values))
		for i, v := range n.Values {
			parts[i] = c.size(v)
		}
		return sum(parts...)
	case *ast.MappingValueNode:
		return sum(c.size(n.Key), c.size(n.Value))
	case *ast.MappingKeyNode:
		return sum(c.size(n.Value))
	case *ast.SequenceNode:
		parts := make([]int, len(n.Values))
		for i, v := range n.Values {
			parts[i] = c.size(v)
		}
		return sum(parts...)
	case *ast.AnchorNode:
		s := c.size(n.Value)
		if n.Name != nil {
			c.anchors[n.Name.GetToken().Value] = s
		}
		return s
	case *ast.AliasNode:
		name := ""
		if n.Value != nil {
			name = n.Value.GetToken().Value
		}
		s := c.anchors[name]
		if s > c.limit && c.over == nil {
			c.over = n
		}
		return max(s, 1)
	case *ast.TagNode:
		return sum(c.size(n.Value))
	}
	return 1
}

// NodeToValue is yaml.NodeToValue that turns a panic of the decoder into an
// error at the node: go-yaml panics on some malformed documents (a tag
// where a list should be), and a file must never take the process down.
func NodeToValue(n ast.Node, v any, opts ...yaml.DecodeOption) (err error) {
	defer func() {
		if p := recover(); p != nil {
			e := &Error{Message: "cannot read this value (malformed YAML)"}
			if tk := n.GetToken(); tk != nil && tk.Position != nil {
				e.Line, e.Col = tk.Position.Line, tk.Position.Column
			}
			err = e
		}
	}()
	return yaml.NodeToValue(n, v, opts...)
}
