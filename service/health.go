package service

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"duban/engine"
	"duban/mask"
	"duban/rulewatch"
	"duban/scheduler"
	"duban/store"
)

// Health is the /healthz answer.
type Health struct {
	// Status is ok; degraded when the service runs but needs a look (the
	// rule files on disk do not load, dead letters wait, a rule's last tick
	// had errors); unavailable (HTTP 503) when the database does not answer.
	Status    string           `json:"status"`
	Problems  []string         `json:"problems,omitempty"`
	Replica   string           `json:"replica"`
	Time      time.Time        `json:"time"`
	Database  DatabaseHealth   `json:"database"`
	Rules     rulewatch.State  `json:"rules"`
	Lease     *LeaseHealth     `json:"lease"`
	Scheduler scheduler.Status `json:"scheduler"`
	// Ticks is each rule's last tick, run by whichever replica held the lease.
	Ticks      map[string]TickHealth `json:"ticks"`
	Deliveries *DeliveryHealth       `json:"deliveries,omitempty"`
}

// DatabaseHealth says whether the database answers.
type DatabaseHealth struct {
	OK      bool   `json:"ok"`
	Dialect string `json:"dialect"`
	DSN     string `json:"dsn" mask:"keep"` // password masked; configuration, no subject data
	Error   string `json:"error,omitempty"`
}

// LeaseHealth is who runs the ticks.
type LeaseHealth struct {
	Name       string    `json:"name"`
	Holder     string    `json:"holder"`
	ThisIsIt   bool      `json:"held_by_this_replica"`
	Epoch      int64     `json:"epoch"`
	AcquiredAt time.Time `json:"acquired_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	Expired    bool      `json:"expired"`
}

// TickHealth is a rule's last tick.
type TickHealth struct {
	At             time.Time `json:"at"` // the instant it reasoned about
	StartedAt      time.Time `json:"started_at"`
	DurationMS     int64     `json:"duration_ms"`
	Subjects       int       `json:"subjects"`
	Raised         int       `json:"raised"`
	Reraised       int       `json:"reraised"`
	Resolved       int       `json:"resolved"`
	Flags          int       `json:"flags"`
	Accountability int       `json:"accountability"`
	Errors         int       `json:"errors"`
	// FirstErrorKind is what failed first (condition, outcome, episodes,
	// subjects, write). The error's own text may quote a subject's data
	// (a petitioner's name or number in an expression's error) and /healthz
	// answers anyone: the text is on the rules page and in the log.
	FirstErrorKind string `json:"first_error_kind,omitempty"`
	Replica        string `json:"replica"`
}

// DeliveryHealth is the delivery backlog.
type DeliveryHealth struct {
	Channels     []string                `json:"channels"`
	Undispatched int64                   `json:"undispatched"`
	Backlog      []store.DeliveryBacklog `json:"backlog"`
}

// Health gathers the service's health.
func (s *Service) Health(ctx context.Context) (*Health, int) {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	h := &Health{Status: "ok", Replica: s.Identity, Time: s.opts.Clock.Now().UTC(), Rules: s.Rules.State(),
		Scheduler: s.scheduler.Status(), Database: DatabaseHealth{OK: true, Dialect: s.Store.Dialect, DSN: s.Store.DSN}}
	if err := s.Store.Ping(ctx); err != nil {
		h.Status, h.Database.OK, h.Database.Error = "unavailable", false, err.Error()
		h.Problems = append(h.Problems, "database: "+err.Error())
		return h, http.StatusServiceUnavailable
	}
	if h.Rules.Error != nil {
		h.Problems = append(h.Problems, "rule files do not load; the rules loaded at "+h.Rules.LoadedAt.UTC().Format(time.RFC3339)+" stay in force")
		h.Problems = append(h.Problems, h.Rules.Error.Problems...)
	}
	if l, err := s.Store.Lease(ctx, SchedulerLease); err == nil && l != nil {
		h.Lease = &LeaseHealth{Name: l.Name, Holder: l.Holder, ThisIsIt: l.Holder == s.Identity && s.elector.Held(), Epoch: l.Epoch,
			AcquiredAt: l.AcquiredAt, ExpiresAt: l.ExpiresAt, Expired: l.ExpiresAt.Before(s.opts.Clock.Now())}
	}
	runs, err := s.Store.LastRuleRuns(ctx)
	if err != nil {
		h.Problems = append(h.Problems, "reading the last ticks: "+err.Error())
	}
	h.Ticks = map[string]TickHealth{}
	for _, r := range s.Rules.Current().Rules {
		run, ok := runs[r.ID]
		if !ok {
			continue
		}
		h.Ticks[r.ID] = TickHealth{At: run.Now, StartedAt: run.StartedAt, DurationMS: run.DurationMS, Subjects: run.Subjects,
			Raised: run.Raised, Reraised: run.Reraised, Resolved: run.Resolved, Flags: run.Flags, Accountability: run.Accountability,
			Errors: run.Errors, FirstErrorKind: run.FirstErrorKind, Replica: run.Host}
		if run.Errors > 0 {
			h.Problems = append(h.Problems, fmt.Sprintf("rule %s: last tick had %d errors, the first: %s; "+
				"its text is on the rules page and in the log", r.ID, run.Errors, failureSaid(run.FirstErrorKind)))
		}
	}
	if s.Notify != nil {
		d := &DeliveryHealth{Channels: s.Notify.Names()}
		d.Backlog, err = s.Store.DeliveryBacklogs(ctx)
		if err == nil {
			d.Undispatched, err = s.Store.UndispatchedCount(ctx)
		}
		if err != nil {
			h.Problems = append(h.Problems, "reading the delivery backlog: "+err.Error())
		}
		for _, b := range d.Backlog {
			if b.Status == "dead" {
				h.Problems = append(h.Problems, "channel "+b.Channel+": dead letters wait (duban deliveries list --status dead)")
			}
		}
		h.Deliveries = d
	}
	if len(h.Problems) > 0 {
		h.Status = "degraded"
	}
	return h, http.StatusOK
}

// failureSaid says what failed, by the kind a rule run recorded.
func failureSaid(kind string) string {
	switch kind {
	case engine.FailCondition:
		return "its condition could not be evaluated for a subject"
	case engine.FailOutcome:
		return "what it raises (recipients, title, body, flagged cases, unit or reason) could not be worked out for a subject"
	case engine.FailEpisodes:
		return "its open episodes could not be loaded"
	case engine.FailSubjects:
		return "its subjects could not be read"
	case engine.FailWrite:
		return "its outcomes could not be stored"
	}
	return "of a kind not recorded (a run from before kinds were recorded)"
}

func (s *Service) healthz(w http.ResponseWriter, r *http.Request) {
	h, code := s.Health(r.Context())
	// /healthz answers anyone: a rule error or a problem quoting a
	// subject's data shows no whole identity or phone number.
	mask.Strings(h)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	enc.Encode(h)
}

func (s *Service) metricsHandler() http.Handler {
	return promhttp.HandlerFor(s.Registry, promhttp.HandlerOpts{ErrorLog: nil})
}
