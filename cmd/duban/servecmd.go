package main

import (
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"duban/people"
	"duban/service"
	"duban/store"
)

func (a *app) serveCmd() *cobra.Command {
	var opts service.Options
	var secure bool
	var proxies []string
	cmd := &cobra.Command{
		Use:   "serve [--listen 127.0.0.1:8080] [--rules DIR] [--notify FILE]",
		Short: "Run the service: scheduled ticks, notice delivery, the pages and API, /healthz and /metrics",
		Long: `Run duban as a long-lived service. Every rule ticks on its own schedule; the
notices it raises are delivered to the channels of the --notify file, with retries;
/healthz and /metrics serve operations. Any number of replicas may serve one MySQL
database: the one holding the scheduler lease runs the ticks, all of them deliver.
One process serves an SQLite file. Rule files (--rules DIR) are watched: a changed
set is checked in full and swapped in between ticks; a broken one keeps the running
rules and shows on /healthz. SIGTERM stops cleanly: a tick under way gets --grace to
commit, sends under way are recorded.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			loc, err := a.location()
			if err != nil {
				return err
			}
			trusted, err := trustedProxies(proxies)
			if err != nil {
				return err
			}
			opts.DSN, opts.Location, opts.Log, opts.NoMigrate = store.ResolveDSN(a.db), loc, a.logger(), a.noMigrate
			svc, err := service.New(cmd.Context(), opts)
			if err != nil {
				return err
			}
			web := a.web
			if web == nil {
				web = func(svc *service.Service) (http.Handler, error) {
					return people.New(people.Deps{Store: svc.Store, Rules: svc.Rules, Clock: svc.Store.Clock,
						Logger: svc.Log, Location: loc, SecureCookies: secure, TrustedProxies: trusted})
				}
			}
			if svc.Handler, err = web(svc); err != nil {
				return err
			}
			return svc.Run(cmd.Context())
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Listen, "listen", "127.0.0.1:8080", "address to serve HTTP on")
	f.StringVar(&opts.RulesDir, "rules", "", "directory of rule files, watched for changes (default: the built-in rule pack)")
	f.StringSliceVar(&opts.Calendars, "calendar", nil, "calendar file(s) with local holidays and later years, watched too")
	f.StringVar(&opts.NotifyFile, "notify", "", "notify file: channels, routes and retries (without it nothing is delivered)")
	f.DurationVar(&opts.LeaseTTL, "lease-ttl", 15*time.Second, "how soon another replica takes over the ticks from one that died")
	f.DurationVar(&opts.Grace, "grace", 20*time.Second, "on SIGTERM, how long a tick under way may run on before it is cancelled")
	f.BoolVar(&secure, "secure-cookies", false, "mark session cookies Secure (set when the pages are served over HTTPS, e.g. behind a TLS proxy)")
	f.StringSliceVar(&proxies, "trusted-proxy", nil, trustedProxyUsage)
	return cmd
}
