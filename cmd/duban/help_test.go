package main

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// commandTree returns the root command run builds, with every subcommand.
func commandTree(t *testing.T) *cobra.Command {
	t.Helper()
	var out strings.Builder
	root := (&app{stdout: &out, stderr: &out}).rootCmd()
	root.InitDefaultHelpCmd()
	return root
}

// TestFlagHelpHasNoQuotingArtefacts walks every command's flags: pflag takes
// a backticked word of a usage as the value's name, so "as `duban demo
// --now` did" printed "--now duban demo --now   pretend …".
func TestFlagHelpHasNoQuotingArtefacts(t *testing.T) {
	var walk func(c *cobra.Command)
	seen := 0
	walk = func(c *cobra.Command) {
		check := func(f *pflag.Flag) {
			seen++
			name, usage := pflag.UnquoteUsage(f)
			if strings.Contains(f.Usage, "`") {
				t.Errorf("%s --%s: usage %q has backticks: help shows the value's name as %q", c.CommandPath(), f.Name, f.Usage, name)
			}
			if strings.ContainsAny(name, " `") {
				t.Errorf("%s --%s: value name %q (usage %q)", c.CommandPath(), f.Name, name, usage)
			}
		}
		c.LocalFlags().VisitAll(check)
		help := c.LocalFlags().FlagUsages()
		for _, line := range strings.Split(help, "\n") {
			if strings.Contains(line, "`") {
				t.Errorf("%s help: %q", c.CommandPath(), line)
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(commandTree(t))
	if seen < 50 {
		t.Fatalf("walked only %d flags: the tree is not the CLI's", seen)
	}
}
