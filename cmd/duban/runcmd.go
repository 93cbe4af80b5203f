package main

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"duban/engine"
	"duban/internal/columns"
)

func (a *app) runCmd() *cobra.Command {
	var once, full bool
	var pageSize int
	var now, rulesDir, format string
	var only, calendars []string
	cmd := &cobra.Command{
		Use:   "run --once",
		Short: "Run one tick of every rule and print what it raised",
		Long: `Run one tick: evaluate every rule at --now (default: the clock) and write the
notices, flags and accountability records it raises. It prints the outcomes this
tick raised or re-raised; a second tick at the same time prints none. Use it from
system cron or a Kubernetes CronJob; ` + "`duban serve`" + ` runs ticks on the rules' own schedules.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !once {
				return fmt.Errorf("run needs --once (use `duban serve` for the long-running service)")
			}
			if err := checkFormat(format); err != nil {
				return err
			}
			su, err := a.begin(cmd.Context(), now, rulesDir, calendars)
			if err != nil {
				return err
			}
			defer su.s.Close()
			t, rs, s := su.now, su.rs, su.s
			for _, w := range rs.Warnings {
				fmt.Fprintln(a.stderr, w)
			}
			eng := engine.New(s, a.logger())
			eng.PageSize = pageSize
			enc := json.NewEncoder(a.stdout)
			enc.SetEscapeHTML(false)
			loc := rs.Location
			rep, err := eng.Tick(cmd.Context(), rs, t, engine.TickOptions{Rules: only, Full: full, OnOutcome: func(o engine.Outcome) {
				if o.Action == engine.ActionResolved {
					return
				}
				if format == "json" {
					enc.Encode(o)
					return
				}
				fmt.Fprintf(a.stdout, "%-14s %-8s %-24s %s %s %s\n", o.Kind, o.Action, o.Rule,
					columns.Pad(subjectOf(o), 18), columns.Pad(detailOf(o), 14), o.Title+o.Reason)
			}})
			if err != nil {
				return err
			}
			summary := a.stdout
			if format == "json" {
				summary = a.stderr
			}
			printRunSummary(summary, rep, loc.String())
			if n := rep.Errors(); n > 0 {
				fmt.Fprintf(a.stderr, "duban: %d rule errors in this tick (see above)\n", n)
				return exitError{1}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&once, "once", false, "run a single tick and exit")
	cmd.Flags().StringVar(&now, "now", "", "the instant to reason about, RFC 3339 (default: now)")
	cmd.Flags().StringVar(&rulesDir, "rules", "", "directory of rule files (default: the built-in rule pack)")
	cmd.Flags().StringSliceVar(&calendars, "calendar", nil, "calendar file(s) with local holidays and later years")
	cmd.Flags().StringSliceVar(&only, "rule", nil, "run only these rule ids")
	cmd.Flags().StringVar(&format, "format", "text", "output: text or json (one object per line)")
	cmd.Flags().IntVar(&pageSize, "page-size", engine.DefaultPageSize, "subjects read, evaluated and written per transaction")
	cmd.Flags().BoolVar(&full, "full", false, "evaluate every subject, even where an incremental tick would do")
	return cmd
}

func subjectOf(o engine.Outcome) string {
	if o.CaseNo != "" {
		return o.CaseNo
	}
	return o.Subject
}

func detailOf(o engine.Outcome) string {
	switch o.Kind {
	case engine.KindNotice:
		return o.Level + "→" + o.Unit
	case engine.KindFlag:
		return o.Flag
	case engine.KindAccountability:
		return o.Grade + "→" + o.Unit
	}
	return ""
}

func printRunSummary(w io.Writer, rep *engine.Report, zone string) {
	fmt.Fprintf(w, "\ntick %s at %s (%s)\n", rep.TickID, rep.Now.Format("2006-01-02T15:04:05Z07:00"), zone)
	tw := columns.NewWriter(w)
	fmt.Fprintln(tw, "RULE\tSUBJECTS\tHOLDS\tRAISED\tRE-RAISED\tRESOLVED\tFLAGS\tACCOUNTABILITY\tERRORS\tTIME")
	for _, r := range rep.Runs {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%s\n", r.RuleID, r.Subjects, r.Fired, r.Raised, r.Reraised,
			r.Resolved, r.Flags, r.Accountability, r.Errors, time.Duration(r.DurationMS)*time.Millisecond)
	}
	tw.Flush()
	for _, r := range rep.Runs {
		if r.FirstError != "" {
			fmt.Fprintf(w, "rule %s: first error: %s\n", r.RuleID, r.FirstError)
		}
	}
}
