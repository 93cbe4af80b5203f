package rules

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"

	"duban/internal/yamlguard"
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
	Level  string  `yaml:"level"`
	To     srcList `yaml:"to"`
	Title  Src     `yaml:"title"`
	Body   Src     `yaml:"body"`
	Repeat string  `yaml:"repeat"`
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
	Line   int              `yaml:"-"`
	Now    string           `yaml:"now"`
	Cases  []map[string]any `yaml:"cases"`
	Slots  []map[string]any `yaml:"slots"`
	Expect []Expectation    `yaml:"expect"`
}

// Expectation is one outcome a test expects (or, with notice: false, expects
// not to see).
type Expectation struct {
	Line           int    `yaml:"-"`
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

// Steps returns the test's ticks: its at: steps, or one step from its now,
// cases, slots and expect.
func (tc TestCase) Steps() []TestStep {
	if len(tc.At) > 0 {
		return tc.At
	}
	return []TestStep{{Line: tc.Line, Now: tc.Now, Cases: tc.Cases, Slots: tc.Slots, Expect: tc.Expect}}
}

// parsedFile is one file's content before compilation.
type parsedFile struct {
	name      string
	spec      fileSpec
	paramsPos token.Position // where the file's params: stand
	rules     []parsedRule
	tests     []TestCase
}

type parsedRule struct {
	spec     ruleSpec
	line     int
	*decoded // where each key stands, which were bad or unknown
}

var topKeys = []string{"timezone", "params", "rules", "tests"}

// IsTestFile reports whether a file name is a test file (name_test.yaml),
// which holds only `tests:` for the rules of the set.
func IsTestFile(name string) bool {
	base := path.Base(name)
	ext := path.Ext(base)
	return (ext == ".yaml" || ext == ".yml") && strings.HasSuffix(strings.TrimSuffix(base, ext), "_test")
}

// parseFile decodes one rule file strictly, collecting every problem rather
// than stopping at the first.
func parseFile(fsys fs.FS, name string) (*parsedFile, Problems) {
	src, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, Problems{{File: name, Message: err.Error()}}
	}
	pf := &parsedFile{name: name}
	if err := yamlguard.CheckSource(src, yamlguard.Default); err != nil {
		return nil, Problems{guardProblem(name, err)}
	}
	f, err := parser.ParseBytes(src, 0)
	if err != nil {
		return nil, Problems{yamlProblem(name, "", err)}
	}
	if err := yamlguard.CheckAliases(f, yamlguard.Default); err != nil {
		return nil, Problems{guardProblem(name, err)}
	}
	testFile := IsTestFile(name)
	what := "a rule file holds one YAML document with a `rules:` list"
	if testFile {
		what = "a test file holds one YAML document with a `tests:` list"
	}
	if len(f.Docs) != 1 || f.Docs[0].Body == nil {
		return nil, Problems{{File: name, Line: 1, Message: what}}
	}
	top, ok := mappingValues(f.Docs[0].Body)
	if !ok {
		return nil, Problems{{File: name, Line: 1, Message: what}}
	}
	d := &decoder{file: name}
	var rulesNode, testsNode ast.Node
	header := &ast.MappingNode{BaseNode: &ast.BaseNode{}}
	for _, mv := range top {
		key := mv.Key.GetToken().Value
		pos := mv.Key.GetToken().Position
		switch {
		case !slices.Contains(topKeys, key):
			d.problem(pos, "%s", unknownKey(key, "the file", topKeys))
		case testFile && key != "tests":
			d.problem(pos, "a test file (*_test.yaml) holds only `tests:`; put %s in a rule file", key)
		case key == "rules":
			rulesNode = mv.Value
		case key == "tests":
			testsNode = mv.Value
		default:
			if key == "params" {
				pf.paramsPos = *pos
			}
			header.Values = append(header.Values, mv)
		}
	}
	if len(header.Values) > 0 {
		d.mapping(header, &pf.spec, "the file")
	}
	switch {
	case testFile && testsNode == nil:
		d.problem(&token.Position{Line: 1}, "no `tests:` list")
	case !testFile && rulesNode == nil:
		d.problem(&token.Position{Line: 1}, "no `rules:` list (a file of tests only is named *_test.yaml)")
	}
	if rulesNode != nil {
		if items, ok := rulesNode.(*ast.SequenceNode); !ok {
			d.problem(rulesNode.GetToken().Position, "`rules:` must be a list")
		} else {
			for _, item := range items.Values {
				pr := parsedRule{line: item.GetToken().Position.Line}
				d.ruleID = ""
				if mvs, ok := mappingValues(item); ok {
					for _, mv := range mvs {
						if mv.Key.GetToken().Value == "id" {
							d.ruleID = mv.Value.GetToken().Value
						}
					}
				}
				pr.decoded = d.mapping(item, &pr.spec, "a rule")
				pf.rules = append(pf.rules, pr)
			}
			d.ruleID = ""
		}
	}
	if testsNode != nil {
		if tests, ok := testsNode.(*ast.SequenceNode); !ok {
			d.problem(testsNode.GetToken().Position, "`tests:` must be a list")
		} else {
			for _, item := range tests.Values {
				tc := TestCase{File: name}
				before := len(d.probs)
				d.mapping(item, &tc, "a test")
				if len(d.probs) == before {
					pf.tests = append(pf.tests, tc)
				}
			}
		}
	}
	return pf, d.probs
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
func guardProblem(file string, err error) Problem {
	p := Problem{File: file, Message: err.Error()}
	if ge, ok := err.(*yamlguard.Error); ok {
		p.Line, p.Col, p.Message = ge.Line, ge.Col, ge.Message
	}
	return p
}

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
			// Hidden directories are not rules: a Kubernetes ConfigMap mount
			// keeps its real files in ..<timestamp>/ beside the links to them.
			if p != "." && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir
			}
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
