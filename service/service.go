// Package service is `duban serve`: it ties the store, the rule reloader,
// the scheduler (on the replica that holds the lease), the delivery worker
// (on every replica) and the HTTP server (/healthz, /metrics, and whatever
// Handler serves — the API and pages) into one process that shuts down
// cleanly on SIGTERM.
package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/gofrs/flock"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"duban/clock"
	"duban/engine"
	"duban/lease"
	"duban/notify"
	"duban/notify/config"
	"duban/rulewatch"
	"duban/scheduler"
	"duban/store"
)

// SchedulerLease is the lease whose holder runs the ticks.
const SchedulerLease = "scheduler"

// Options configure the service.
type Options struct {
	DSN string
	// NoMigrate starts without migrating: a schema behind the binary is
	// refused (see store.Options.NoMigrate).
	NoMigrate  bool
	Listen     string   // host:port; port 0 picks a free one
	RulesDir   string   // "" for the built-in rule pack (not watched)
	Calendars  []string // calendar files, watched too
	NotifyFile string   // "" delivers nothing (the outbox keeps every message)
	// LeaseTTL is how long a replica's hold on the scheduler lease lasts
	// without renewal: how soon another replica takes over from one that
	// died. Default 15s.
	LeaseTTL time.Duration
	// Grace is how long a tick under way may run on after SIGTERM before it
	// is cancelled (its open transaction rolls back). Default 20s.
	Grace time.Duration
	// Location is how times are shown in delivered messages, unless the
	// notify file names a timezone.
	Location *time.Location
	Log      *slog.Logger
	// Identity names this replica (default: host:pid:random).
	Identity string
	Clock    clock.Clock
}

// Service is a configured `duban serve`.
type Service struct {
	Store    *store.Store
	Rules    *rulewatch.Watcher
	Notify   *config.Setup // nil without a notify file
	Registry *prometheus.Registry
	Log      *slog.Logger
	Identity string
	// Handler serves every path but /healthz and /metrics: the JSON API
	// under /api/v1 and the pages at / are mounted here. Nil answers 404.
	Handler http.Handler

	opts      Options
	elector   *lease.Elector
	scheduler *scheduler.Scheduler
	worker    *notify.Worker
	unlock    func()
	leaseHeld prometheus.Gauge
}

// New opens the database, loads the rules and the notify file, and builds
// the parts. Nothing runs until Run.
func New(ctx context.Context, opts Options) (*Service, error) {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.LeaseTTL <= 0 {
		opts.LeaseTTL = 15 * time.Second
	}
	if opts.Grace <= 0 {
		opts.Grace = 20 * time.Second
	}
	if opts.Identity == "" {
		opts.Identity = lease.Identity()
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	s := &Service{Log: opts.Log, Identity: opts.Identity, opts: opts, unlock: func() {}}
	ok := false
	defer func() {
		if !ok {
			s.Close()
		}
	}()

	sqlite := strings.HasPrefix(opts.DSN, "sqlite:")
	if sqlite {
		unlock, err := lockSQLite(opts.DSN)
		if err != nil {
			return nil, err
		}
		s.unlock = unlock
	}
	st, err := store.Open(ctx, opts.DSN, store.Options{Clock: opts.Clock, NoMigrate: opts.NoMigrate})
	if err != nil {
		return nil, err
	}
	s.Store = st

	s.Registry = prometheus.NewRegistry()
	s.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	s.leaseHeld = prometheus.NewGauge(prometheus.GaugeOpts{Name: "duban_lease_held",
		Help: "1 while this replica holds the scheduler lease (and so runs the ticks), else 0."})
	s.Registry.MustRegister(s.leaseHeld)

	s.Rules, err = rulewatch.New(opts.RulesDir, opts.Calendars, opts.Clock, opts.Log, s.Registry)
	if err != nil {
		return nil, err
	}
	if opts.NotifyFile != "" {
		s.Notify, err = config.Load(opts.NotifyFile, opts.Clock)
		if err != nil {
			return nil, err
		}
	}

	eng := engine.New(st, opts.Log)
	eng.Host = opts.Identity
	s.scheduler = &scheduler.Scheduler{Engine: eng, Rules: s.Rules, Changed: s.Rules.Changes(), Log: opts.Log,
		Metrics: scheduler.NewMetrics(s.Registry), Grace: opts.Grace}
	s.elector = &lease.Elector{Store: st, Name: SchedulerLease, Holder: opts.Identity, TTL: opts.LeaseTTL,
		// Under the file lock this process is alone on the SQLite file: a
		// lease left by a crashed predecessor need not be waited out.
		Force: sqlite, Log: opts.Log,
		OnChange: func(held bool) {
			if held {
				s.leaseHeld.Set(1)
			} else {
				s.leaseHeld.Set(0)
			}
		}}
	if s.Notify != nil {
		loc := opts.Location
		if s.Notify.Location != nil {
			loc = s.Notify.Location
		}
		s.worker = &notify.Worker{Store: st, Channels: s.Notify.Channels, Router: s.Notify.Router, Retry: s.Notify.Retry,
			Owner: opts.Identity, Log: opts.Log, Metrics: notify.NewMetrics(s.Registry, s.Notify.Names()), Location: loc}
	}
	ok = true
	return s, nil
}

// lockSQLite takes an OS lock on PATH.lock for as long as the service runs:
// one process serves an SQLite file.
func lockSQLite(dsn string) (func(), error) {
	path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "//")
	if path == "" || path == ":memory:" {
		return func() {}, nil
	}
	lockPath := path + ".lock"
	fl := flock.New(lockPath)
	got, err := fl.TryLock()
	if err != nil {
		return nil, fmt.Errorf("locking %s: %w", lockPath, err)
	}
	if !got {
		abs, _ := filepath.Abs(path)
		return nil, fmt.Errorf("another `duban serve` is already serving the SQLite file %s (it holds %s); "+
			"one process serves an SQLite file — run replicas on MySQL", abs, lockPath)
	}
	return func() { fl.Unlock() }, nil
}

// Routes returns the HTTP handler: /healthz, /metrics, and Handler for the rest.
func (s *Service) Routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.Handle("GET /metrics", s.metricsHandler())
	rest := s.Handler
	if rest == nil {
		rest = http.NotFoundHandler()
	}
	mux.Handle("/", rest)
	return mux
}

// Run serves until ctx ends, then shuts down: no new tick starts, a tick
// under way gets Grace to commit, sends under way finish and are recorded,
// the lease is released, and the HTTP server drains.
func (s *Service) Run(ctx context.Context) error {
	defer s.Close()
	ln, err := net.Listen("tcp", s.opts.Listen)
	if err != nil {
		return fmt.Errorf("--listen %s: %w", s.opts.Listen, err)
	}
	srv := &http.Server{Handler: s.Routes(), ReadHeaderTimeout: 10 * time.Second}
	rs := s.Rules.Current()
	s.Log.Info("serve: listening", "addr", ln.Addr().String(), "replica", s.Identity, "db", s.Store.DSN,
		"rules", len(rs.Rules), "rules_source", s.Rules.State().Source, "notify", s.opts.NotifyFile)
	if s.worker == nil {
		s.Log.Warn("serve: no --notify file: notices are kept in the outbox and delivered once one is configured")
	}

	var wg sync.WaitGroup
	serveErr := make(chan error, 1)
	wg.Go(func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			serveErr <- err
		}
	})
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	wg.Go(func() {
		if err := s.Rules.Run(runCtx); err != nil {
			s.Log.Error("serve: rule files are not watched", "err", err)
		}
	})
	wg.Go(func() { s.elector.Run(runCtx, s.scheduler.Lead) })
	if s.worker != nil {
		wg.Go(func() { s.worker.Run(runCtx) })
	}

	var runErr error
	select {
	case <-ctx.Done():
		s.Log.Info("serve: shutting down")
	case runErr = <-serveErr:
		s.Log.Error("serve: HTTP server failed", "err", runErr)
	}
	cancel()
	shutCtx, shutCancel := context.WithTimeout(context.Background(), 5*time.Second)
	srv.Shutdown(shutCtx)
	shutCancel()
	wg.Wait()
	s.Log.Info("serve: stopped")
	return runErr
}

// Close releases the database and the SQLite file lock.
func (s *Service) Close() {
	if s.Store != nil {
		s.Store.Close()
		s.Store = nil
	}
	if s.unlock != nil {
		s.unlock()
		s.unlock = nil
	}
}
