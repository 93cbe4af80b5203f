package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"duban/rules"
	"duban/ruletest"
)

// builtinRules names the rule pack inside the binary where a command takes
// rule paths (rules diff builtin ./my-rules).
const builtinRules = "builtin"

func (a *app) rulesCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "rules", Short: "Check, test, explain and backtest rule files"}
	var calendars []string
	cmd.PersistentFlags().StringSliceVar(&calendars, "calendar", nil, "calendar file(s) with local holidays and later years")

	var checkNow string
	var strict bool
	check := &cobra.Command{
		Use:   "check [FILE|DIR]...",
		Short: "Check rule files: every problem as file:line:col: rule id: message (default: the built-in pack)",
		Long: `Check rule files and report every problem in one run, each as
file:line:col: rule id: message — YAML errors, unknown keys, unknown fields (with the
name probably meant), type errors, bad cron specs and templates, duplicate ids, notices
without recipients. Exit status 1 on any error.

Warnings (unused params, a repeat shorter than the schedule, a petitioner rule without a
window, tests naming rules that do not exist, a holiday calendar that ends before next
year for rules counting working days) are printed too; --strict makes them fail.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			_, t, err := parseNow(checkNow)
			if err != nil {
				return err
			}
			rs, err := loadRulePaths(args, calendars, t, nil)
			if err != nil {
				fmt.Fprintln(a.stderr, err)
				return exitError{1}
			}
			for _, w := range rs.Warnings {
				fmt.Fprintln(a.stderr, w)
			}
			if strict && len(rs.Warnings) > 0 {
				fmt.Fprintf(a.stderr, "%d warnings (--strict)\n", len(rs.Warnings))
				return exitError{1}
			}
			fmt.Fprintf(a.stdout, "ok: %d rules, %d tests, %d warnings in %s\n", len(rs.Rules), len(rs.Tests), len(rs.Warnings), strings.Join(rs.Files, ", "))
			return nil
		},
	}
	check.Flags().StringVar(&checkNow, "now", "", "date the calendar check as of this instant, RFC 3339 (default: now)")
	check.Flags().BoolVar(&strict, "strict", false, "fail on warnings too")

	var runPattern, testRules string
	test := &cobra.Command{
		Use:   "test [FILE|DIR]...",
		Short: "Run the tests written in rule files and test files (default: the built-in pack)",
		Long: `Run the tests of rule files (their tests: lists) and of test files (name_test.yaml,
holding only tests:). Each test gets a fresh in-memory database, its units, cases and
slots, and real ticks at its times; a failing test prints a diff of each failing step:

  - missing:    an outcome the test expects that the tick did not raise
                (with what the rule raised for that subject instead)
  + unexpected: an outcome the tick raised that the test does not expect
  ! unwanted:   an outcome the test says must not be raised

When the arguments are only test files, they test the rules of --rules DIR (default:
the built-in pack). Exit status 1 when any test fails.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			var filter *regexp.Regexp
			if runPattern != "" {
				var err error
				if filter, err = regexp.Compile(runPattern); err != nil {
					return fmt.Errorf("--run: %w", err)
				}
			}
			var ruleArgs, testFiles []string
			for _, p := range args {
				if rules.IsTestFile(p) {
					testFiles = append(testFiles, p)
				} else {
					ruleArgs = append(ruleArgs, p)
				}
			}
			// Only test files: run just their tests, against --rules or the pack.
			onlyFiles := len(ruleArgs) == 0 && len(testFiles) > 0
			if len(ruleArgs) == 0 && testRules != "" {
				ruleArgs = []string{testRules}
			}
			if len(ruleArgs) > 0 {
				// Test files given beside rule paths are loaded with them.
				ruleArgs, testFiles = append(ruleArgs, testFiles...), nil
			}
			rs, err := loadRulePaths(ruleArgs, calendars, time.Time{}, testFiles)
			if err != nil {
				fmt.Fprintln(a.stderr, err)
				return exitError{1}
			}
			for _, w := range rs.Warnings {
				fmt.Fprintln(a.stderr, w)
			}
			ran, failed := 0, 0
			for _, tc := range rs.Tests {
				if filter != nil && !filter.MatchString(tc.Name) || onlyFiles && !slices.Contains(testFiles, tc.File) {
					continue
				}
				ran++
				res := ruletest.RunOne(cmd.Context(), rs, tc)
				if !res.Passed {
					failed++
				}
				res.WriteText(a.stdout)
			}
			fmt.Fprintf(a.stdout, "%d tests, %d failed\n", ran, failed)
			if failed > 0 {
				return exitError{1}
			}
			if ran == 0 {
				fmt.Fprintln(a.stderr, "duban: no tests ran")
				return exitError{1}
			}
			return nil
		},
	}
	test.Flags().StringVar(&runPattern, "run", "", "run only the tests whose name matches this regular expression")
	test.Flags().StringVar(&testRules, "rules", "", "rules to test when the arguments are only test files (default: the built-in pack)")

	var force bool
	initCmd := &cobra.Command{
		Use:   "init DIR",
		Short: "Write the built-in rule pack into DIR, to edit and then load with --rules DIR",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := args[0]
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			names, err := fs.Glob(rules.Defaults(), "*.yaml")
			if err != nil {
				return err
			}
			for _, n := range names {
				dst := filepath.Join(dir, n)
				if _, err := os.Stat(dst); err == nil && !force {
					return fmt.Errorf("%s exists; --force overwrites it", dst)
				}
			}
			for _, n := range names {
				src, err := fs.ReadFile(rules.Defaults(), n)
				if err != nil {
					return err
				}
				if err := os.WriteFile(filepath.Join(dir, n), src, 0o644); err != nil {
					return err
				}
			}
			fmt.Fprintf(a.stdout, "wrote %d rule files to %s; check them with: duban rules check %s\n", len(names), dir, dir)
			return nil
		},
	}
	initCmd.Flags().BoolVar(&force, "force", false, "overwrite files that exist")

	cmd.AddCommand(check, test, a.explainCmd(&calendars), a.diffCmd(&calendars), initCmd)
	return cmd
}

// loadRulePaths loads rule files and directories, the word builtin for the
// pack inside the binary, or the pack when no path is given.
func loadRulePaths(paths, calendars []string, now time.Time, testFiles []string) (*rules.RuleSet, error) {
	opts := rules.Options{CalendarFiles: calendars, Now: now, TestFiles: testFiles}
	if len(paths) == 0 || len(paths) == 1 && paths[0] == builtinRules {
		if _, err := os.Stat(builtinRules); len(paths) == 1 && err == nil {
			return nil, fmt.Errorf("%q is both a path and the name of the built-in pack: write ./%s for the path", builtinRules, builtinRules)
		}
		return rules.Load(rules.Defaults(), opts)
	}
	return rules.LoadPaths(paths, opts)
}
