package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"duban/access"
	"duban/internal/columns"
	"duban/rules"
	"duban/store"
)

// showCmd builds `X show ID`: one record with its fields and the evidence
// of why its rule raised it, in the format `duban rules explain` prints.
func (a *app) showCmd(what, idName string, show func(cmd *cobra.Command, s *store.Store, id int64, loc *time.Location, format string) error) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "show " + idName,
		Short: "Show one " + what + " with the evidence of why its rule raised it",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil || id <= 0 {
				return fmt.Errorf("%s %q: want the %s's number", idName, args[0], what)
			}
			if err := checkFormat(format); err != nil {
				return err
			}
			loc, err := a.location()
			if err != nil {
				return err
			}
			s, err := a.openReadOnly(cmd.Context(), nil)
			if err != nil {
				return err
			}
			defer s.Close()
			return show(cmd, s, id, loc, format)
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "text or json")
	return cmd
}

func (a *app) noticeShowCmd() *cobra.Command {
	return a.showCmd("notice", "ID", func(cmd *cobra.Command, s *store.Store, id int64, loc *time.Location, format string) error {
		n, err := s.Notice(cmd.Context(), uint64(id))
		if err != nil {
			return err
		}
		nm, err := a.names(cmd.Context(), s, false)
		if err != nil {
			return err
		}
		if format == "json" {
			return jsonLines(a.stdout, []any{access.NoticeJSON(n, nm.units.byCode, nm.rules)})
		}
		subjects, err := nm.subjects(cmd.Context(), s, []string{n.SubjectKey})
		if err != nil {
			return err
		}
		var recipients []string
		json.Unmarshal([]byte(n.Recipients), &recipients)
		for i, r := range recipients {
			recipients[i] = nm.units.label(r)
		}
		fields := [][2]string{
			{"notice", fmt.Sprintf("%d  %s  %s", n.ID, n.Level, n.Status)},
			{"rule", fmt.Sprintf("%s  (%s %s)", nm.rule(n.RuleID), n.SubjectKind, subjects[n.SubjectKey])},
			{"unit", fmt.Sprintf("%s  (to %s)", dash(nm.units.label(n.UnitCode)), strings.Join(recipients, ", "))},
			{"raised", showTime(n.RaisedAt, loc)},
			{"sent", fmt.Sprintf("%d×, last %s", n.SendCount, showTime(n.LastSentAt, loc))},
		}
		if n.AckedAt != nil {
			fields = append(fields, [2]string{"acknowledged", fmt.Sprintf("%s by %s %s", showTime(*n.AckedAt, loc), n.AckedBy, n.AckComment)})
		}
		if n.ResolvedAt != nil {
			fields = append(fields, [2]string{"resolved", showTime(*n.ResolvedAt, loc)})
		}
		fields = append(fields, [2]string{"title", n.Title}, [2]string{"body", n.Body})
		writeFields(a.stdout, fields)
		return writeEvidence(a.stdout, n.Evidence, "why it was raised")
	})
}

func (a *app) flagShowCmd() *cobra.Command {
	return a.showCmd("flag", "ID", func(cmd *cobra.Command, s *store.Store, id int64, loc *time.Location, format string) error {
		f, err := s.Flag(cmd.Context(), uint64(id))
		if err != nil {
			return err
		}
		if format == "json" {
			return jsonLines(a.stdout, []any{access.FlagJSON(f)})
		}
		nm, err := a.names(cmd.Context(), s, false)
		if err != nil {
			return err
		}
		subjects, err := nm.subjects(cmd.Context(), s, []string{f.Subject})
		if err != nil {
			return err
		}
		writeFields(a.stdout, [][2]string{
			{"flag", fmt.Sprintf("%d  %s", f.ID, f.Label)},
			{"case", f.CaseNo},
			{"rule", fmt.Sprintf("%s  (subject %s)", nm.rule(f.RuleID), subjects[f.Subject])},
			{"set", showTime(f.SetAt, loc)},
		})
		return writeEvidence(a.stdout, f.Evidence, "why it was set")
	})
}

func (a *app) auditShowCmd() *cobra.Command {
	return a.showCmd("accountability record", "SEQ", func(cmd *cobra.Command, s *store.Store, seq int64, loc *time.Location, format string) error {
		r, err := s.AccountabilityEntry(cmd.Context(), seq)
		if err != nil {
			return err
		}
		nm, err := a.names(cmd.Context(), s, false)
		if err != nil {
			return err
		}
		if format == "json" {
			return jsonLines(a.stdout, []any{access.RecordJSON(r, nm.units.byCode)})
		}
		fields := [][2]string{
			{"entry", fmt.Sprintf("%d  %s", r.Seq, r.Kind)},
			{"at", showTime(r.CreatedAt, loc)},
		}
		if r.Kind == "review" {
			fields = append(fields, [2]string{"review", fmt.Sprintf("%s record %d by %s", r.Decision, r.RefSeq, r.Reviewer)},
				[2]string{"reason", r.Reason})
		} else {
			fields = append(fields,
				[2]string{"rule", fmt.Sprintf("%s  (%s %s)", nm.rule(r.RuleID), r.SubjectKind, r.SubjectKey)},
				[2]string{"against", fmt.Sprintf("%s  %s", nm.units.label(r.UnitCode), r.Grade)},
				[2]string{"reason", r.Reason})
		}
		fields = append(fields, [2]string{"hash", r.Hash})
		writeFields(a.stdout, fields)
		if r.Evidence == "" {
			return nil
		}
		return writeEvidence(a.stdout, r.Evidence, "why it was recorded")
	})
}

func writeFields(w io.Writer, fields [][2]string) {
	tw := columns.NewWriter(w)
	for _, f := range fields {
		if f[1] == "" {
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\n", f[0], strings.ReplaceAll(strings.TrimSpace(f[1]), "\n", " "))
	}
	tw.Flush()
}

// writeEvidence prints stored evidence (JSON) as `rules explain` does.
func writeEvidence(w io.Writer, stored, why string) error {
	fmt.Fprintf(w, "\nevidence (%s):\n", why)
	if stored == "" {
		fmt.Fprintln(w, "    (none stored)")
		return nil
	}
	var ev rules.Evidence
	if err := json.Unmarshal([]byte(stored), &ev); err != nil {
		return fmt.Errorf("stored evidence is not readable: %w", err)
	}
	ev.WriteText(w)
	return nil
}
