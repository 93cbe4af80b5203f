// Package rulewatch keeps the rule set in force for the service: it loads
// the rule files, watches them (fsnotify), and when they change checks the
// new set in full and swaps it in atomically — between ticks, since a tick
// holds the set it started with. A set that fails to load never replaces
// the running one: its problems (file:line:col) are logged and kept for
// /healthz and a metric until the files are fixed.
package rulewatch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/prometheus/client_golang/prometheus"

	"duban/clock"
	"duban/rules"
)

// Builtin is the Source shown for the rule pack embedded in the binary.
const Builtin = "(built-in rule pack)"

// Watcher holds the rule set in force. It implements rules.Source.
type Watcher struct {
	dir       string   // rules directory; "" for the built-in pack
	calendars []string // calendar files given besides the directory
	clock     clock.Clock
	log       *slog.Logger
	metrics   *metrics
	// Debounce is how long the files must stay quiet before a reload, so
	// that an editor's truncate-write-rename is read once, complete.
	Debounce time.Duration

	current   atomic.Pointer[rules.RuleSet]
	changes   chan struct{}
	ready     chan struct{} // closed once Run watches
	readyOnce sync.Once

	mu       sync.Mutex
	digest   string
	loadedAt time.Time
	lastErr  *LoadError
}

// LoadError is why the rule files on disk are not in force.
type LoadError struct {
	At       time.Time `json:"at"`
	Problems []string  `json:"problems"` // file:line:col: rule id: message
}

// State is what /healthz shows about the rules.
type State struct {
	Source   string     `json:"source"` // the rules directory, or Builtin
	Rules    int        `json:"rules"`
	Files    []string   `json:"files"`
	LoadedAt time.Time  `json:"loaded_at"`
	Error    *LoadError `json:"error,omitempty"`
}

// New loads the rules of dir (the built-in pack when dir is empty) and the
// calendar files. It fails when they do not load: the service does not
// start without rules.
func New(dir string, calendars []string, clk clock.Clock, log *slog.Logger, reg prometheus.Registerer) (*Watcher, error) {
	if clk == nil {
		clk = clock.Real{}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	w := &Watcher{dir: dir, calendars: calendars, clock: clk, log: log, metrics: newMetrics(reg),
		Debounce: 300 * time.Millisecond, changes: make(chan struct{}, 1), ready: make(chan struct{})}
	digest, _ := w.digestFiles()
	rs, err := w.load()
	if err != nil {
		return nil, err
	}
	w.swap(rs, digest)
	return w, nil
}

// Current returns the rule set in force.
func (w *Watcher) Current() *rules.RuleSet { return w.current.Load() }

// Changes is signalled each time a new rule set is swapped in.
func (w *Watcher) Changes() <-chan struct{} { return w.changes }

// Ready is closed once Run watches the files: a change made after that is
// seen. (Tests wait on it rather than for a while.)
func (w *Watcher) Ready() <-chan struct{} { return w.ready }

func (w *Watcher) markReady() { w.readyOnce.Do(func() { close(w.ready) }) }

// State returns what is loaded and why the files on disk are not, if so.
func (w *Watcher) State() State {
	w.mu.Lock()
	defer w.mu.Unlock()
	rs := w.Current()
	src := w.dir
	if src == "" {
		src = Builtin
	}
	return State{Source: src, Rules: len(rs.Rules), Files: rs.Files, LoadedAt: w.loadedAt, Error: w.lastErr}
}

// LoadError is the last failed reload, nil once the files load again; the
// rules page shows it.
func (w *Watcher) LoadError() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.lastErr == nil {
		return nil
	}
	return errors.New(strings.Join(w.lastErr.Problems, "\n"))
}

func (w *Watcher) load() (*rules.RuleSet, error) {
	opts := rules.Options{CalendarFiles: w.calendars, Now: w.clock.Now()}
	var rs *rules.RuleSet
	var err error
	if w.dir == "" {
		rs, err = rules.Load(rules.Defaults(), opts)
	} else {
		rs, err = rules.LoadPaths([]string{w.dir}, opts)
	}
	if err != nil {
		return nil, err
	}
	for _, p := range rs.Warnings {
		w.log.Warn("rules: " + p.String())
	}
	return rs, nil
}

func (w *Watcher) swap(rs *rules.RuleSet, digest string) {
	w.current.Store(rs)
	w.mu.Lock()
	w.digest, w.loadedAt, w.lastErr = digest, w.clock.Now(), nil
	w.mu.Unlock()
	w.metrics.loaded(len(rs.Rules), w.clock.Now())
}

// Reload loads the files again. A set that loads is swapped in (and
// Changes signalled) unless the files did not change; one that does not
// load leaves the running set in place and is returned as the error.
func (w *Watcher) Reload() error {
	digest, derr := w.digestFiles()
	rs, err := w.load()
	if err != nil {
		le := &LoadError{At: w.clock.Now()}
		var probs rules.Problems
		if errors.As(err, &probs) {
			for _, p := range probs {
				le.Problems = append(le.Problems, p.String())
			}
		} else {
			le.Problems = []string{err.Error()}
		}
		for _, p := range le.Problems {
			w.log.Error("rules: not reloaded, the running rules stay in force: " + p)
		}
		w.mu.Lock()
		w.lastErr = le
		w.mu.Unlock()
		w.metrics.failed()
		return err
	}
	w.mu.Lock()
	same := derr == nil && digest == w.digest
	w.mu.Unlock()
	if same {
		w.mu.Lock()
		w.lastErr = nil
		w.mu.Unlock()
		w.metrics.unchanged()
		return nil
	}
	w.swap(rs, digest)
	w.log.Info("rules: reloaded", "rules", len(rs.Rules), "files", len(rs.Files))
	select {
	case w.changes <- struct{}{}:
	default:
	}
	return nil
}

// digestFiles hashes the names and contents of every file watched, so a
// reload that changes nothing swaps nothing.
func (w *Watcher) digestFiles() (string, error) {
	if w.dir == "" && len(w.calendars) == 0 {
		return "builtin", nil
	}
	var paths []string
	if w.dir != "" {
		err := filepath.WalkDir(w.dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() {
				paths = append(paths, p)
			}
			return nil
		})
		if err != nil {
			return "", err
		}
	}
	paths = append(paths, w.calendars...)
	sort.Strings(paths)
	h := sha256.New()
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", p, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Run watches the rules directory and calendar files and reloads when they
// change, until ctx ends. With the built-in pack and no calendar files
// there is nothing to watch and it just waits.
func (w *Watcher) Run(ctx context.Context) error {
	if w.dir == "" && len(w.calendars) == 0 {
		w.markReady()
		<-ctx.Done()
		return nil
	}
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watching rule files: %w", err)
	}
	defer fw.Close()
	if w.dir != "" {
		if err := addTree(fw, w.dir); err != nil {
			return fmt.Errorf("watching %s: %w", w.dir, err)
		}
	}
	calendarFiles := map[string]bool{}
	for _, c := range w.calendars {
		abs, _ := filepath.Abs(c)
		calendarFiles[abs] = true
		// The directory, not the file: editors and config maps replace files.
		if err := fw.Add(filepath.Dir(c)); err != nil {
			return fmt.Errorf("watching %s: %w", c, err)
		}
	}
	w.log.Info("rules: watching for changes", "dir", w.dir, "calendars", w.calendars)
	w.markReady()
	var quiet *time.Timer
	var fire <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return nil
		case err, ok := <-fw.Errors:
			if !ok {
				return nil
			}
			w.log.Warn("rules: watch error", "err", err)
		case ev, ok := <-fw.Events:
			if !ok {
				return nil
			}
			if !w.relevant(ev, calendarFiles) {
				continue
			}
			if ev.Has(fsnotify.Create) {
				if st, err := os.Stat(ev.Name); err == nil && st.IsDir() {
					addTree(fw, ev.Name)
				}
			}
			if quiet == nil {
				quiet = time.NewTimer(w.Debounce)
			} else {
				quiet.Reset(w.Debounce)
			}
			fire = quiet.C
		case <-fire:
			fire = nil
			w.Reload()
		}
	}
}

// relevant tells whether an event may change the rule set: anything in the
// rules tree (Kubernetes config maps swap a hidden symlink, not the files),
// and the calendar files themselves.
func (w *Watcher) relevant(ev fsnotify.Event, calendarFiles map[string]bool) bool {
	if ev.Op == fsnotify.Chmod {
		return false
	}
	abs, _ := filepath.Abs(ev.Name)
	if calendarFiles[abs] {
		return true
	}
	if w.dir == "" {
		return false
	}
	root, _ := filepath.Abs(w.dir)
	rel, err := filepath.Rel(root, abs)
	return err == nil && rel != ".." && !filepath.IsAbs(rel) && (len(rel) < 3 || rel[:3] != "../")
}

func addTree(fw *fsnotify.Watcher, root string) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return fw.Add(p)
		}
		return nil
	})
}

type metrics struct {
	rules      prometheus.Gauge
	loadError  prometheus.Gauge
	reloads    *prometheus.CounterVec
	lastReload prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		rules: prometheus.NewGauge(prometheus.GaugeOpts{Name: "duban_rules_loaded",
			Help: "Rules in force."}),
		loadError: prometheus.NewGauge(prometheus.GaugeOpts{Name: "duban_rules_load_error",
			Help: "1 while the rule files on disk fail to load (the previous rules stay in force; see /healthz), else 0."}),
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "duban_rules_reloads_total",
			Help: "Reloads of the rule files, by result: ok, unchanged, error."}, []string{"result"}),
		lastReload: prometheus.NewGauge(prometheus.GaugeOpts{Name: "duban_rules_last_load_timestamp_seconds",
			Help: "When the rules in force were loaded, as a Unix time."}),
	}
	for _, r := range []string{"ok", "unchanged", "error"} {
		m.reloads.WithLabelValues(r)
	}
	if reg != nil {
		reg.MustRegister(m.rules, m.loadError, m.reloads, m.lastReload)
	}
	return m
}

func (m *metrics) loaded(n int, at time.Time) {
	m.rules.Set(float64(n))
	m.loadError.Set(0)
	m.reloads.WithLabelValues("ok").Inc()
	m.lastReload.Set(float64(at.Unix()))
}

func (m *metrics) unchanged() {
	m.loadError.Set(0)
	m.reloads.WithLabelValues("unchanged").Inc()
}

func (m *metrics) failed() {
	m.loadError.Set(1)
	m.reloads.WithLabelValues("error").Inc()
}
