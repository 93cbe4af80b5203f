package rules

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// The YAML shape of a rule file. Decoding is strict: an unknown key is an error.

type fileSpec struct {
	Timezone string         `yaml:"timezone"`
	Params   map[string]any `yaml:"params"`
}

type ruleSpec struct {
	ID             string         `yaml:"id"`
	Name           string         `yaml:"name"`
	Description    string         `yaml:"description"`
	Subject        string         `yaml:"subject"`
	Schedule       string         `yaml:"schedule"`
	Window         string         `yaml:"window"`
	Params         map[string]any `yaml:"params"`
	When           Src            `yaml:"when"`
	Notice         *noticeSpec    `yaml:"notice"`
	Flag           *flagSpec      `yaml:"flag"`
	Accountability *accountSpec   `yaml:"accountability"`
	Disabled       bool           `yaml:"disabled"`
}

type noticeSpec struct {
	Level  string `yaml:"level"`
	To     []Src  `yaml:"to"`
	Title  Src    `yaml:"title"`
	Body   Src    `yaml:"body"`
	Repeat string `yaml:"repeat"`
}

type flagSpec struct {
	Label string `yaml:"label"`
	Cases Src    `yaml:"cases"`
}

type accountSpec struct {
	Against Src    `yaml:"against"`
	Grade   string `yaml:"grade"`
	Reason  Src    `yaml:"reason"`
}

// Src is a string from a rule file with where it stands, so that errors in
// the expression or template it holds can name the file's line and column.
type Src struct {
	Text string
	Line int // line of the first character of Text
	Col  int // column of the first character of Text (on Line)
	// Block is set for YAML block scalars (| or >), whose text starts on the
	// line after the indicator, at Col.
	Block bool
}

// UnmarshalYAML implements yaml.NodeUnmarshaler.
func (s *Src) UnmarshalYAML(n ast.Node) error {
	tk := n.GetToken()
	s.Line, s.Col = tk.Position.Line, tk.Position.Column
	switch v := n.(type) {
	case *ast.StringNode:
		s.Text = v.Value
		if tk.Type == token.SingleQuoteType || tk.Type == token.DoubleQuoteType {
			s.Col++
		}
	case *ast.LiteralNode:
		s.Text = v.Value.Value
		s.Block = true
		s.Line++
		s.Col = v.Value.GetToken().Position.Column
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode:
		s.Text = tk.Value
	case *ast.NullNode:
		s.Text = ""
	default:
		return fmt.Errorf("must be a string, not a %s", n.Type())
	}
	return nil
}

// at returns the file position of the 1-based line and 0-based column inside Text.
func (s Src) at(line, col int) (int, int) {
	if line <= 1 {
		return s.Line, s.Col + col
	}
	return s.Line + line - 1, s.Col + col
}

// TestCase is one rule unit test from a file's `tests:`.
type TestCase struct {
	File   string           `yaml:"-"`
	Line   int              `yaml:"-"`
	Name   string           `yaml:"name"`
	Now    string           `yaml:"now"`
	Only   []string         `yaml:"only"`
	Units  []map[string]any `yaml:"units"`
	Cases  []map[string]any `yaml:"cases"`
	Slots  []map[string]any `yaml:"slots"`
	Expect []Expectation    `yaml:"expect"`
	// At steps time: each step may change cases and expects what that tick
	// raises, re-raises or resolves.
	At []TestStep `yaml:"at"`
}

// TestStep is one tick of a stepped test.
type TestStep struct {
	Now    string           `yaml:"now"`
	Cases  []map[string]any `yaml:"cases"`
	Slots  []map[string]any `yaml:"slots"`
	Expect []Expectation    `yaml:"expect"`
}

// Expectation is one outcome a test expects (or, with notice: false, expects
// not to see).
type Expectation struct {
	Rule           string `yaml:"rule"`
	CaseNo         string `yaml:"case_no"`
	Subject        string `yaml:"subject"`
	Notice         *bool  `yaml:"notice"`
	Level          string `yaml:"level"`
	Unit           string `yaml:"unit"`
	Title          string `yaml:"title"` // a part of the title
	Flag           string `yaml:"flag"`
	Accountability *bool  `yaml:"accountability"`
	Grade          string `yaml:"grade"`
	Action         string `yaml:"action"` // raised (default), reraised or resolved
}

// parsedFile is one file's content before compilation.
type parsedFile struct {
	name  string
	spec  fileSpec
	rules []parsedRule
	tests []TestCase
}

type parsedRule struct {
	spec ruleSpec
	line int
	keys map[string]token.Position // where each key of the rule stands
}

var topKeys = map[string]bool{"timezone": true, "params": true, "rules": true, "tests": true}

// parseFile decodes one rule file strictly, collecting every problem rather
// than stopping at the first.
func parseFile(fsys fs.FS, name string) (*parsedFile, Problems) {
	src, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, Problems{{File: name, Message: err.Error()}}
	}
	pf := &parsedFile{name: name}
	f, err := parser.ParseBytes(src, 0)
	if err != nil {
		return nil, Problems{yamlProblem(name, "", err)}
	}
	if len(f.Docs) != 1 || f.Docs[0].Body == nil {
		return nil, Problems{{File: name, Line: 1, Message: "a rule file holds exactly one YAML document with a `rules:` list"}}
	}
	top, ok := mappingValues(f.Docs[0].Body)
	if !ok {
		return nil, Problems{{File: name, Line: 1, Message: "the file must be a mapping with a `rules:` list"}}
	}
	var probs Problems
	var rulesNode, testsNode ast.Node
	header := &ast.MappingNode{}
	for _, mv := range top {
		key := mv.Key.GetToken().Value
		pos := mv.Key.GetToken().Position
		switch {
		case !topKeys[key]:
			probs = append(probs, Problem{File: name, Line: pos.Line, Col: pos.Column,
				Message: fmt.Sprintf("unknown key %q (want %s)", key, "timezone, params, rules or tests")})
		case key == "rules":
			rulesNode = mv.Value
		case key == "tests":
			testsNode = mv.Value
		default:
			header.Values = append(header.Values, mv)
		}
	}
	if len(header.Values) > 0 {
		if err := yaml.NodeToValue(header, &pf.spec, yaml.Strict()); err != nil {
			probs = append(probs, yamlProblem(name, "", err))
		}
	}
	if rulesNode == nil {
		probs = append(probs, Problem{File: name, Line: 1, Message: "no `rules:` list"})
		return pf, probs
	}
	items, ok := rulesNode.(*ast.SequenceNode)
	if !ok {
		pos := rulesNode.GetToken().Position
		return pf, append(probs, Problem{File: name, Line: pos.Line, Col: pos.Column, Message: "`rules:` must be a list"})
	}
	for _, item := range items.Values {
		pr := parsedRule{line: item.GetToken().Position.Line, keys: map[string]token.Position{}}
		if mvs, ok := mappingValues(item); ok {
			for _, mv := range mvs {
				pr.keys[mv.Key.GetToken().Value] = *mv.Key.GetToken().Position
				if mv.Key.GetToken().Value == "id" {
					pr.spec.ID = mv.Value.GetToken().Value
				}
			}
		}
		if err := yaml.NodeToValue(item, &pr.spec, yaml.Strict()); err != nil {
			probs = append(probs, yamlProblem(name, pr.spec.ID, err))
			continue
		}
		pf.rules = append(pf.rules, pr)
	}
	if testsNode != nil {
		tests, ok := testsNode.(*ast.SequenceNode)
		if !ok {
			pos := testsNode.GetToken().Position
			return pf, append(probs, Problem{File: name, Line: pos.Line, Col: pos.Column, Message: "`tests:` must be a list"})
		}
		for _, item := range tests.Values {
			var tc TestCase
			if err := yaml.NodeToValue(item, &tc, yaml.Strict()); err != nil {
				probs = append(probs, yamlProblem(name, "", err))
				continue
			}
			tc.File, tc.Line = name, item.GetToken().Position.Line
			pf.tests = append(pf.tests, tc)
		}
	}
	return pf, probs
}

// mappingValues returns the key/value pairs of a mapping node (goccy gives a
// one-key mapping as a bare MappingValueNode).
func mappingValues(n ast.Node) ([]*ast.MappingValueNode, bool) {
	switch m := n.(type) {
	case *ast.MappingNode:
		return m.Values, true
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{m}, true
	}
	return nil, false
}

// yamlProblem turns a go-yaml error into a Problem at its token.
func yamlProblem(file, ruleID string, err error) Problem {
	p := Problem{File: file, RuleID: ruleID, Message: err.Error()}
	if ye, ok := err.(yaml.Error); ok {
		p.Message = ye.GetMessage()
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			p.Line, p.Col = tk.Position.Line, tk.Position.Column
		}
	}
	// go-yaml names our Go types; rule writers know the YAML keys.
	p.Message = strings.NewReplacer("rules.", "", "Go struct field ", "field ", "Go value of type ", "").Replace(p.Message)
	return p
}

// parseDuration accepts Go durations (90m, 24h) and whole days or weeks (15d, 2w).
func parseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if n := len(s); n > 1 && (s[n-1] == 'd' || s[n-1] == 'w') {
		v, err := strconv.Atoi(s[:n-1])
		if err == nil && v >= 0 {
			if s[n-1] == 'w' {
				v *= 7
			}
			return time.Duration(v) * 24 * time.Hour, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration like 24h, 90m, 15d or 2w", s)
	}
	return d, nil
}

// ruleFiles lists the rule files (*.yaml, *.yml) and calendar files
// (*.calendar.yaml, *.calendar.yml) of a directory tree, each sorted.
func ruleFiles(fsys fs.FS) (names, calendars []string, err error) {
	err = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		switch ext := path.Ext(p); {
		case ext != ".yaml" && ext != ".yml":
		case strings.HasSuffix(strings.TrimSuffix(p, ext), ".calendar"):
			calendars = append(calendars, p)
		default:
			names = append(names, p)
		}
		return nil
	})
	sort.Strings(names)
	sort.Strings(calendars)
	return names, calendars, err
}
