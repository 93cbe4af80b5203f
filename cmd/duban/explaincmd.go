package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"duban/clock"
	"duban/explain"
	"duban/internal/columns"
	"duban/store"
)

// openReadOnly opens the database for commands that only read: it must
// exist already. Like every command it migrates at start unless
// --no-migrate says not to (a schema behind the binary cannot be read).
func (a *app) openReadOnly(ctx context.Context, clk clock.Clock) (*store.Store, error) {
	return a.openExisting(ctx, clk)
}

// openExisting opens a database that must exist already (upgrading its
// schema): commands that work on data refuse a mistyped path rather than
// create an empty database and show it.
func (a *app) openExisting(ctx context.Context, clk clock.Clock) (*store.Store, error) {
	if err := a.mustExist(store.ResolveDSN(a.db)); err != nil {
		return nil, err
	}
	return a.openStore(ctx, clk)
}

// mustExist refuses an SQLite file that does not exist, saying how to make
// one; a MySQL database is created by its administrator, never by duban.
func (a *app) mustExist(dsn string) error {
	path, ok := strings.CutPrefix(dsn, "sqlite:")
	if !ok {
		return nil
	}
	path = strings.TrimPrefix(path, "//")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if path == ":memory:" || path == "" {
		return nil
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("no database at %s: build one with `%s demo` or `%s import FILE`, or name another with --db", path, a.self, a.self)
	}
	return nil
}

func (a *app) explainCmd(calendars *[]string) *cobra.Command {
	var now, rulesDir, format string
	cmd := &cobra.Command{
		Use:   "explain RULE SUBJECT",
		Short: "Show why a rule does or does not fire for one case, petitioner or reception slot",
		Long: `Evaluate one rule for one subject in the database at --now and show the condition
with the value of each of its parts; parts of the outermost && are marked ✓ or ✗.
SUBJECT is a case number for case rules, a petitioner id (or one of their case
numbers) for petitioner rules, and date/leader (2026-03-10/王建国) for reception-slot
rules. When the rule holds, it also shows what the rule would raise. Nothing is
written. The evidence stored with each notice (duban notices show ID) reads the same.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format); err != nil {
				return err
			}
			clk, t, err := parseNow(now)
			if err != nil {
				return err
			}
			rs, err := loadRules(rulesDir, *calendars, t)
			if err != nil {
				return err
			}
			s, err := a.openReadOnly(cmd.Context(), clk)
			if err != nil {
				return err
			}
			defer s.Close()
			res, err := explain.Subject(cmd.Context(), s, rs, args[0], args[1], t)
			if err != nil {
				return err
			}
			would := explain.WouldRaise(res.Raised)
			if format == "json" {
				enc := json.NewEncoder(a.stdout)
				enc.SetEscapeHTML(false)
				return enc.Encode(map[string]any{"evidence": res.Evidence, "would_raise": would, "note": res.Note, "cases": res.Cases})
			}
			if res.Note != "" {
				fmt.Fprintf(a.stdout, "(%s)\n", res.Note)
			}
			res.Evidence.WriteText(a.stdout)
			if len(res.Cases) > 0 {
				since := "all of them: the rule has no window"
				if !res.Since.IsZero() {
					since = "received since " + res.Since.In(rs.Location).Format("2006-01-02 15:04")
				}
				fmt.Fprintf(a.stdout, "cases the rule sees (%s):\n", since)
				tw := columns.NewWriter(a.stdout)
				for _, c := range res.Cases {
					fmt.Fprintf(tw, "    %s\t%s\t%s\t%s\t%s\n", c.CaseNo, c.ReceivedAt.In(rs.Location).Format("2006-01-02"), dash(c.Category), c.Status, dash(c.AssignedUnit))
				}
				tw.Flush()
			}
			for i, w := range would {
				if i == 0 {
					fmt.Fprintln(a.stdout, "would raise:")
				}
				fmt.Fprintf(a.stdout, "    %s\n", w)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&now, "now", "", "the instant to reason about, RFC 3339 (default: now)")
	cmd.Flags().StringVar(&rulesDir, "rules", "", "directory of rule files (default: the built-in rule pack)")
	cmd.Flags().StringVar(&format, "format", "text", "text or json")
	return cmd
}
