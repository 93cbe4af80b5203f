package scheduler

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"duban/engine"
)

// Metrics are the scheduler's Prometheus metrics.
type Metrics struct {
	tickDuration  prometheus.Histogram
	ticks         *prometheus.CounterVec
	ruleDuration  *prometheus.HistogramVec
	ruleSubjects  *prometheus.GaugeVec
	ruleOutcomes  *prometheus.CounterVec
	ruleErrors    *prometheus.CounterVec
	ruleLastTick  *prometheus.GaugeVec
	missed        *prometheus.CounterVec
	vecs          []interface{ DeletePartialMatch(prometheus.Labels) int }
	lastTickStart prometheus.Gauge
}

// NewMetrics creates the scheduler's metrics and registers them with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	buckets := []float64{.01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300}
	m := &Metrics{
		tickDuration: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "duban_tick_duration_seconds",
			Help: "Time a tick took, all its rules together.", Buckets: buckets}),
		ticks: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "duban_ticks_total",
			Help: "Ticks run by this replica, by result: ok, rule_errors (some rule failed on some subjects), failed (the tick stopped), panic."},
			[]string{"result"}),
		ruleDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "duban_rule_duration_seconds",
			Help: "Time the pass that evaluated a rule took (rules of one subject kind share a pass).", Buckets: buckets}, []string{"rule"}),
		ruleSubjects: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "duban_rule_subjects",
			Help: "Subjects the rule's last tick on this replica evaluated."}, []string{"rule"}),
		ruleOutcomes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "duban_rule_outcomes_total",
			Help: "Outcomes written by the rule's ticks on this replica, by kind (notice, flag, accountability) and action (raised, reraised, resolved)."},
			[]string{"rule", "kind", "action"}),
		ruleErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "duban_rule_errors_total",
			Help: "Errors of the rule's ticks on this replica (a subject it could not evaluate, a page it could not write)."}, []string{"rule"}),
		ruleLastTick: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "duban_rule_last_tick_timestamp_seconds",
			Help: "The instant the rule's last tick on this replica reasoned about, as a Unix time."}, []string{"rule"}),
		missed: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "duban_scheduler_missed_ticks_total",
			Help: "Scheduled instants skipped because the previous tick was still running."}, []string{"rule"}),
		lastTickStart: prometheus.NewGauge(prometheus.GaugeOpts{Name: "duban_tick_last_start_timestamp_seconds",
			Help: "When this replica last started a tick, as a Unix time."}),
	}
	m.vecs = []interface{ DeletePartialMatch(prometheus.Labels) int }{m.ruleDuration, m.ruleSubjects, m.ruleOutcomes, m.ruleErrors, m.ruleLastTick, m.missed}
	if reg != nil {
		reg.MustRegister(m.tickDuration, m.ticks, m.ruleDuration, m.ruleSubjects, m.ruleOutcomes, m.ruleErrors, m.ruleLastTick, m.missed, m.lastTickStart)
	}
	// Results appear at 0 before the first tick.
	for _, r := range []string{"ok", "rule_errors", "failed", "panic"} {
		m.ticks.WithLabelValues(r)
	}
	return m
}

func (m *Metrics) started(at time.Time) {
	if m != nil {
		m.lastTickStart.Set(float64(at.UnixNano()) / 1e9)
	}
}

func (m *Metrics) observe(rep *engine.Report, took time.Duration, result string) {
	if m == nil {
		return
	}
	m.tickDuration.Observe(took.Seconds())
	m.ticks.WithLabelValues(result).Inc()
	if rep == nil {
		return
	}
	for _, r := range rep.Runs {
		m.ruleDuration.WithLabelValues(r.RuleID).Observe(float64(r.DurationMS) / 1000)
		m.ruleSubjects.WithLabelValues(r.RuleID).Set(float64(r.Subjects))
		m.ruleErrors.WithLabelValues(r.RuleID).Add(float64(r.Errors))
		m.ruleLastTick.WithLabelValues(r.RuleID).Set(float64(rep.Now.Unix()))
		for _, o := range []struct {
			kind, action string
			n            int
		}{
			{engine.KindNotice, engine.ActionRaised, r.Raised},
			{engine.KindNotice, engine.ActionReraised, r.Reraised},
			{engine.KindNotice, engine.ActionResolved, r.Resolved},
			{engine.KindFlag, engine.ActionRaised, r.Flags},
			{engine.KindAccountability, engine.ActionRaised, r.Accountability},
		} {
			m.ruleOutcomes.WithLabelValues(r.RuleID, o.kind, o.action).Add(float64(o.n))
		}
	}
}

func (m *Metrics) missedTicks(rule string, n int) {
	if m != nil {
		m.missed.WithLabelValues(rule).Add(float64(n))
	}
}

// forget drops the series of a rule that is no longer loaded.
func (m *Metrics) forget(rule string) {
	if m == nil {
		return
	}
	for _, v := range m.vecs {
		v.DeletePartialMatch(prometheus.Labels{"rule": rule})
	}
}
