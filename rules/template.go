package rules

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"text/template"
	"text/template/parse"
	"time"
)

// template parses a notice or accountability text, checks its shape (see
// checkTemplate), and tries it against a sample subject so unknown fields
// fail at load time.
func (rc *ruleCompile) template(field string, src Src, limit int) *template.Template {
	if len(src.Text) > maxTemplateBytes {
		rc.problem(src.Line, src.Col, "%s: the template is %d bytes; at most %d", field, len(src.Text), maxTemplateBytes)
		return nil
	}
	t, err := template.New(field).Option("missingkey=error").
		Funcs(templateFuncs(rc.cal, time.Time{})).Parse(src.Text)
	if err != nil {
		rc.templateProblem(field, src, err)
		return nil
	}
	if len(t.Templates()) > 1 {
		rc.problem(src.Line, src.Col, "%s: {{define}} and {{block}} are not allowed in rule templates", field)
		return nil
	}
	if err := checkTemplate(t.Tree.Root, 0); err != nil {
		rc.problem(src.Line, src.Col, "%s: %v", field, err)
		return nil
	}
	sample := rc.sample
	setParams(sample, rc.r.Params)
	if _, err := execute(t, sample, limit); err != nil {
		rc.templateProblem(field, src, err)
		return nil
	}
	return t
}

// Template bounds: output is capped as it is written (maxTitleBytes, ...);
// the source and the nesting of loops are capped here, since a loop that
// writes nothing is not stopped by an output cap.
const (
	maxTemplateBytes = 16 << 10
	maxRangeDepth    = 2
)

var templateLine = regexp.MustCompile(`^template: \w+:(\d+):(?:(\d+):)? ?`)

func (rc *ruleCompile) templateProblem(field string, src Src, err error) {
	msg := err.Error()
	line, col := src.Line, src.Col
	if m := templateLine.FindStringSubmatch(msg); m != nil {
		l, _ := strconv.Atoi(m[1])
		c := 0
		if m[2] != "" {
			c, _ = strconv.Atoi(m[2])
		}
		line, col = src.at(l, c)
		msg = msg[len(m[0]):]
	}
	msg = strings.TrimPrefix(msg, "executing \""+field+"\" at ")
	rc.probs = append(rc.probs, Problem{File: rc.file, Line: line, Col: col, RuleID: rc.r.ID,
		Message: fmt.Sprintf("%s template: %s", field, explainExprError(msg, rc.env))})
}

var errRangeOverData = errors.New("range only over a field, such as {{range .Petitioner.Cases}}")

// checkTemplate refuses what could make a template loop for long: {{range}}
// over anything but data fields (never over a number), loops nested more
// than maxRangeDepth deep, and {{template}} calls (recursion).
func checkTemplate(n parse.Node, depth int) error {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return nil
		}
		for _, c := range n.Nodes {
			if err := checkTemplate(c, depth); err != nil {
				return err
			}
		}
	case *parse.TemplateNode:
		return errors.New("{{template}} is not allowed in rule templates")
	case *parse.RangeNode:
		cmds := n.Pipe.Cmds
		if len(cmds) != 1 || len(cmds[0].Args) != 1 {
			return errRangeOverData
		}
		switch cmds[0].Args[0].(type) {
		case *parse.FieldNode, *parse.ChainNode, *parse.VariableNode, *parse.DotNode:
		default:
			return errRangeOverData
		}
		if depth+1 > maxRangeDepth {
			return fmt.Errorf("{{range}} nested more than %d deep", maxRangeDepth)
		}
		if err := checkTemplate(n.List, depth+1); err != nil {
			return err
		}
		return checkTemplate(n.ElseList, depth)
	case *parse.IfNode:
		if err := checkTemplate(n.List, depth); err != nil {
			return err
		}
		return checkTemplate(n.ElseList, depth)
	case *parse.WithNode:
		if err := checkTemplate(n.List, depth); err != nil {
			return err
		}
		return checkTemplate(n.ElseList, depth)
	}
	return nil
}

var errTooLong = errors.New("text too long")

// limitedBuffer fails writes past its limit, which stops template execution.
type limitedBuffer struct {
	bytes.Buffer
	limit int
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if b.Len()+len(p) > b.limit {
		return 0, fmt.Errorf("%w: more than %d bytes", errTooLong, b.limit)
	}
	return b.Buffer.Write(p)
}

func execute(t *template.Template, data any, limit int) (string, error) {
	var b limitedBuffer
	b.limit = limit
	if err := t.Execute(&b, data); err != nil {
		return "", err
	}
	return tidyCJK(strings.TrimSpace(b.String())), nil
}

// afterFullWidth is spaces after full-width punctuation: a folded YAML text
// (body: >) joins its lines with a space, which Chinese never puts there
// ("2026-03-09， 现已超期").
var afterFullWidth = regexp.MustCompile(`([，。；：！？、）」』】]) +`)

func tidyCJK(s string) string { return afterFullWidth.ReplaceAllString(s, "$1") }

func setParams(env any, params map[string]any) {
	switch e := env.(type) {
	case *CaseEnv:
		e.Params = params
	case *PetitionerEnv:
		e.Params = params
	case *SlotEnv:
		e.Params = params
	}
}
