package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"duban/store"
)

// auditHeadCmd is `duban audit head`: the chain's head, to keep outside the
// database and check it against later (audit verify --against).
func (a *app) auditHeadCmd() *cobra.Command {
	var hformat string
	head := &cobra.Command{
		Use:   "head",
		Short: "Verify the chain and print its head (seq, hash, time, count), to keep outside the database",
		Long: `Verify the accountability chain and print its newest entry: sequence number,
hash, time and the number of entries. Keep the JSON form (--format json) outside
the database — mail it to the inspectors, store it in another system — and check
the database against it later with ` + "`duban audit verify --against FILE`" + `. When the
chain does not verify it prints no head and exits 1.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(hformat); err != nil {
				return err
			}
			s, err := a.openExisting(cmd.Context(), nil)
			if err != nil {
				return err
			}
			defer s.Close()
			h, rep, err := s.Head(cmd.Context())
			if err != nil {
				return err
			}
			if h == nil {
				fmt.Fprintf(a.stderr, "duban: the chain does not verify — FAILED at record %d (id %d): %s\n", rep.First.Seq, rep.First.ID, rep.First.Problem)
				return exitError{1}
			}
			if hformat == "json" {
				return jsonLines(a.stdout, []any{h})
			}
			fmt.Fprintf(a.stdout, "head: record %d, hash %s, written %s, %d entries\n", h.Seq, h.Hash, h.Time.Format(time.RFC3339), h.Count)
			return nil
		},
	}
	head.Flags().StringVar(&hformat, "format", "text", "text or json")
	return head
}

// readHead reads a head exported by `duban audit head --format json`.
func readHead(path string) (*store.ChainHead, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var h store.ChainHead
	if err := dec.Decode(&h); err != nil {
		return nil, fmt.Errorf("%s: not a head exported by `duban audit head --format json`: %v", path, err)
	}
	if h.Seq < 0 || h.Count < h.Seq || (h.Seq > 0 && len(h.Hash) != 64) {
		return nil, fmt.Errorf("%s: not a head exported by `duban audit head --format json` (seq %d, count %d, hash %q)", path, h.Seq, h.Count, h.Hash)
	}
	return &h, nil
}
