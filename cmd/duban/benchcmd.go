package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"duban/bench"
)

func (a *app) benchCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "bench", Short: "Benchmarks on a synthetic province (see README: Figures)"}
	var cases int
	var now string
	var full bool
	gen := &cobra.Command{
		Use:   "generate",
		Short: "Fill an empty database with a synthetic province, deterministically",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			su, err := a.begin(cmd.Context(), now, "", nil)
			if err != nil {
				return err
			}
			defer su.s.Close()
			t, rs, s := su.now, su.rs, su.s
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
			su, err := a.begin(cmd.Context(), now, "", nil)
			if err != nil {
				return err
			}
			defer su.s.Close()
			t, rs, s := su.now, su.rs, su.s
			res, err := bench.Floor(cmd.Context(), s, rs, t)
			if err != nil {
				return err
			}
			return json.NewEncoder(a.stdout).Encode(map[string]any{"rows": res.Rows, "seconds": res.Duration.Seconds()})
		},
	}
	floor.Flags().StringVar(&now, "now", "", "the instant to reason about (default: now)")
	tick := &cobra.Command{
		Use:    "tick",
		Short:  "Run one tick and print its figures as JSON (the benchmark runs it in its own process)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			su, err := a.begin(cmd.Context(), now, "", nil)
			if err != nil {
				return err
			}
			defer su.s.Close()
			t, rs, s := su.now, su.rs, su.s
			tf, err := bench.Tick(cmd.Context(), s, rs, t, full)
			if err != nil {
				return err
			}
			return json.NewEncoder(a.stdout).Encode(tf)
		},
	}
	tick.Flags().StringVar(&now, "now", "", "the instant to reason about (default: now)")
	tick.Flags().BoolVar(&full, "full", false, "evaluate every subject")
	cmd.AddCommand(gen, floor, tick, a.benchLoadCmd())

	var notices int
	var jsonOut string
	cmd.Flags().IntVar(&cases, "cases", bench.Province.Cases, "cases in the province (a third open); 3,000,000 is the full benchmark")
	cmd.Flags().IntVar(&notices, "notices", 1_000_000, "notices to time the notice list against")
	cmd.Flags().StringVar(&now, "now", "2026-11-25T08:00:00+08:00", "the instant the province is anchored to")
	cmd.Flags().StringVar(&jsonOut, "json", "", "also write the report as JSON to this file")
	cmd.Args = cobra.NoArgs
	cmd.Long = `Build a synthetic province in an empty database (--db; a fresh SQLite file by
default) and measure, in one run: the floor (a plain database/sql scan of the rows a
tick reads), a full tick of the default rule pack (wall time, subjects/s, outcomes,
peak RSS of its own process), the same rules as hand-written SQL, a steady-state
tick an hour later with 0.1% of cases changed, a next-day tick, import throughput,
and notice-list latency at 1,000,000 notices.`
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		_, t, err := parseNow(now)
		if err != nil {
			return err
		}
		rs, err := loadRules("", nil, t)
		if err != nil {
			return err
		}
		bin, err := os.Executable()
		if err != nil {
			return err
		}
		work, err := os.MkdirTemp("", "duban-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(work)
		dsn := a.db
		if dsn == "" {
			dsn = "sqlite:" + filepath.Join(work, "province.db")
		}
		rep, err := bench.Run(cmd.Context(), rs, bench.Options{DSN: dsn, Size: bench.Scaled(cases), Now: t, Binary: bin,
			WorkDir: work, Notices: notices, Log: func(format string, args ...any) {
				fmt.Fprintf(a.stderr, "%s  %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
			}})
		if err != nil {
			return err
		}
		rep.Print(a.stdout)
		if jsonOut != "" {
			b, _ := json.MarshalIndent(rep, "", "  ")
			return os.WriteFile(jsonOut, b, 0o644)
		}
		return nil
	}
	return cmd
}
