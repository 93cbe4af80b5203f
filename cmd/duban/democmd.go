package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"duban/auth"
	"duban/demo"
	"duban/engine"
	"duban/internal/columns"
	"duban/store"
)

func (a *app) demoCmd() *cobra.Command {
	var now string
	var seed uint64
	var cases int
	var force bool
	var password string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Build a demo county in the database, run every rule once and print what they raised",
		Long: `Build a realistic county — units, leaders and their reception roster, six months
of cases with the mix a county sees, received and handled in office hours, some
closed late — deterministically from --seed and --now. The 14 days before now run
as daily ticks at 08:00 (each day's cases as they stood, units acknowledging most
notices, inspectors reviewing most accountability records), then every rule runs
at now and what stands open is compared with what the demo planted.
It writes to the default database (sqlite:duban.db) unless --db says otherwise,
and rebuilds a database it built before (ids from 1 again); it will not touch
other data without --force.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			started := time.Now()
			su, err := a.begin(ctx, now, "", nil)
			if err != nil {
				return err
			}
			defer su.s.Close()
			t, rs, s := su.now, su.rs, su.s
			if err := prepareDemoDB(cmd, s, force); err != nil {
				return err
			}
			county := demo.Generate(rs.Calendar, demo.Options{Seed: seed, Now: t, Cases: cases})
			// The units, people, roster and petitioners; the cases day by day.
			past := *county
			past.Cases = nil
			if err := demo.Load(ctx, s, &past, seed); err != nil {
				return err
			}
			eng := engine.New(s, a.logger())
			if err := demo.History(ctx, s, eng, rs, county, t, seed); err != nil {
				return err
			}
			if _, err := s.UpsertCases(ctx, county.Cases, county.Pets); err != nil {
				return fmt.Errorf("demo cases: %w", err)
			}
			if password == "" {
				password = auth.NewPassword()
			}
			if err := demo.AddUsers(ctx, s, password); err != nil {
				return err
			}
			rep, err := eng.Tick(ctx, rs, t, engine.TickOptions{})
			if err != nil {
				return err
			}
			raised, err := demo.Standing(ctx, s, rs)
			if err != nil {
				return err
			}
			w := a.stdout
			fmt.Fprintf(w, "示范县 demo (seed %d): %d units, %d leaders, %d reception slots, %d cases, now %s\n\n",
				seed, len(county.Units), len(county.Leaders), len(county.Slots), len(county.Cases),
				t.In(rs.Location).Format("2006-01-02 15:04 MST"))
			tw := columns.NewWriter(w)
			fmt.Fprintln(tw, "RULE\tNAME\tSUBJECTS\tOPEN NOTICES\tFLAGS\tACCOUNTABILITY\tPLANTED\t")
			mismatch := 0
			for _, r := range rs.Rules {
				got, want := raised[r.ID], county.Expect[r.ID]
				subjects := 0
				for _, run := range rep.Runs {
					if run.RuleID == r.ID {
						subjects = run.Subjects
					}
				}
				mark := "ok"
				if *got != want {
					mark = fmt.Sprintf("MISMATCH, planted %d/%d/%d", want.Notices, want.Flags, want.Accountability)
					mismatch++
				}
				fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%s\t\n", r.ID, r.Name, subjects, got.Notices, got.Flags, got.Accountability, mark)
			}
			tw.Flush()
			fmt.Fprintf(w, "\nbuilt and checked in %s; database %s\n", time.Since(started).Round(time.Millisecond), s.DSN)
			self := a.self
			if a.db != "" {
				self += " --db " + shellQuote(a.db)
			}
			web := self + " web"
			if now != "" {
				web += " --now " + t.Format(time.RFC3339)
			}
			fmt.Fprintf(w, "\nsign in at http://127.0.0.1:8080/ (%s) with password %s as:\n", web, password)
			for _, u := range demo.Users {
				fmt.Fprintf(w, "  %-8s %s (%s)\n", u.Username, u.Name, u.Role)
			}
			fmt.Fprintf(w, "next: %s notices list · %s notices show 1 · %s rules explain deadline.breach %s · %s, then open http://127.0.0.1:8080/\n",
				self, self, self, county.Showcase, web)
			if mismatch > 0 || rep.Errors() > 0 {
				fmt.Fprintf(a.stderr, "duban: %d rules raised other than the demo planted, %d rule errors\n", mismatch, rep.Errors())
				return exitError{1}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&now, "now", "", "the demo's today, RFC 3339 (default: now)")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "random seed: the same seed and now build the same county")
	cmd.Flags().IntVar(&cases, "cases", 3000, "number of cases")
	cmd.Flags().BoolVar(&force, "force", false, "wipe a database that holds data the demo did not build")
	cmd.Flags().StringVar(&password, "password", "", "the demo users' password (default: generated and printed)")
	return cmd
}

// prepareDemoDB empties the database if the demo built it (or --force).
func prepareDemoDB(cmd *cobra.Command, s *store.Store, force bool) error {
	ctx := cmd.Context()
	counts, err := s.Counts(ctx)
	if err != nil {
		return err
	}
	empty := true
	for _, n := range counts {
		if n > 0 {
			empty = false
		}
	}
	if empty {
		return nil
	}
	mark, err := s.Setting(ctx, demo.SettingKey)
	if err != nil {
		return err
	}
	if mark == "" && !force {
		return fmt.Errorf("%s already holds %d cases the demo did not build; give another --db, or --force to wipe it", s.DSN, counts["cases"])
	}
	return s.Reset(ctx)
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
