package rules

import (
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/expr-lang/expr/conf"

	"duban/calendar"
)

// TestEveryFunctionIsDocumented keeps Functions (the guide's list) and the
// functions rules can really call the same.
func TestEveryFunctionIsDocumented(t *testing.T) {
	cal := calendar.Official(time.UTC)
	c := conf.CreateNew()
	for _, op := range exprFunctions(cal) {
		op(c)
	}
	var inExpr, documented []string
	for name := range c.Functions {
		inExpr = append(inExpr, name)
	}
	for _, f := range Functions {
		documented = append(documented, f.Name)
	}
	sort.Strings(inExpr)
	sort.Strings(documented)
	if !slices.Equal(inExpr, documented) {
		t.Errorf("expression functions %v, documented %v", inExpr, documented)
	}
	var inTemplates []string
	for name := range templateFuncs(cal, time.Time{}) {
		inTemplates = append(inTemplates, name)
	}
	for _, f := range TemplateFunctions {
		documented = append(documented, f.Name)
	}
	sort.Strings(inTemplates)
	sort.Strings(documented)
	if !slices.Equal(inTemplates, documented) {
		t.Errorf("template functions %v, documented %v", inTemplates, documented)
	}
}
