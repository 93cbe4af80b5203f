package main

import (
	"fmt"
	"os"
	"os/user"

	"github.com/spf13/cobra"

	"duban/importer"
)

func (a *app) importCmd() *cobra.Command {
	var kind, format, actor, encoding string
	var allowReopen bool
	cmd := &cobra.Command{
		Use:   "import [--kind cases|units|slots] FILE...",
		Short: "Import cases, units or reception slots from JSON Lines, JSON, CSV or XLSX",
		Long: `Import records. Each file is checked in full first: a bad row is reported by
line and field, and nothing of that file is imported. Importing a case_no, unit
code or slot (date and leader) again updates it. Import units before the cases
that name them. Times are RFC 3339 (2026-03-01T10:00:00+08:00); a time without
a zone is read in --tz.

A row for a case that exists changes only the fields it gives: a column the
file does not have, or an empty cell, keeps the stored value. A row that moves
a closed or rejected case back to an open status is refused unless
--allow-reopen. Each case created or changed gets a timeline event naming the
file and --actor (default: the OS user). A file with no records fails.

CSV and JSON are read as UTF-8 (a BOM is dropped), UTF-16 with a BOM, or
GB18030/GBK when the file is not UTF-8 but is that; --encoding forces one. The
summary says which was read. A record longer than 1 MiB, a NUL byte, bytes
not in the encoding, an unknown column, merged cells and an identity number
stored as a number are refused by line or cell.`,
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
			if actor == "" {
				actor = osUser()
			}
			failed := 0
			for _, path := range args {
				res, err := importer.File(cmd.Context(), s, path, importer.Options{Kind: kind, Format: format, Location: loc,
					Actor: actor, AllowReopen: allowReopen, Encoding: encoding})
				if err != nil {
					fmt.Fprintln(a.stderr, err)
					failed++
					continue
				}
				k := kind
				if k == "" {
					k = importer.KindCases
				}
				for _, w := range res.Warnings {
					fmt.Fprintln(a.stderr, "warning:", w)
				}
				fmt.Fprintf(a.stdout, "%s: %d %s created, %d updated", path, res.Created, k, res.Updated)
				if res.Unchanged > 0 {
					fmt.Fprintf(a.stdout, ", %d unchanged", res.Unchanged)
				}
				if res.Encoding != "" {
					fmt.Fprintf(a.stdout, " (read as %s)", res.Encoding)
				}
				fmt.Fprintln(a.stdout)
			}
			if failed > 0 {
				return exitError{1}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&kind, "kind", "cases", "what the file holds: cases, units or slots")
	cmd.Flags().StringVar(&format, "format", "", "jsonl, json, csv or xlsx (default: from the file extension)")
	cmd.Flags().StringVar(&actor, "actor", "", "who runs the import, named in each case's timeline (default: the OS user)")
	cmd.Flags().StringVar(&encoding, "encoding", "", "the text encoding of a CSV or JSON file: utf-8, gb18030, gbk or utf-16 (default: detected)")
	cmd.Flags().BoolVar(&allowReopen, "allow-reopen", false, "let a row move a closed or rejected case back to an open status (recorded as a reopening)")
	return cmd
}

// osUser names who runs a command when --actor does not.
func osUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if name := os.Getenv("USER"); name != "" {
		return name
	}
	return "unknown"
}
