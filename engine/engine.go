// Package engine runs ticks: for each rule, load its subjects in pages,
// evaluate, and write what the rules raise — notices, flags, accountability
// records — in one transaction per page, deduplicated by episode.
package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"duban/models"
	"duban/rules"
	"duban/store"
)

// Engine runs ticks against a store.
type Engine struct {
	Store *store.Store
	Log   *slog.Logger
	// PageSize is how many subjects are loaded, evaluated and written at a time.
	PageSize int
	// Host names this process in rule runs.
	Host string
}

// DefaultPageSize is how many subjects a tick handles per transaction.
const DefaultPageSize = 2000

// New returns an engine with defaults.
func New(s *store.Store, log *slog.Logger) *Engine {
	host, _ := os.Hostname()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Engine{Store: s, Log: log, PageSize: DefaultPageSize, Host: host}
}

// Outcome is one thing a tick raised, re-raised or resolved.
type Outcome struct {
	Kind        string    `json:"kind"`   // notice | flag | accountability
	Action      string    `json:"action"` // raised | reraised | resolved
	Rule        string    `json:"rule"`
	SubjectKind string    `json:"subject_kind"`
	Subject     string    `json:"subject"`
	CaseNo      string    `json:"case_no,omitempty"`
	Unit        string    `json:"unit,omitempty"`
	Level       string    `json:"level,omitempty"`
	Grade       string    `json:"grade,omitempty"`
	Flag        string    `json:"flag,omitempty"`
	Title       string    `json:"title,omitempty"`
	Reason      string    `json:"reason,omitempty"`
	Episode     int       `json:"episode,omitempty"`
	At          time.Time `json:"at"`
}

// Outcome kinds and actions.
const (
	KindNotice         = "notice"
	KindFlag           = "flag"
	KindAccountability = "accountability"
	ActionRaised       = "raised"
	ActionReraised     = "reraised"
	ActionResolved     = "resolved"
	// ActionHolds is reported by dry runs: the rule's condition holds for the
	// subject, whatever was raised before.
	ActionHolds = "holds"
)

// Report sums up a tick.
type Report struct {
	TickID string
	Now    time.Time
	Runs   []*models.RuleRun
}

// Errors counts the rule errors of the tick.
func (r *Report) Errors() int {
	n := 0
	for _, run := range r.Runs {
		n += run.Errors
	}
	return n
}

// TickOptions narrow a tick.
type TickOptions struct {
	// Rules limits the tick to these rule ids (all when empty).
	Rules []string
	// OnOutcome is called for each outcome the tick wrote, as it is written.
	OnOutcome func(Outcome)
	// DryRun evaluates and renders without reading or writing any outcome
	// state: OnOutcome gets every outcome each rule would raise for every
	// subject its condition holds for, with Action "holds". Backtests use it.
	DryRun bool
	// Full evaluates every subject even where an incremental pass would do.
	Full bool
}

// Tick evaluates the rules at now and writes their outcomes. One rule's
// failure is recorded on its RuleRun and never stops the others; the error
// returned is only for the tick as a whole (a cancelled context).
func (e *Engine) Tick(ctx context.Context, rs *rules.RuleSet, now time.Time, opts TickOptions) (*Report, error) {
	rep := &Report{TickID: newTickID(now), Now: now}
	var selected []*rules.Rule
	for _, r := range rs.Rules {
		if len(opts.Rules) == 0 || slices.Contains(opts.Rules, r.ID) {
			selected = append(selected, r)
		}
	}
	for _, id := range opts.Rules {
		if rs.Rule(id) == nil {
			return nil, fmt.Errorf("no rule %q in the loaded rule set", id)
		}
	}
	tick := rs.At(now)
	var last map[string]models.RuleRun
	if !opts.DryRun && !opts.Full {
		var err error
		if last, err = e.Store.LastRuleRuns(ctx); err != nil {
			return nil, fmt.Errorf("last rule runs: %w", err)
		}
	}
	// Passes read different subjects and run side by side; outcomes are
	// reported one at a time.
	if opts.OnOutcome != nil {
		var mu sync.Mutex
		emit := opts.OnOutcome
		opts.OnOutcome = func(o Outcome) {
			mu.Lock()
			defer mu.Unlock()
			emit(o)
		}
	}
	passes := planPasses(selected)
	runs := make([][]*models.RuleRun, len(passes))
	var wg sync.WaitGroup
	for i, p := range passes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runs[i] = e.runPass(ctx, tick, rep.TickID, p, opts, last)
		}()
	}
	wg.Wait()
	for _, r := range runs {
		rep.Runs = append(rep.Runs, r...)
	}
	if err := ctx.Err(); err != nil {
		return rep, err
	}
	return rep, nil
}

func newTickID(now time.Time) string {
	b := make([]byte, 4)
	rand.Read(b)
	return now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b)
}

// pass is a set of rules that share one read of their subjects.
type pass struct {
	subject string
	window  time.Duration // petitioner passes: the window the rules share
	rules   []*rules.Rule
}

// planPasses groups rules so that each subject kind is read once per tick
// (petitioner rules once per window).
func planPasses(rs []*rules.Rule) []*pass {
	var out []*pass
	find := func(subject string, window time.Duration) *pass {
		for _, p := range out {
			if p.subject == subject && p.window == window {
				return p
			}
		}
		p := &pass{subject: subject, window: window}
		out = append(out, p)
		return p
	}
	for _, r := range rs {
		w := time.Duration(0)
		if r.Subject == rules.SubjectPetitioner {
			w = r.Window
		}
		p := find(r.Subject, w)
		p.rules = append(p.rules, r)
	}
	return out
}

// ruleState is one rule's progress through a pass.
type ruleState struct {
	rule *rules.Rule
	run  *models.RuleRun
	// open holds the rule's open episodes as the pass began (read-only while
	// it runs); seen collects those that still held, or could not be
	// evaluated. The rest have stopped holding and are resolved at the end.
	open   map[string]store.EpisodeState
	seen   map[string]struct{}
	failed bool // could not load its state: skipped for this pass
}

// The kinds of failure a rule run records with its first error (RuleRun's
// FirstErrorKind). They say what failed without the error's text, which may
// quote a subject's data, for /healthz, which anyone may read.
const (
	FailCondition = "condition" // the condition could not be evaluated for a subject
	FailOutcome   = "outcome"   // what it raises (recipients, title, body, flagged cases, unit, reason) could not be worked out
	FailEpisodes  = "episodes"  // its open episodes could not be loaded
	FailSubjects  = "subjects"  // its subjects could not be read
	FailWrite     = "write"     // its outcomes could not be stored
)

func (st *ruleState) fail(kind string, err error) {
	st.run.Errors++
	if st.run.FirstError == "" {
		st.run.FirstError, st.run.FirstErrorKind = err.Error(), kind
	}
}

func (e *Engine) runPass(ctx context.Context, tick *rules.Tick, tickID string, p *pass, opts TickOptions, last map[string]models.RuleRun) []*models.RuleRun {
	started, timer := e.Store.Clock.Now(), time.Now()
	pl := plan{mode: modeFull, fullNow: tick.Now}
	var why string
	if !opts.DryRun {
		pl, why = e.planPass(ctx, tick, p, last, opts.Full)
	}
	var keys []string
	var err error
	if pl.mode == modeIncremental {
		if keys, err = e.candidates(ctx, tick, p, pl); err != nil {
			pl, why = plan{mode: modeFull, fullNow: tick.Now}, "could not list what changed: "+err.Error()
		}
	}
	e.Log.Debug("pass", "subject", p.subject, "mode", pl.mode, "why", why, "candidates", len(keys))
	states := make([]*ruleState, len(p.rules))
	for i, r := range p.rules {
		st := &ruleState{rule: r, seen: map[string]struct{}{},
			run: &models.RuleRun{TickID: tickID, RuleID: r.ID, Now: tick.Now, StartedAt: started, Host: e.Host,
				Mode: pl.mode, StateKey: tick.Set.StateKey(r), FullNow: pl.fullNow}}
		if !opts.DryRun {
			var open map[string]store.EpisodeState
			var err error
			if pl.mode == modeIncremental {
				open, err = e.Store.OpenEpisodesOf(ctx, r.ID, keys)
			} else {
				open, err = e.Store.OpenEpisodes(ctx, r.ID)
			}
			if err != nil {
				st.fail(FailEpisodes, fmt.Errorf("load open episodes: %w", err))
				st.failed = true
			}
			st.open = open
		}
		states[i] = st
	}
	pr := &passRun{engine: e, ctx: ctx, tick: tick, states: states, emit: opts.OnOutcome, dry: opts.DryRun,
		subject: p.subject, window: p.window, tickID: tickID}
	casePage := func(feed func(page) error) func(cs []rules.Case) error {
		return func(cs []rules.Case) error {
			return feed(page{n: len(cs), at: func(w *evaluator, i int) (any, subjectRef) {
				w.caseEnv.Now, w.caseEnv.Case = tick.Now, &cs[i]
				return &w.caseEnv, subjectRef{key: cs[i].CaseNo, caseNo: cs[i].CaseNo}
			}})
		}
	}
	petitionerPage := func(feed func(page) error) func(ps []rules.Petitioner) error {
		return func(ps []rules.Petitioner) error {
			return feed(page{n: len(ps), at: func(w *evaluator, i int) (any, subjectRef) {
				w.petEnv.Now, w.petEnv.Petitioner = tick.Now, &ps[i]
				return &w.petEnv, subjectRef{key: ps[i].ID}
			}})
		}
	}
	since := time.Time{}
	if p.window > 0 {
		since = tick.Now.Add(-p.window)
	}
	switch {
	case p.subject == rules.SubjectCase && pl.mode == modeIncremental:
		err = pr.run(func(feed func(page) error) error {
			return e.Store.CasesByNo(ctx, keys, e.PageSize, casePage(feed))
		})
	case p.subject == rules.SubjectCase:
		err = pr.run(func(feed func(page) error) error {
			return e.Store.StreamCases(ctx, scopes(p.rules), e.PageSize, casePage(feed))
		})
	case p.subject == rules.SubjectPetitioner && pl.mode == modeIncremental:
		err = pr.run(func(feed func(page) error) error {
			return e.Store.PetitionersByKey(ctx, keys, since, e.PageSize, petitionerPage(feed))
		})
	case p.subject == rules.SubjectPetitioner:
		err = pr.run(func(feed func(page) error) error {
			return e.Store.StreamPetitioners(ctx, since, e.PageSize, petitionerPage(feed))
		})
	case p.subject == rules.SubjectSlot:
		err = pr.run(func(feed func(page) error) error {
			return e.Store.StreamSlots(ctx, scopes(p.rules), tick.Set.Location, e.PageSize, func(ss []rules.Slot) error {
				return feed(page{n: len(ss), at: func(w *evaluator, i int) (any, subjectRef) {
					w.slotEnv.Now, w.slotEnv.Slot = tick.Now, &ss[i]
					return &w.slotEnv, subjectRef{key: ss[i].Key}
				}})
			})
		})
	}
	if err == nil && pl.mode == modeFull && !opts.DryRun && p.subject != rules.SubjectSlot {
		// Checks recorded by earlier full passes have served their chains.
		err = e.Store.PruneChecks(ctx, tick.Now.Add(-2*checkHorizon))
	}
	if err != nil {
		// The pass did not see every subject: resolving what it did not see
		// would be wrong, so only the error is recorded.
		for _, st := range states {
			st.fail(FailSubjects, fmt.Errorf("reading %s subjects: %w", p.subject, err))
		}
	} else if !opts.DryRun {
		pr.resolveUnseen(ctx)
	}
	finished, took := e.Store.Clock.Now(), time.Since(timer)
	runs := make([]*models.RuleRun, len(states))
	for i, st := range states {
		st.run.FinishedAt, st.run.DurationMS = finished, took.Milliseconds()
		if st.run.Errors > 0 {
			e.Log.Warn("rule errors", "rule", st.rule.ID, "errors", st.run.Errors, "first", st.run.FirstError)
		}
		if opts.DryRun {
			runs[i] = st.run
			continue
		}
		if err := e.Store.SaveRuleRun(context.WithoutCancel(ctx), st.run); err != nil {
			e.Log.Error("saving rule run", "rule", st.rule.ID, "err", err)
		}
		runs[i] = st.run
	}
	return runs
}

func scopes(rs []*rules.Rule) []rules.Scope {
	out := make([]rules.Scope, len(rs))
	for i, r := range rs {
		out[i] = r.Scope
	}
	return out
}

// evidenceJSON serialises evidence for storage (without HTML escaping:
// "Now > due" stays readable and short).
func evidenceJSON(ev rules.Evidence) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(ev); err != nil {
		return fmt.Sprintf(`{"error":%q}`, err.Error())
	}
	return strings.TrimSuffix(b.String(), "\n")
}
