package calendar

import (
	"fmt"
	"os"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"duban/internal/yamlguard"
)

// File is the shape of a calendar file:
//
//	years: [2028]                # years the file fully covers
//	holidays:
//	  - {from: 2028-01-01, to: 2028-01-03, name: 元旦}
//	  - {date: 2026-12-01, name: 县庆}
//	workdays:                     # adjusted working weekends (调休)
//	  - {date: 2028-02-05, name: 春节调休}
type File struct {
	Years    []int       `yaml:"years"`
	Holidays []fileEntry `yaml:"holidays"`
	Workdays []fileEntry `yaml:"workdays"`
}

type fileEntry struct {
	Date string `yaml:"date"`
	From string `yaml:"from"`
	To   string `yaml:"to"`
	Name string `yaml:"name"`
}

// LoadFile reads a calendar file and applies it over base. Errors name the
// file and line.
func LoadFile(base *Calendar, path string) (*Calendar, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(base, path, src)
}

// Parse is LoadFile on bytes already read; name is used in errors.
func Parse(base *Calendar, name string, src []byte) (*Calendar, error) {
	if err := yamlguard.CheckSource(src, yamlguard.Default); err != nil {
		return nil, fmt.Errorf("%s:%v", name, guardText(err))
	}
	f, err := parser.ParseBytes(src, 0)
	if err != nil {
		return nil, fmt.Errorf("%s: %s", name, yamlErrorText(err))
	}
	if err := yamlguard.CheckAliases(f, yamlguard.Default); err != nil {
		return nil, fmt.Errorf("%s:%v", name, guardText(err))
	}
	var file File
	if len(f.Docs) > 0 && f.Docs[0].Body != nil {
		if err := yamlguard.NodeToValue(f.Docs[0].Body, &file, yaml.Strict()); err != nil {
			return nil, fmt.Errorf("%s: %s", name, yamlErrorText(err))
		}
	}
	var entries []Entry
	add := func(list []fileEntry, work bool, key string) error {
		for i, e := range list {
			where := fmt.Sprintf("%s:%d", name, entryLine(f, key, i))
			days, err := e.days()
			if err != nil {
				return fmt.Errorf("%s: %s[%d]: %w", where, key, i, err)
			}
			for _, d := range days {
				entries = append(entries, Entry{Date: d, Work: work, Name: e.Name})
			}
		}
		return nil
	}
	if err := add(file.Holidays, false, "holidays"); err != nil {
		return nil, err
	}
	if err := add(file.Workdays, true, "workdays"); err != nil {
		return nil, err
	}
	for _, y := range file.Years {
		if y < 1990 || y > 2200 {
			return nil, fmt.Errorf("%s: years: %d is not a plausible year", name, y)
		}
	}
	return base.With(entries, file.Years), nil
}

func (e fileEntry) days() ([]time.Time, error) {
	parse := func(field, s string) (time.Time, error) {
		t, err := time.Parse("2006-01-02", s)
		if err != nil {
			return t, fmt.Errorf("%s %q is not a date like 2028-01-01", field, s)
		}
		return t, nil
	}
	switch {
	case e.Date != "" && e.From == "" && e.To == "":
		t, err := parse("date", e.Date)
		return []time.Time{t}, err
	case e.Date == "" && e.From != "" && e.To != "":
		from, err := parse("from", e.From)
		if err != nil {
			return nil, err
		}
		to, err := parse("to", e.To)
		if err != nil {
			return nil, err
		}
		if to.Before(from) || to.Sub(from) > 62*24*time.Hour {
			return nil, fmt.Errorf("from %s to %s is not a range of at most 62 days", e.From, e.To)
		}
		var out []time.Time
		for t := from; !t.After(to); t = t.AddDate(0, 0, 1) {
			out = append(out, t)
		}
		return out, nil
	default:
		return nil, fmt.Errorf("give either date, or from and to")
	}
}

// entryLine finds the line of list[i] under key for error messages.
func entryLine(f *ast.File, key string, i int) int {
	p, err := yaml.PathString(fmt.Sprintf("$.%s[%d]", key, i))
	if err != nil {
		return 0
	}
	n, err := p.FilterFile(f)
	if err != nil || n == nil {
		return 0
	}
	return n.GetToken().Position.Line
}

// yamlErrorText turns a go-yaml error into "line:col: message".
func yamlErrorText(err error) string {
	if ye, ok := err.(yaml.Error); ok && ye.GetToken() != nil {
		p := ye.GetToken().Position
		return fmt.Sprintf("%d:%d: %s", p.Line, p.Column, ye.GetMessage())
	}
	return err.Error()
}

// guardText is a yamlguard error as ":line:col: message" or " message".
func guardText(err error) string {
	if ge, ok := err.(*yamlguard.Error); ok && ge.Line > 0 {
		return fmt.Sprintf("%d:%d: %s", ge.Line, ge.Col, ge.Message)
	}
	return " " + err.Error()
}
