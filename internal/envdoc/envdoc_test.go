package envdoc

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// TestTheEnvPageIsCurrent fails when rules/env.go or rules/functions.go
// changed and docs/rules-env.md was not regenerated.
func TestTheEnvPageIsCurrent(t *testing.T) {
	want, err := Markdown("../../rules")
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../../" + Output)
	if err != nil {
		t.Fatalf("%v: run go generate ./rules", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is out of date: run go generate ./rules", Output)
	}
	for _, s := range []string{"`Case.DueAt` | time |", "`Petitioner.TopCategoryCount` | int |", "`Slot.Substitute` | string |",
		"`dueDate(c Case, days int, maxExtensionDays int) time`", "`date(t time) string`", "### `subject: reception_slot`"} {
		if !strings.Contains(string(want), s) {
			t.Errorf("the page lacks %q", s)
		}
	}
}
