package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"duban/rules"
	"duban/ruletest"
)

func (a *app) rulesCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "rules", Short: "Check and test rule files"}
	var calendars []string
	load := func(paths []string) (*rules.RuleSet, error) {
		if len(paths) == 0 {
			return rules.Load(rules.Defaults(), rules.Options{CalendarFiles: calendars})
		}
		return rules.LoadPaths(paths, rules.Options{CalendarFiles: calendars})
	}
	check := &cobra.Command{
		Use:   "check [FILE|DIR]...",
		Short: "Check rule files: every problem as file:line:col: rule id: message (default: the built-in pack)",
		RunE: func(cmd *cobra.Command, args []string) error {
			rs, err := load(args)
			if err != nil {
				fmt.Fprintln(a.stderr, err)
				return exitError{1}
			}
			for _, w := range rs.Warnings {
				fmt.Fprintln(a.stderr, w)
			}
			fmt.Fprintf(a.stdout, "ok: %d rules in %s\n", len(rs.Rules), strings.Join(rs.Files, ", "))
			return nil
		},
	}
	test := &cobra.Command{
		Use:   "test [FILE|DIR]...",
		Short: "Run the tests written in rule files (default: the built-in pack)",
		RunE: func(cmd *cobra.Command, args []string) error {
			rs, err := load(args)
			if err != nil {
				fmt.Fprintln(a.stderr, err)
				return exitError{1}
			}
			failed := 0
			for _, res := range ruletest.Run(cmd.Context(), rs) {
				switch {
				case res.Err != nil:
					failed++
					fmt.Fprintf(a.stdout, "ERROR %s\n      %v\n", res.Name(), strings.ReplaceAll(res.Err.Error(), "\n", "\n      "))
				case !res.Passed:
					failed++
					fmt.Fprintf(a.stdout, "FAIL  %s\n      %s\n", res.Name(), strings.Join(res.Failures, "\n      "))
				default:
					fmt.Fprintf(a.stdout, "ok    %s\n", res.Name())
				}
			}
			fmt.Fprintf(a.stdout, "%d tests, %d failed\n", len(rs.Tests), failed)
			if failed > 0 {
				return exitError{1}
			}
			return nil
		},
	}
	cmd.PersistentFlags().StringSliceVar(&calendars, "calendar", nil, "calendar file(s) with local holidays and later years")
	cmd.AddCommand(check, test)
	return cmd
}
