package main

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"duban/internal/columns"
	"duban/loadgen"
)

// benchLoadCmd is `duban bench load`: HTTP load on a running service, from
// a process of its own.
func (a *app) benchLoadCmd() *cobra.Command {
	var url, format string
	var targets, headers []string
	opts := loadgen.Options{}
	cmd := &cobra.Command{
		Use:   "load --url http://HOST:PORT [--target NAME=PATH]...",
		Short: "Put a running `duban serve` under HTTP load and print latency percentiles per endpoint",
		Long: `Call the endpoints of a running service from this process for --duration, with
--concurrency callers (at --rate requests a second in all, or as fast as answers come),
and print per endpoint: requests, errors (transport errors and unexpected statuses),
status codes, and latency percentiles (p50, p90, p99, p99.9, max). Latency counts from
when a request was due, so a slow answer that delays the next one shows.

Targets are NAME=PATH or NAME=METHOD PATH (default: /healthz and /metrics); --header
adds a header to every request, e.g. an API token:

  duban bench load --url http://127.0.0.1:8080 --duration 5m --rate 200 \
    --target healthz=/healthz --target notices=/api/v1/notices?limit=50 \
    --header "Authorization: Bearer $TOKEN"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format); err != nil {
				return err
			}
			if url == "" {
				return fmt.Errorf("--url: the service's address, like http://127.0.0.1:8080")
			}
			opts.BaseURL = url
			for _, s := range targets {
				t, err := loadgen.ParseTarget(s)
				if err != nil {
					return err
				}
				opts.Targets = append(opts.Targets, t)
			}
			opts.Header = http.Header{}
			for _, h := range headers {
				k, v, ok := strings.Cut(h, ":")
				if !ok {
					return fmt.Errorf("--header %q: want \"Name: value\"", h)
				}
				opts.Header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
			}
			res, err := loadgen.Run(cmd.Context(), opts)
			if err != nil {
				return err
			}
			if format == "json" {
				return jsonLines(a.stdout, []any{res})
			}
			fmt.Fprintf(a.stdout, "%d requests in %.1fs (%.0f/s), %d errors, %d callers\n", res.Requests, res.Seconds, res.PerSecond, res.Errors, res.Concurrency)
			tw := columns.NewRightAligned(a.stdout)
			fmt.Fprintln(tw, "TARGET\tREQUESTS\tERRORS\tPER S\tP50 MS\tP90 MS\tP99 MS\tP99.9 MS\tMAX MS\t")
			for _, t := range res.Targets {
				l := t.Latency
				fmt.Fprintf(tw, "%s\t%d\t%d\t%.0f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t\n", t.Name, t.Requests, t.Errors, t.PerSecond, l.P50, l.P90, l.P99, l.P999, l.Max)
			}
			tw.Flush()
			for _, t := range res.Targets {
				if t.FirstErr != "" {
					fmt.Fprintf(a.stdout, "%s: first error: %s\n", t.Name, t.FirstErr)
				}
			}
			if res.Errors > 0 {
				return exitError{1}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&url, "url", "", "the service, like http://127.0.0.1:8080")
	f.StringArrayVar(&targets, "target", []string{"healthz=/healthz", "metrics=/metrics"}, "NAME=PATH or NAME=METHOD PATH (repeatable)")
	f.StringArrayVar(&headers, "header", nil, `"Name: value" added to every request (repeatable)`)
	f.IntVar(&opts.Concurrency, "concurrency", 4, "callers at once")
	f.Float64Var(&opts.Rate, "rate", 0, "requests a second in all (0: as fast as answers come)")
	f.DurationVar(&opts.Duration, "duration", 30*time.Second, "how long")
	f.DurationVar(&opts.Timeout, "timeout", 10*time.Second, "per request")
	f.StringVar(&format, "format", "text", "text or json")
	return cmd
}
