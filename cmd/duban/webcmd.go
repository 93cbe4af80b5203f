package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"duban/people"
	"duban/rules"
	"duban/store"
)

// webCmd serves the people's side alone — the pages and the JSON API,
// without scheduled ticks or deliveries — for trying the pages and for
// tests; `duban serve` mounts the same handler next to its scheduler.
func (a *app) webCmd() *cobra.Command {
	var listen, rulesDir, now string
	var secure bool
	var proxies []string
	cmd := &cobra.Command{
		Use:   "web [--listen 127.0.0.1:8080]",
		Short: "Serve the pages and the JSON API only (no scheduled ticks, no deliveries)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			loc, err := a.location()
			if err != nil {
				return err
			}
			trusted, err := trustedProxies(proxies)
			if err != nil {
				return err
			}
			if err := a.mustExist(store.ResolveDSN(a.db)); err != nil {
				return err
			}
			su, err := a.begin(ctx, now, rulesDir, nil)
			if err != nil {
				return err
			}
			defer su.s.Close()
			clk, rs, s := su.clk, su.rs, su.s
			logger := a.logger()
			h, err := people.New(people.Deps{Store: s, Rules: rules.Static{Set: rs}, Clock: clk, Logger: logger,
				Location: loc, SecureCookies: secure, TrustedProxies: trusted})
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", listen)
			if err != nil {
				return err
			}
			srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute,
				WriteTimeout: 5 * time.Minute, IdleTimeout: 2 * time.Minute}
			fmt.Fprintf(a.stdout, "serving the pages at http://%s/ and the API at http://%s/api/v1 (database %s)\n",
				ln.Addr(), ln.Addr(), s.DSN)
			logger.Info("listening", "addr", ln.Addr().String())
			errc := make(chan error, 1)
			go func() { errc <- srv.Serve(ln) }()
			select {
			case err := <-errc:
				return err
			case <-ctx.Done():
			}
			shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:8080", "address to listen on")
	cmd.Flags().StringVar(&rulesDir, "rules", "", "rule directory (default: the built-in rules)")
	cmd.Flags().StringVar(&now, "now", "", "pretend it is this time (RFC 3339), as duban demo --now did")
	cmd.Flags().BoolVar(&secure, "secure-cookies", false, "mark cookies Secure (behind a TLS-terminating proxy)")
	cmd.Flags().StringSliceVar(&proxies, "trusted-proxy", nil, trustedProxyUsage)
	return cmd
}
