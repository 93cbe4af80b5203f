package notify

import (
	"github.com/prometheus/client_golang/prometheus"

	"duban/models"
	"duban/store"
)

// Metrics are the delivery worker's Prometheus metrics.
type Metrics struct {
	sent         *prometheus.CounterVec
	failures     *prometheus.CounterVec
	dead         *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	backlog      *prometheus.GaugeVec
	undispatched prometheus.Gauge
	dispatched   prometheus.Counter
	unrouted     prometheus.Counter
	superseded   prometheus.Counter
}

// NewMetrics creates the delivery metrics for the configured channels and
// registers them with reg.
func NewMetrics(reg prometheus.Registerer, channels []string) *Metrics {
	m := &Metrics{
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "duban_deliveries_sent_total",
			Help: "Deliveries this replica sent, by channel."}, []string{"channel"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "duban_delivery_failures_total",
			Help: "Failed delivery attempts on this replica, by channel (each is retried unless it became a dead letter)."}, []string{"channel"}),
		dead: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "duban_deliveries_dead_total",
			Help: "Deliveries this replica gave up on (dead letters), by channel."}, []string{"channel"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "duban_delivery_duration_seconds",
			Help: "Time one delivery attempt took, by channel.", Buckets: []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 30}}, []string{"channel"}),
		backlog: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "duban_deliveries",
			Help: "Deliveries waiting (pending) or given up (dead) in the database, by channel; the same on every replica."},
			[]string{"channel", "status"}),
		undispatched: prometheus.NewGauge(prometheus.GaugeOpts{Name: "duban_outbox_undispatched",
			Help: "Outbox messages not yet fanned out to their channels."}),
		dispatched: prometheus.NewCounter(prometheus.CounterOpts{Name: "duban_outbox_dispatched_total",
			Help: "Outbox messages this replica fanned out to their channels."}),
		unrouted: prometheus.NewCounter(prometheus.CounterOpts{Name: "duban_outbox_unrouted_total",
			Help: "Outbox messages no route matched (nothing sent for them)."}),
		superseded: prometheus.NewCounter(prometheus.CounterOpts{Name: "duban_outbox_superseded_total",
			Help: "Outbox messages not sent because a later sending of the same notice was waiting too."}),
	}
	for _, c := range channels {
		m.sent.WithLabelValues(c)
		m.failures.WithLabelValues(c)
		m.dead.WithLabelValues(c)
		m.backlog.WithLabelValues(c, models.DeliveryPending)
		m.backlog.WithLabelValues(c, models.DeliveryDead)
	}
	if reg != nil {
		reg.MustRegister(m.sent, m.failures, m.dead, m.duration, m.backlog, m.undispatched, m.dispatched, m.unrouted, m.superseded)
	}
	return m
}

func (m *Metrics) setBacklog(channels []string, backlog []store.DeliveryBacklog, undispatched int64) {
	if m == nil {
		return
	}
	m.backlog.Reset()
	for _, c := range channels {
		m.backlog.WithLabelValues(c, models.DeliveryPending)
		m.backlog.WithLabelValues(c, models.DeliveryDead)
	}
	for _, b := range backlog {
		m.backlog.WithLabelValues(b.Channel, b.Status).Set(float64(b.Count))
	}
	m.undispatched.Set(float64(undispatched))
}

// Sent is the counter of deliveries sent to a channel (tests read it).
func (m *Metrics) Sent(channel string) prometheus.Counter { return m.sent.WithLabelValues(channel) }

// Failures is the counter of failed attempts on a channel.
func (m *Metrics) Failures(channel string) prometheus.Counter {
	return m.failures.WithLabelValues(channel)
}

// Unrouted is the counter of outbox messages no route took.
func (m *Metrics) Unrouted() prometheus.Counter { return m.unrouted }

// Superseded is the counter of outbox messages a later sending replaced.
func (m *Metrics) Superseded() prometheus.Counter { return m.superseded }
