package ruletest

import (
	"context"
	"strings"
	"testing"

	"duban/rules"
)

// TestDefaultRulePack runs every test written in the shipped rule files.
func TestDefaultRulePack(t *testing.T) {
	rs, err := rules.Load(rules.Defaults(), rules.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs.Tests) < 20 {
		t.Fatalf("only %d rule tests in the default pack", len(rs.Tests))
	}
	for _, tc := range rs.Tests {
		t.Run(tc.File+"/"+tc.Name, func(t *testing.T) {
			res := RunOne(context.Background(), rs, tc)
			if res.Err != nil {
				t.Fatalf("%s: %v", res.Name(), res.Err)
			}
			if !res.Passed {
				t.Errorf("%s:\n  %s", res.Name(), strings.Join(res.Failures, "\n  "))
			}
		})
	}
}
