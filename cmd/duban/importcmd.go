package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"duban/importer"
)

func (a *app) importCmd() *cobra.Command {
	var kind, format string
	cmd := &cobra.Command{
		Use:   "import [--kind cases|units|slots] FILE...",
		Short: "Import cases, units or reception slots from JSON Lines, JSON, CSV or XLSX",
		Long: `Import records. Each file is checked in full first: a bad row is reported by
line and field, and nothing of that file is imported. Importing a case_no, unit
code or slot (date and leader) again updates it. Import units before the cases
that name them. Times are RFC 3339 (2026-03-01T10:00:00+08:00); a time without
a zone is read in --tz.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			loc, err := a.location()
			if err != nil {
				return err
			}
			s, err := a.openStore(cmd.Context(), nil)
			if err != nil {
				return err
			}
			defer s.Close()
			failed := 0
			for _, path := range args {
				res, err := importer.File(cmd.Context(), s, path, importer.Options{Kind: kind, Format: format, Location: loc})
				if err != nil {
					fmt.Fprintln(a.stderr, err)
					failed++
					continue
				}
				k := kind
				if k == "" {
					k = importer.KindCases
				}
				fmt.Fprintf(a.stdout, "%s: %d %s created, %d updated\n", path, res.Created, k, res.Updated)
			}
			if failed > 0 {
				return exitError{1}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&kind, "kind", "cases", "what the file holds: cases, units or slots")
	cmd.Flags().StringVar(&format, "format", "", "jsonl, json, csv or xlsx (default: from the file extension)")
	return cmd
}
