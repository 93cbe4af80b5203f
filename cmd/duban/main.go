// Command duban is the supervision and accountability engine for petition
// work (信访督办): it checks open cases against rule files on a schedule and
// raises supervision notices, abnormal-petition flags and tamper-evident
// accountability records.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // zones work on machines without a zoneinfo database

	"github.com/spf13/cobra"

	"duban/auth"
	"duban/clock"
	"duban/rules"
	"duban/service"
	"duban/store"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// exitError carries an exit status for failures that were already reported.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// app holds what every command shares: global flags and output streams.
type app struct {
	stdout, stderr io.Writer
	db             string
	tz             string
	logLevel       string
	logFormat      string
	noMigrate      bool
	// self is how the user started duban, for the commands it suggests:
	// "./duban", "duban", or "go run ./cmd/duban" when there is no binary.
	self string
	// web builds what `serve` mounts at "/" besides /healthz and /metrics:
	// the JSON API under /api/v1 and the pages.
	web func(*service.Service) (http.Handler, error)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a := &app{stdout: stdout, stderr: stderr, self: invocation(os.Args[0], os.TempDir(), os.Getenv("GOTMPDIR"))}
	root := a.rootCmd()
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	var ee exitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.code
	default:
		fmt.Fprintln(stderr, "duban:", err)
		return 1
	}
}

// invocation is the command that starts duban again as the user started it:
// a binary `go run` built in its temporary directory names the source
// instead, and a binary found on $PATH is named by its name alone.
func invocation(arg0, tempDir, goTmpDir string) string {
	dir := filepath.Dir(arg0)
	for _, tmp := range []string{goTmpDir, tempDir} {
		if tmp == "" {
			continue
		}
		if rel, err := filepath.Rel(tmp, dir); err == nil && strings.HasPrefix(rel, "go-build") {
			return "go run ./cmd/duban"
		}
	}
	if !strings.ContainsRune(arg0, filepath.Separator) {
		return filepath.Base(arg0)
	}
	if !filepath.IsAbs(arg0) && !strings.HasPrefix(arg0, ".") {
		return "./" + arg0
	}
	return arg0
}

// rootCmd builds the command tree.
func (a *app) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "duban",
		Short:         "督办 — supervision and accountability engine for petition work",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVar(&a.db, "db", "", "database: sqlite:PATH or mysql://user:pass@tcp(host:port)/db (default $DUBAN_DB, else "+store.DefaultDSN+")")
	root.PersistentFlags().StringVar(&a.tz, "tz", "", "time zone to show times in (default $DUBAN_TZ, else "+rules.DefaultTimezone+")")
	root.PersistentFlags().BoolVar(&a.noMigrate, "no-migrate", false, "do not migrate the schema at start; a database behind this binary is refused (run \"duban db migrate\")")
	root.PersistentFlags().StringVar(&a.logLevel, "log-level", "info", "log level: debug, info, warn, error")
	var cpuProfile, memProfile string
	root.PersistentFlags().StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile to this file")
	root.PersistentFlags().StringVar(&memProfile, "memprofile", "", "write a heap profile to this file on exit")
	root.PersistentFlags().MarkHidden("cpuprofile")
	root.PersistentFlags().MarkHidden("memprofile")
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		if memProfile != "" {
			cobra.OnFinalize(func() {
				if f, err := os.Create(memProfile); err == nil {
					pprof.Lookup("heap").WriteTo(f, 0)
					f.Close()
				}
			})
		}
		if cpuProfile == "" {
			return nil
		}
		f, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		cobra.OnFinalize(func() { pprof.StopCPUProfile(); f.Close() })
		return pprof.StartCPUProfile(f)
	}
	root.PersistentFlags().StringVar(&a.logFormat, "log-format", "text", "log format: text (key=value) or json")
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.AddCommand(a.runCmd(), a.demoCmd(), a.importCmd(), a.noticesCmd(), a.flagsCmd(), a.auditCmd(), a.rulesCmd(),
		a.calendarCmd(), a.benchCmd(), a.serveCmd(), a.deliveriesCmd(),
		a.usersCmd(), a.webCmd(), a.dbCmd())
	return root
}

func (a *app) logger() *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(a.logLevel)); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	if a.logFormat == "json" {
		return slog.New(slog.NewJSONHandler(a.stderr, opts))
	}
	return slog.New(slog.NewTextHandler(a.stderr, opts))
}

func (a *app) location() (*time.Location, error) {
	name := a.tz
	if name == "" {
		name = os.Getenv("DUBAN_TZ")
	}
	if name == "" {
		name = rules.DefaultTimezone
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("--tz %q: %w", name, err)
	}
	return loc, nil
}

// trustedProxies reads --trusted-proxy, else DUBAN_TRUSTED_PROXIES
// (comma-separated).
func trustedProxies(flag []string) (auth.Proxies, error) {
	name, values := "--trusted-proxy", flag
	if len(flag) == 0 {
		name, values = "DUBAN_TRUSTED_PROXIES", strings.Split(os.Getenv("DUBAN_TRUSTED_PROXIES"), ",")
	}
	ps, err := auth.ParseProxies(values)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return ps, nil
}

// trustedProxyUsage is the --trusted-proxy flag's help, the same for serve and web.
const trustedProxyUsage = "CIDR or address of a reverse proxy whose X-Forwarded-For names the client " +
	"(for the limit on failed credentials) and whose X-Forwarded-Proto: https marks cookies Secure; repeatable (default: DUBAN_TRUSTED_PROXIES, comma-separated)"

// openStore opens the database the flags and environment name.
func (a *app) openStore(ctx context.Context, clk clock.Clock) (*store.Store, error) {
	return store.Open(ctx, store.ResolveDSN(a.db), store.Options{Clock: clk, NoMigrate: a.noMigrate})
}

// parseNow reads --now; empty means the wall clock.
func parseNow(s string) (clock.Clock, time.Time, error) {
	if s == "" {
		return clock.Real{}, clock.Real{}.Now(), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("--now %q: want RFC 3339, like 2026-03-20T09:00:00+08:00", s)
	}
	return clock.NewFixed(t), t, nil
}

// setup is what most commands begin with: the clock of --now, the rule set
// (of rulesDir, or the built-in pack) and the store. The caller closes s.
type setup struct {
	clk clock.Clock
	now time.Time
	rs  *rules.RuleSet
	s   *store.Store
}

// begin parses --now, loads the rules and opens the store.
func (a *app) begin(ctx context.Context, now, rulesDir string, calendars []string) (*setup, error) {
	clk, t, err := parseNow(now)
	if err != nil {
		return nil, err
	}
	rs, err := loadRules(rulesDir, calendars, t)
	if err != nil {
		return nil, err
	}
	s, err := a.openStore(ctx, clk)
	if err != nil {
		return nil, err
	}
	return &setup{clk: clk, now: t, rs: rs, s: s}, nil
}

// loadRules loads the rule files of dir, or the built-in pack when dir is empty.
func loadRules(dir string, calendars []string, now time.Time) (*rules.RuleSet, error) {
	opts := rules.Options{CalendarFiles: calendars, Now: now}
	if dir == "" {
		return rules.Load(rules.Defaults(), opts)
	}
	return rules.LoadPaths([]string{dir}, opts)
}

func checkFormat(f string) error {
	if f != "text" && f != "json" {
		return fmt.Errorf("--format %q: want text or json", f)
	}
	return nil
}

func truncate(s string, n int) string {
	r := []rune(strings.ReplaceAll(s, "\n", " "))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n-1]) + "…"
}
