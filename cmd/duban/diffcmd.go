package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"duban/backtest"
	"duban/engine"
	"duban/internal/columns"
)

func (a *app) diffCmd(calendars *[]string) *cobra.Command {
	var now, from, to, at, format string
	var all, exitCode bool
	cmd := &cobra.Command{
		Use:   "diff OLD NEW",
		Short: "Backtest a rule change: what the new rules would raise that the old ones do not, and back",
		Long: `Evaluate two rule sets (files or directories; the word builtin names the pack inside
the binary) against the cases in the database, at --now or once a day from --from to
--to at --at, and list the outcomes that appear, disappear or change (level, unit,
grade, flag, title, reason), with counts per rule and per unit.

Only the rules the two sets define differently are evaluated (--all evaluates every
rule). Both sets are evaluated as dry runs: they read cases, petitioners and slots
but no notices or episodes, and nothing is written. Every day of a period sees the
cases as they are in the database now, so a period is best the days ahead (what the
new rules would raise over the next weeks if nothing changes).

  duban rules init ./my-rules                 # the built-in pack, to edit
  duban rules diff builtin ./my-rules --now 2026-03-10T08:00:00+08:00
  duban rules diff builtin ./my-rules --from 2026-03-01 --to 2026-03-31`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format); err != nil {
				return err
			}
			if now != "" && (from != "" || to != "") {
				return fmt.Errorf("give --now, or --from and --to, not both")
			}
			if (from == "") != (to == "") {
				return fmt.Errorf("give both --from and --to")
			}
			clk, t, err := parseNow(now)
			if err != nil {
				return err
			}
			old, err := loadRulePaths([]string{args[0]}, *calendars, t, nil)
			if err != nil {
				return fmt.Errorf("OLD %s:\n%w", args[0], err)
			}
			new, err := loadRulePaths([]string{args[1]}, *calendars, t, nil)
			if err != nil {
				return fmt.Errorf("NEW %s:\n%w", args[1], err)
			}
			instants := []time.Time{t}
			if from != "" {
				if instants, err = dayInstants(from, to, at, new.Location); err != nil {
					return err
				}
			}
			s, err := a.openReadOnly(cmd.Context(), clk)
			if err != nil {
				return err
			}
			defer s.Close()
			rep, err := backtest.Run(cmd.Context(), s, old, new, backtest.Options{Instants: instants, All: all})
			if err != nil {
				return err
			}
			if format == "json" {
				enc := json.NewEncoder(a.stdout)
				enc.SetEscapeHTML(false)
				for _, c := range rep.Changes {
					if err := enc.Encode(c); err != nil {
						return err
					}
				}
				printDiffSummary(a.stderr, rep, new.Location)
			} else {
				printDiff(a.stdout, rep, new.Location)
				printDiffSummary(a.stdout, rep, new.Location)
			}
			if exitCode && len(rep.Changes) > 0 {
				return exitError{1}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&now, "now", "", "evaluate at this instant, RFC 3339 (default: now)")
	cmd.Flags().StringVar(&from, "from", "", "first day of a period, 2026-03-01")
	cmd.Flags().StringVar(&to, "to", "", "last day of the period, included")
	cmd.Flags().StringVar(&at, "at", "08:00", "time of day of each day's evaluation, in the rules' zone")
	cmd.Flags().BoolVar(&all, "all", false, "evaluate every rule, also those both sets define alike")
	cmd.Flags().BoolVar(&exitCode, "exit-code", false, "exit with status 1 when anything changes")
	cmd.Flags().StringVar(&format, "format", "text", "text, or json: one change per line (the summary goes to stderr)")
	return cmd
}

func dayInstants(from, to, at string, loc *time.Location) ([]time.Time, error) {
	f, err := time.ParseInLocation("2006-01-02", from, loc)
	if err != nil {
		return nil, fmt.Errorf("--from %q: want a date like 2026-03-01", from)
	}
	t, err := time.ParseInLocation("2006-01-02", to, loc)
	if err != nil {
		return nil, fmt.Errorf("--to %q: want a date like 2026-03-31", to)
	}
	hm, err := time.Parse("15:04", at)
	if err != nil {
		return nil, fmt.Errorf("--at %q: want a time of day like 08:00", at)
	}
	return backtest.Days(f, t, hm.Hour(), hm.Minute(), loc)
}

func printDiff(w io.Writer, rep *backtest.Report, loc *time.Location) {
	if len(rep.Changes) == 0 {
		fmt.Fprintln(w, "no outcome changes")
		return
	}
	period := len(rep.Instants) > 1
	tw := columns.NewWriter(w)
	header := "CHANGE\tRULE\tKIND\tSUBJECT\tCASE\tUNIT\tDETAIL"
	if period {
		header += "\tFIRST\tLAST\tDAYS"
	}
	fmt.Fprintln(tw, header)
	for _, c := range rep.Changes {
		o := c.New
		if o == nil {
			o = c.Old
		}
		detail := c.Describe()
		if detail == "" {
			detail = outcomeDetail(o)
		}
		caseNo := c.CaseNo
		if caseNo == "" && o.CaseNo != c.Subject {
			caseNo = o.CaseNo
		}
		line := fmt.Sprintf("%s\t%s\t%s\t%s\t%s\t%s\t%s", c.Change, c.Rule, c.Kind, c.Subject, dash(caseNo), dash(c.Unit()), truncate(detail, 80))
		if period {
			line += fmt.Sprintf("\t%s\t%s\t%d", c.First.In(loc).Format("01-02"), c.Last.In(loc).Format("01-02"), c.Instants)
		}
		fmt.Fprintln(tw, line)
	}
	tw.Flush()
}

func outcomeDetail(o *engine.Outcome) string {
	switch o.Kind {
	case engine.KindNotice:
		return o.Level + " " + o.Title
	case engine.KindFlag:
		return o.Flag
	case engine.KindAccountability:
		return o.Grade + " " + o.Reason
	}
	return ""
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func printDiffSummary(w io.Writer, rep *backtest.Report, loc *time.Location) {
	when := "at " + rep.Instants[0].In(loc).Format("2006-01-02 15:04")
	if n := len(rep.Instants); n > 1 {
		when = fmt.Sprintf("over %d days, %s to %s", n, rep.Instants[0].In(loc).Format("2006-01-02 15:04"), rep.Instants[n-1].In(loc).Format("2006-01-02 15:04"))
	}
	fmt.Fprintf(w, "\nbacktest %s (%s): %d outcomes appear, %d disappear, %d change\n", when, loc,
		countChanges(rep, backtest.Appears), countChanges(rep, backtest.Disappears), countChanges(rep, backtest.Changes))
	fmt.Fprintf(w, "evaluated: %s\n", listOr(append(append(append([]string{}, rep.Evaluated...), rep.OnlyOld...), rep.OnlyNew...), "no rule differs"))
	if len(rep.OnlyOld) > 0 {
		fmt.Fprintf(w, "only in OLD: %s\n", strings.Join(rep.OnlyOld, ", "))
	}
	if len(rep.OnlyNew) > 0 {
		fmt.Fprintf(w, "only in NEW: %s\n", strings.Join(rep.OnlyNew, ", "))
	}
	if len(rep.Unchanged) > 0 {
		fmt.Fprintf(w, "unchanged, not evaluated (--all to evaluate): %d rules\n", len(rep.Unchanged))
	}
	fmt.Fprintf(w, "outcomes summed over the instants: OLD %d, NEW %d\n", rep.HeldOld, rep.HeldNew)
	if len(rep.Changes) == 0 {
		return
	}
	table := func(title string, m map[string]*backtest.Counts) {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		fmt.Fprintln(w)
		tw := columns.NewWriter(w)
		fmt.Fprintf(tw, "%s\tAPPEAR\tDISAPPEAR\tCHANGE\n", title)
		for _, k := range keys {
			c := m[k]
			if k == "" && title == "UNIT" {
				k = "(flags: no unit)"
			}
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\n", k, c.Appears, c.Disappears, c.Changes)
		}
		tw.Flush()
	}
	table("RULE", rep.ByRule)
	table("UNIT", rep.ByUnit)
}

func countChanges(rep *backtest.Report, kind string) int {
	n := 0
	for _, c := range rep.Changes {
		if c.Change == kind {
			n++
		}
	}
	return n
}

func listOr(list []string, none string) string {
	if len(list) == 0 {
		return none
	}
	return strings.Join(list, ", ")
}
