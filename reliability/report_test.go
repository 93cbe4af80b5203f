package reliability_test

import (
	"bytes"
	"os"
	"testing"

	"duban/reliability"
)

// Every figure on RELIABILITY.md is the suite's own output: the page's
// generated sections must be what the results in reliability/results
// render to (`go generate ./reliability` after a run).
func TestReliabilityPageShowsTheResults(t *testing.T) {
	sections, err := reliability.Sections("results")
	if err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile("../RELIABILITY.md")
	if err != nil {
		t.Fatal(err)
	}
	want, err := reliability.Fill(page, sections)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(page, want) {
		t.Error("RELIABILITY.md's figures differ from reliability/results: run `go generate ./reliability`")
	}
	for name, body := range sections {
		if body == "" {
			t.Errorf("no results for the %s section in reliability/results", name)
		}
	}
}
