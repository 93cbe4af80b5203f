package rules

import (
	"os"
	"strings"
	"testing"
)

// TestTheGuideShowsEachDefaultRuleAsItShips keeps the worked examples of
// docs/rules.md in step with the built-in pack: every rule is there, with
// its condition exactly as the pack has it.
func TestTheGuideShowsEachDefaultRuleAsItShips(t *testing.T) {
	guide, err := os.ReadFile("../docs/rules.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(guide)
	rs, err := Load(Defaults(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs.Rules {
		if !strings.Contains(text, "`"+r.ID+"`") {
			t.Errorf("docs/rules.md does not present %s", r.ID)
		}
		when := strings.Join(strings.Fields(r.When), " ")
		if !strings.Contains(text, "```\n"+when+"\n```") {
			t.Errorf("docs/rules.md does not show the condition of %s as it ships:\n%s", r.ID, when)
		}
	}
}
