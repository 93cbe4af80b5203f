package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"duban/internal/columns"
	"duban/store"
)

func (a *app) dbCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "db", Short: "The database's schema: its version and migrations"}
	cmd.AddCommand(a.dbStatusCmd(), a.dbMigrateCmd())
	return cmd
}

// migrationJSON is a migration as `db status --format json` shows it.
type migrationJSON struct {
	Version int64  `json:"version"`
	Name    string `json:"name"`
	Compat  string `json:"compat"`
}

type schemaStatusJSON struct {
	DSN     string                   `json:"dsn"`
	Current int64                    `json:"current"`
	Latest  int64                    `json:"latest"`
	Legacy  bool                     `json:"legacy"`
	Applied []store.AppliedMigration `json:"applied"`
	Pending []migrationJSON          `json:"pending"`
	Newer   []store.AppliedMigration `json:"newer"`
}

// openSchemaOnly opens the store without migrating or checking the schema.
func (a *app) openSchemaOnly(cmd *cobra.Command) (*store.Store, error) {
	return store.Open(cmd.Context(), store.ResolveDSN(a.db), store.Options{SkipMigrate: true})
}

func (a *app) dbStatusCmd() *cobra.Command {
	format := "text"
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Print the schema version and the pending migrations",
		Long: `Print the database's schema version, the newest this binary knows, the
migrations applied and those pending (what ` + "`duban db migrate`" + ` would apply).
It changes nothing.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format); err != nil {
				return err
			}
			s, err := a.openSchemaOnly(cmd)
			if err != nil {
				return err
			}
			defer s.Close()
			st, err := s.SchemaStatus(cmd.Context())
			if err != nil {
				return err
			}
			if format == "json" {
				out := schemaStatusJSON{DSN: s.DSN, Current: st.Current, Latest: st.Latest, Legacy: st.Legacy,
					Applied: st.Applied, Pending: []migrationJSON{}, Newer: st.Newer}
				if out.Applied == nil {
					out.Applied = []store.AppliedMigration{}
				}
				if out.Newer == nil {
					out.Newer = []store.AppliedMigration{}
				}
				for _, m := range st.Pending {
					out.Pending = append(out.Pending, migrationJSON{m.Version, m.Name, m.Compat.String()})
				}
				enc := json.NewEncoder(a.stdout)
				enc.SetEscapeHTML(false)
				return enc.Encode(out)
			}
			loc, err := a.location()
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "database %s: schema version %d; this binary knows up to %d\n", s.DSN, st.Current, st.Latest)
			if st.Legacy {
				fmt.Fprintln(a.stdout, "made before versioned migrations: `duban db migrate` records it at version 1 after checking its tables, without running migration 1")
			}
			table := func(title string, rows [][]string) error {
				if len(rows) == 0 {
					return nil
				}
				fmt.Fprintf(a.stdout, "\n%s:\n", title)
				tw := columns.NewWriter(a.stdout)
				for _, r := range rows {
					fmt.Fprintln(tw, strings.Join(r, "\t"))
				}
				return tw.Flush()
			}
			applied := [][]string{{"VERSION", "NAME", "COMPAT", "APPLIED"}}
			for _, m := range st.Applied {
				applied = append(applied, []string{fmt.Sprint(m.Version), m.Name, m.Compat, showTime(m.AppliedAt, loc)})
			}
			pending := [][]string{{"VERSION", "NAME", "COMPAT"}}
			for _, m := range st.Pending {
				pending = append(pending, []string{fmt.Sprint(m.Version), m.Name, m.Compat.String()})
			}
			newer := [][]string{{"VERSION", "NAME", "COMPAT", "APPLIED"}}
			for _, m := range st.Newer {
				newer = append(newer, []string{fmt.Sprint(m.Version), m.Name, m.Compat, showTime(m.AppliedAt, loc)})
			}
			for _, t := range []struct {
				title string
				rows  [][]string
			}{{"applied", applied}, {"pending", pending}, {"newer than this binary", newer}} {
				if len(t.rows) > 1 {
					if err := table(t.title, t.rows); err != nil {
						return err
					}
				}
			}
			if len(st.Pending) == 0 && len(st.Newer) == 0 {
				fmt.Fprintln(a.stdout, "\nup to date")
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output: text or json")
	return cmd
}

func (a *app) dbMigrateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Apply the pending migrations",
		Long: `Apply the pending migrations in order, each in a transaction where the
database allows it (MySQL commits each DDL statement at once). Every command
and ` + "`duban serve`" + ` do this at start unless --no-migrate is given.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := a.openSchemaOnly(cmd)
			if err != nil {
				return err
			}
			defer s.Close()
			before, err := s.SchemaStatus(cmd.Context())
			if err != nil {
				return err
			}
			applied, err := s.Migrate(cmd.Context())
			if err != nil {
				return err
			}
			for i, m := range applied {
				verb := "applied"
				if i == 0 && before.Legacy {
					verb = "recorded (its tables were already there; nothing ran)"
				}
				fmt.Fprintf(a.stdout, "%s %d %s (%s)\n", verb, m.Version, m.Name, m.Compat)
			}
			st, err := s.SchemaStatus(cmd.Context())
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "database %s: schema version %d\n", s.DSN, st.Current)
			return nil
		},
	}
}
