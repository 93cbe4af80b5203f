package main

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"duban/internal/columns"
	"duban/models"
	"duban/store"
)

func (a *app) deliveriesCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "deliveries", Short: "Notice deliveries to channels: pending, sent, dead letters"}
	var f store.DeliveryFilter
	var format string
	list := &cobra.Command{
		Use:   "list",
		Short: "List deliveries, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.Status != "" && !slices.Contains(models.DeliveryStatuses, f.Status) {
				return fmt.Errorf("--status %q: want pending, sent or dead", f.Status)
			}
			return a.listing(cmd, format, func(s *store.Store, loc *time.Location) error {
				ds, err := s.ListDeliveries(cmd.Context(), f)
				if err != nil {
					return err
				}
				if format == "json" {
					return jsonLines(a.stdout, ds)
				}
				tw := columns.NewWriter(a.stdout)
				fmt.Fprintln(tw, "ID\tCREATED\tCHANNEL\tKEY\tSTATUS\tATTEMPTS\tNEXT/SENT\tLAST ERROR")
				for _, d := range ds {
					when := showTime(d.NextAttemptAt, loc)
					switch d.Status {
					case models.DeliverySent:
						when = showTime(*d.SentAt, loc)
					case models.DeliveryDead:
						when = "—"
					}
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", d.ID, showTime(d.CreatedAt, loc), d.Channel, d.IdemKey,
						d.Status, d.Attempts, when, truncate(d.LastError, 80))
				}
				return tw.Flush()
			})
		},
	}
	list.Flags().StringVar(&f.Status, "status", "", "pending, sent or dead")
	list.Flags().StringVar(&f.Channel, "channel", "", "channel name")
	list.Flags().Uint64Var(&f.NoticeID, "notice", 0, "notice id")
	list.Flags().Uint64Var(&f.Before, "before", 0, "only deliveries with a smaller id (paging)")
	list.Flags().IntVar(&f.Limit, "limit", 100, "at most this many (up to 10000)")
	list.Flags().StringVar(&format, "format", "text", "text or json")

	var allDead bool
	var channel string
	retry := &cobra.Command{
		Use:   "retry ID... | --dead [--channel NAME]",
		Short: "Send dead letters (or deliveries waiting out a backoff) again, with a fresh retry budget",
		Long: `Put deliveries back in line to be sent now by the running service, with a fresh
retry budget: the dead letters given by id, or every dead letter (--dead), of one
channel (--channel). Deliveries already sent are left alone.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if allDead == (len(args) > 0) {
				return fmt.Errorf("give delivery ids, or --dead for every dead letter")
			}
			if channel != "" && !allDead {
				return fmt.Errorf("--channel goes with --dead")
			}
			var ids []uint64
			for _, arg := range args {
				id, err := strconv.ParseUint(arg, 10, 64)
				if err != nil || id == 0 {
					return fmt.Errorf("%q is not a delivery id", arg)
				}
				ids = append(ids, id)
			}
			s, err := a.openExisting(cmd.Context(), nil)
			if err != nil {
				return err
			}
			defer s.Close()
			if allDead {
				if ids, err = s.DeadDeliveryIDs(cmd.Context(), channel); err != nil {
					return err
				}
			}
			skipped, err := s.RetryDeliveries(cmd.Context(), ids)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "queued %d deliveries to be sent again\n", len(ids)-len(skipped))
			if len(skipped) > 0 {
				fmt.Fprintf(a.stderr, "duban: not retried (no such delivery, or sent already): %v\n", skipped)
				return exitError{1}
			}
			return nil
		},
	}
	retry.Flags().BoolVar(&allDead, "dead", false, "every dead letter")
	retry.Flags().StringVar(&channel, "channel", "", "only this channel's (with --dead)")
	cmd.AddCommand(list, retry)
	return cmd
}
