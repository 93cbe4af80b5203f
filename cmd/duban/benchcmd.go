package main

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"duban/bench"
)

func (a *app) benchCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "bench", Short: "Benchmarks on a synthetic province (see README: Figures)"}
	var cases int
	var now string
	gen := &cobra.Command{
		Use:   "generate",
		Short: "Fill an empty database with a synthetic province, deterministically",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			clk, t, err := parseNow(now)
			if err != nil {
				return err
			}
			rs, err := loadRules("", nil, t)
			if err != nil {
				return err
			}
			s, err := a.openStore(cmd.Context(), clk)
			if err != nil {
				return err
			}
			defer s.Close()
			size := bench.Scaled(cases)
			start := time.Now()
			if err := bench.Generate(cmd.Context(), s, rs.Calendar, size, t); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "generated %s in %s\n", size, time.Since(start).Round(time.Millisecond))
			return nil
		},
	}
	gen.Flags().IntVar(&cases, "cases", bench.Province.Cases, "number of cases (a third of them open)")
	gen.Flags().StringVar(&now, "now", "", "the instant the data is anchored to (default: now)")
	floor := &cobra.Command{
		Use:   "floor",
		Short: "Read what a tick reads with plain database/sql scans, no rules",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			clk, t, err := parseNow(now)
			if err != nil {
				return err
			}
			rs, err := loadRules("", nil, t)
			if err != nil {
				return err
			}
			s, err := a.openStore(cmd.Context(), clk)
			if err != nil {
				return err
			}
			defer s.Close()
			res, err := bench.Floor(cmd.Context(), s, rs, t)
			if err != nil {
				return err
			}
			return json.NewEncoder(a.stdout).Encode(map[string]any{"rows": res.Rows, "seconds": res.Duration.Seconds()})
		},
	}
	floor.Flags().StringVar(&now, "now", "", "the instant to reason about (default: now)")
	cmd.AddCommand(gen, floor)
	return cmd
}
