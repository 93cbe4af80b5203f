package main

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"duban/access"
	"duban/internal/columns"
	"duban/keys"
	"duban/models"
	"duban/store"
)

// jsonLines writes each item as one JSON object per line.
func jsonLines[T any](w io.Writer, items []T) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, it := range items {
		if err := enc.Encode(it); err != nil {
			return err
		}
	}
	return nil
}

func showTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(loc).Format("2006-01-02 15:04")
}

// listing checks the output format, opens the store and the display zone,
// and runs a listing.
// keyFlags normalises key flags as every other way in does (keys): a bad
// one names its flag. Each pair is the flag's name and its value.
func keyFlags(normalise func(string) (string, error), flags map[string]*string) error {
	for name, v := range flags {
		k, err := keys.Optional(normalise, *v)
		if err != nil {
			return fmt.Errorf("--%s: %v", name, err)
		}
		*v = k
	}
	return nil
}

func (a *app) listing(cmd *cobra.Command, format string, fn func(s *store.Store, loc *time.Location) error) error {
	if err := checkFormat(format); err != nil {
		return err
	}
	loc, err := a.location()
	if err != nil {
		return err
	}
	s, err := a.openExisting(cmd.Context(), nil)
	if err != nil {
		return err
	}
	defer s.Close()
	return fn(s, loc)
}

func (a *app) noticesCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "notices", Short: "Supervision notices (督办通知)"}
	var f store.NoticeFilter
	var units []string
	var format string
	list := &cobra.Command{
		Use:   "list",
		Short: "List notices, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := keyFlags(keys.CaseNo, map[string]*string{"case": &f.CaseNo}); err != nil {
				return err
			}
			if err := oneOf("--status", f.Status, noticeStatuses); err != nil {
				return err
			}
			if err := oneOf("--level", f.Level, models.NoticeLevels); err != nil {
				return err
			}
			return a.listing(cmd, format, func(s *store.Store, loc *time.Location) error {
				ctx := cmd.Context()
				nm, err := a.names(ctx, s, len(units) > 0)
				if err != nil {
					return err
				}
				if f.Units, err = nm.units.resolve("--unit", units); err != nil {
					return err
				}
				if err := nm.checkRule(ctx, s, f.Rule); err != nil {
					return err
				}
				ns, err := s.ListNotices(ctx, f)
				if err != nil {
					return err
				}
				if format == "json" {
					out := make([]access.Notice, len(ns))
					for i := range ns {
						out[i] = access.NoticeJSON(&ns[i], nm.units.byCode, nm.rules)
					}
					return jsonLines(a.stdout, out)
				}
				subjects, err := nm.subjects(ctx, s, noticeSubjects(ns))
				if err != nil {
					return err
				}
				tw := columns.NewWriter(a.stdout)
				fmt.Fprintln(tw, "ID\tRAISED\tLEVEL\tSTATUS\tRULE\tSUBJECT\tUNIT\tSENT\tTITLE")
				for _, n := range ns {
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", n.ID, showTime(n.RaisedAt, loc), n.Level, n.Status,
						nm.rule(n.RuleID), subjects[n.SubjectKey], nm.units.label(n.UnitCode), n.SendCount, truncate(n.Title, 50))
				}
				return tw.Flush()
			})
		},
	}
	list.Flags().StringVar(&f.Status, "status", "", "open, acknowledged or resolved")
	list.Flags().StringSliceVar(&units, "unit", nil, "responsible unit(s), by code or name (zjj or 县住房和城乡建设局), or a recipient group (信访局)")
	list.Flags().StringVar(&f.Level, "level", "", "提醒, 催办 or 督办")
	list.Flags().StringVar(&f.Rule, "rule", "", "rule id")
	list.Flags().StringVar(&f.CaseNo, "case", "", "case number")
	list.Flags().Uint64Var(&f.Before, "before", 0, "only notices with a smaller id (paging)")
	list.Flags().IntVar(&f.Limit, "limit", 100, "at most this many (up to 10000)")
	list.Flags().StringVar(&format, "format", "text", "text or json")
	cmd.AddCommand(list, a.noticeShowCmd())
	return cmd
}

func (a *app) flagsCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "flags", Short: "Abnormal-petition flags (重复访, 越级访, 集体访)"}
	var f store.FlagFilter
	var format string
	list := &cobra.Command{
		Use:   "list",
		Short: "List flags, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := keyFlags(keys.CaseNo, map[string]*string{"case": &f.CaseNo}); err != nil {
				return err
			}
			if err := oneOf("--label", f.Label, flagLabels); err != nil {
				return err
			}
			return a.listing(cmd, format, func(s *store.Store, loc *time.Location) error {
				ctx := cmd.Context()
				fs, err := s.ListFlags(ctx, f)
				if err != nil {
					return err
				}
				if format == "json" {
					out := make([]access.Flag, len(fs))
					for i := range fs {
						out[i] = access.FlagJSON(&fs[i])
					}
					return jsonLines(a.stdout, out)
				}
				nm, err := a.names(ctx, s, false)
				if err != nil {
					return err
				}
				keys := make([]string, len(fs))
				for i, fl := range fs {
					keys[i] = fl.Subject
				}
				subjects, err := nm.subjects(ctx, s, keys)
				if err != nil {
					return err
				}
				tw := columns.NewWriter(a.stdout)
				fmt.Fprintln(tw, "ID\tSET\tLABEL\tCASE\tRULE\tSUBJECT")
				for _, fl := range fs {
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", fl.ID, showTime(fl.SetAt, loc), fl.Label, fl.CaseNo, nm.rule(fl.RuleID), subjects[fl.Subject])
				}
				return tw.Flush()
			})
		},
	}
	list.Flags().StringVar(&f.Label, "label", "", "重复访, 越级访 or 集体访")
	list.Flags().StringVar(&f.CaseNo, "case", "", "case number")
	list.Flags().Uint64Var(&f.Before, "before", 0, "only flags with a smaller id (paging)")
	list.Flags().IntVar(&f.Limit, "limit", 100, "at most this many (up to 10000)")
	list.Flags().StringVar(&format, "format", "text", "text or json")
	cmd.AddCommand(list, a.flagShowCmd())
	return cmd
}

func (a *app) auditCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "audit", Short: "The accountability log (问责台账)"}
	var f store.AccountFilter
	var units []string
	var format string
	list := &cobra.Command{
		Use:   "list",
		Short: "List accountability records and reviews, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := keyFlags(keys.CaseNo, map[string]*string{"case": &f.CaseNo}); err != nil {
				return err
			}
			if err := oneOf("--kind", f.Kind, recordKinds); err != nil {
				return err
			}
			return a.listing(cmd, format, func(s *store.Store, loc *time.Location) error {
				ctx := cmd.Context()
				nm, err := a.names(ctx, s, false)
				if err != nil {
					return err
				}
				if f.Units, err = nm.units.resolve("--unit", units); err != nil {
					return err
				}
				if err := nm.checkRule(ctx, s, f.Rule); err != nil {
					return err
				}
				rs, err := s.ListAccountability(ctx, f)
				if err != nil {
					return err
				}
				if format == "json" {
					out := make([]access.Record, len(rs))
					for i := range rs {
						out[i] = access.RecordJSON(&rs[i], nm.units.byCode)
					}
					return jsonLines(a.stdout, out)
				}
				tw := columns.NewWriter(a.stdout)
				fmt.Fprintln(tw, "SEQ\tAT\tKIND\tRULE\tSUBJECT\tUNIT\tGRADE\tDECISION\tREASON")
				for _, r := range rs {
					decision := r.Decision
					if r.Kind == models.AccountReview {
						decision = fmt.Sprintf("%s #%d by %s", r.Decision, r.RefSeq, r.Reviewer)
					}
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Seq, showTime(r.CreatedAt, loc), r.Kind, nm.rule(r.RuleID),
						dash(r.SubjectKey), nm.units.label(r.UnitCode), dash(r.Grade), dash(decision), truncate(r.Reason, 50))
				}
				return tw.Flush()
			})
		},
	}
	list.Flags().StringSliceVar(&units, "unit", nil, "unit(s), by code or name")
	list.Flags().StringVar(&f.Rule, "rule", "", "rule id")
	list.Flags().StringVar(&f.Kind, "kind", "", "record or review")
	list.Flags().StringVar(&f.CaseNo, "case", "", "case number")
	list.Flags().Int64Var(&f.Before, "before", 0, "only entries with a smaller seq (paging)")
	list.Flags().IntVar(&f.Limit, "limit", 100, "at most this many (up to 10000)")
	list.Flags().StringVar(&format, "format", "text", "text or json")

	var vformat, against string
	verify := &cobra.Command{
		Use:   "verify [--against head.json]",
		Short: "Check that nobody edited, deleted, inserted or reordered accountability entries",
		Long: `Recompute the hash chain of the accountability log and name the first record
that was edited, deleted, inserted or moved. With --against, also check the chain
against a head exported earlier with ` + "`duban audit head --format json`" + ` and kept
outside the database: a chain cut back or rewritten after the export is caught,
though it verifies on its own.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(vformat); err != nil {
				return err
			}
			var head *store.ChainHead
			if against != "" {
				var err error
				if head, err = readHead(against); err != nil {
					return err
				}
			}
			s, err := a.openExisting(cmd.Context(), nil)
			if err != nil {
				return err
			}
			defer s.Close()
			var rep *store.ChainReport
			if head != nil {
				rep, err = s.VerifyChainAgainst(cmd.Context(), *head)
			} else {
				rep, err = s.VerifyChain(cmd.Context())
			}
			if err != nil {
				return err
			}
			if vformat == "json" {
				jsonLines(a.stdout, []any{rep})
			} else if rep.OK {
				fmt.Fprintf(a.stdout, "ok: %d entries, chain head %d %s\n", rep.Records, rep.HeadSeq, rep.HeadHash)
				if head != nil {
					fmt.Fprintf(a.stdout, "ok: record %d still has the hash of the head exported from %s\n", head.Seq, against)
				}
			} else {
				fmt.Fprintf(a.stdout, "FAILED at record %d (id %d): %s\n", rep.First.Seq, rep.First.ID, rep.First.Problem)
			}
			if !rep.OK {
				return exitError{1}
			}
			return nil
		},
	}
	verify.Flags().StringVar(&vformat, "format", "text", "text or json")
	verify.Flags().StringVar(&against, "against", "", "a head exported earlier by duban audit head --format json")

	var reviewer, reason string
	review := &cobra.Command{
		Use:   "review SEQ confirm|dismiss --reviewer NAME --reason TEXT",
		Short: "Record an inspector's decision on an accountability record (a new entry; the record is never changed)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			var seq int64
			if _, err := fmt.Sscan(args[0], &seq); err != nil || seq <= 0 {
				return fmt.Errorf("SEQ %q: want the record's sequence number", args[0])
			}
			s, err := a.openExisting(cmd.Context(), nil)
			if err != nil {
				return err
			}
			defer s.Close()
			rec, err := s.AppendReview(cmd.Context(), seq, args[1], reason, reviewer)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "recorded review %d: %s record %d\n", rec.Seq, rec.Decision, seq)
			return nil
		},
	}
	review.Flags().StringVar(&reviewer, "reviewer", "", "who decides")
	review.Flags().StringVar(&reason, "reason", "", "why")
	cmd.AddCommand(list, verify, a.auditHeadCmd(), review, a.auditShowCmd())
	return cmd
}
