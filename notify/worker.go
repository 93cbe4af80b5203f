package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"duban/models"
	"duban/store"
)

// Worker fans outbox messages out to their channels and sends the
// deliveries. Any number of workers — one per replica — can run on one
// database: each delivery is claimed by exactly one before it is sent.
type Worker struct {
	Store    *store.Store
	Channels []*Channel
	Router   *Router
	Retry    Retry
	// Owner names this replica in claims.
	Owner    string
	Log      *slog.Logger
	Metrics  *Metrics
	Location *time.Location // how times are shown in messages
	// Poll is how often an idle worker looks for work.
	Poll time.Duration
	// Batch is how many due deliveries one round takes.
	Batch int

	once      sync.Once
	byName    map[string]*Channel
	names     []string
	mu        sync.Mutex
	lastSend  map[string]time.Time // by channel
	unitNames map[string]string
	unitsAt   time.Time
}

func (w *Worker) init() {
	w.once.Do(func() {
		w.byName = map[string]*Channel{}
		w.lastSend = map[string]time.Time{}
		for _, c := range w.Channels {
			w.byName[c.Name] = c
			w.names = append(w.names, c.Name)
		}
		sort.Strings(w.names)
		if w.Log == nil {
			w.Log = slog.New(slog.DiscardHandler)
		}
		if w.Router == nil {
			w.Router = &Router{}
		}
		if w.Retry == (Retry{}) {
			w.Retry = DefaultRetry
		}
		if w.Poll <= 0 {
			w.Poll = time.Second
		}
		if w.Batch <= 0 {
			w.Batch = 64
		}
		if w.Location == nil {
			w.Location = time.UTC
		}
	})
}

// Run works until ctx ends: one loop fans the outbox out, and one loop per
// channel sends that channel's deliveries in order, so a channel that is
// slow or down never holds up the others. Sends under way when ctx ends
// are finished and recorded (each is bounded by its channel's timeout);
// nothing new starts.
func (w *Worker) Run(ctx context.Context) {
	w.init()
	w.Log.Info("notify: delivering", "channels", w.names, "owner", w.Owner)
	var wg sync.WaitGroup
	var lastBacklog time.Time
	wg.Go(func() {
		w.loop(ctx, "fan-out", func(ctx context.Context) (int, error) {
			if time.Since(lastBacklog) >= 10*time.Second {
				w.refreshBacklog(ctx)
				lastBacklog = time.Now()
			}
			return w.dispatch(ctx)
		})
	})
	for _, ch := range w.Channels {
		wg.Go(func() {
			w.loop(ctx, ch.Name, func(ctx context.Context) (int, error) { return w.sendChannel(ctx, ch) })
		})
	}
	wg.Wait()
}

// loop repeats step until ctx ends, at once while it finds work, else
// after Poll.
func (w *Worker) loop(ctx context.Context, what string, step func(context.Context) (int, error)) {
	for ctx.Err() == nil {
		n, err := step(ctx)
		if err != nil && ctx.Err() == nil {
			w.Log.Warn("notify: "+what+" failed", "err", err)
		}
		if n > 0 && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
		case <-time.After(w.Poll):
		}
	}
}

func (w *Worker) refreshBacklog(ctx context.Context) {
	backlog, err := w.Store.DeliveryBacklogs(ctx)
	if err != nil {
		return
	}
	undispatched, err := w.Store.UndispatchedCount(ctx)
	if err != nil {
		return
	}
	w.Metrics.setBacklog(w.names, backlog, undispatched)
}

// Round fans out the waiting outbox messages and makes one attempt at each
// due delivery of every channel. It returns how many messages and
// deliveries it handled. (Run does the same, continuously.)
func (w *Worker) Round(ctx context.Context) (int, error) {
	w.init()
	n, err := w.dispatch(ctx)
	if err != nil {
		return n, err
	}
	for _, ch := range w.Channels {
		m, err := w.sendChannel(ctx, ch)
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// dispatch turns waiting outbox messages into deliveries, one per channel
// their notice's routes select.
func (w *Worker) dispatch(ctx context.Context) (int, error) {
	items, err := w.Store.Undispatched(ctx, 200)
	if err != nil || len(items) == 0 {
		if err != nil {
			err = fmt.Errorf("reading the outbox: %w", err)
		}
		return 0, err
	}
	ids := make([]uint64, len(items))
	for i, it := range items {
		ids[i] = it.Notice.ID
	}
	latest, err := w.Store.LatestSendings(ctx, ids)
	if err != nil {
		return 0, fmt.Errorf("reading the outbox: %w", err)
	}
	for _, it := range items {
		var channels []string
		for _, c := range w.Router.Channels(&it.Notice) {
			if w.byName[c] != nil {
				channels = append(channels, c)
			}
		}
		if it.Outbox.SendSeq < latest[it.Notice.ID] {
			// A later sending of the same notice waits too (nothing was
			// delivering while it was repeated): send only that one, rather
			// than flood a group with every day's reminder at once.
			w.Log.Info("notify: superseded by a later sending; not sent", "key", it.Outbox.IdemKey)
			channels = nil
			if w.Metrics != nil {
				w.Metrics.superseded.Inc()
			}
		} else if len(channels) == 0 {
			w.Log.Debug("notify: no route for the notice", "key", it.Outbox.IdemKey, "rule", it.Notice.RuleID, "level", it.Notice.Level)
			if w.Metrics != nil {
				w.Metrics.unrouted.Inc()
			}
		}
		if _, err := w.Store.Dispatch(ctx, it.Outbox, channels); err != nil {
			return 0, fmt.Errorf("dispatching %s: %w", it.Outbox.IdemKey, err)
		}
		if w.Metrics != nil {
			w.Metrics.dispatched.Inc()
		}
	}
	return len(items), nil
}

// sendChannel attempts a channel's due deliveries, in order.
func (w *Worker) sendChannel(ctx context.Context, ch *Channel) (int, error) {
	due, err := w.Store.DueDeliveries(ctx, []string{ch.Name}, w.Batch)
	if err != nil || len(due) == 0 {
		return 0, err
	}
	ids := make([]uint64, 0, len(due))
	for _, d := range due {
		ids = append(ids, d.NoticeID)
	}
	notices, err := w.Store.Notices(ctx, ids)
	if err != nil {
		return 0, err
	}
	units := w.units(ctx)
	handled := 0
	for _, d := range due {
		if !w.paced(ctx, ch) {
			break
		}
		n, ok := notices[d.NoticeID]
		if !ok {
			continue
		}
		if w.attempt(ctx, ch, &d, &n, units) {
			handled++
			w.mu.Lock()
			w.lastSend[ch.Name] = time.Now()
			w.mu.Unlock()
		}
	}
	return handled, nil
}

// paced waits until the channel's interval since this worker's last send
// has passed; false when ctx ended first.
func (w *Worker) paced(ctx context.Context, ch *Channel) bool {
	w.mu.Lock()
	wait := time.Until(w.lastSend[ch.Name].Add(ch.Interval))
	w.mu.Unlock()
	if ch.Interval <= 0 || wait <= 0 {
		return ctx.Err() == nil
	}
	select {
	case <-ctx.Done():
		return false
	case <-time.After(wait):
		return true
	}
}

// attempt claims one delivery, sends it and records the result. It reports
// whether this worker made the attempt (false: another worker had it).
func (w *Worker) attempt(ctx context.Context, ch *Channel, d *models.Delivery, n *models.Notice, units map[string]string) bool {
	timeout := ch.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	token := newToken()
	// The claim outlasts the send and its recording; if this process dies
	// meanwhile, another worker takes the delivery once the claim runs out.
	ok, err := w.Store.ClaimDelivery(ctx, d.ID, w.Owner, token, 2*timeout+5*time.Second)
	if err != nil {
		w.Log.Warn("notify: claim failed", "delivery", d.ID, "err", err)
		return false
	}
	if !ok {
		return false
	}
	msg := NewMessage(n, d, units, w.Location)
	// The send finishes even when shutdown begins: its result is recorded.
	sendCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	started := time.Now()
	retry, sendErr := ch.Notifier.Send(sendCtx, msg)
	cancel()
	if w.Metrics != nil {
		w.Metrics.duration.WithLabelValues(ch.Name).Observe(time.Since(started).Seconds())
	}
	now := w.Store.Clock.Now()
	result := store.Attempt{Status: models.DeliverySent}
	log := w.Log.With("channel", ch.Name, "key", d.IdemKey, "delivery", d.ID, "attempt", d.Attempts+1)
	if sendErr != nil {
		result.Error = sendErr.Error()
		next, dead := w.Retry.Next(d.Attempts+1, now, d.RetryFrom)
		if w.Metrics != nil {
			w.Metrics.failures.WithLabelValues(ch.Name).Inc()
		}
		switch {
		case !retry || dead:
			result.Status = models.DeliveryDead
			why := "retrying cannot help"
			if retry {
				why = "retry budget spent"
			}
			log.Error("notify: dead letter", "why", why, "err", sendErr)
			if w.Metrics != nil {
				w.Metrics.dead.WithLabelValues(ch.Name).Inc()
			}
		default:
			result.Status, result.Next = models.DeliveryPending, next
			log.Warn("notify: send failed; will retry", "err", sendErr, "next", next)
		}
	} else {
		log.Debug("notify: sent")
		if w.Metrics != nil {
			w.Metrics.sent.WithLabelValues(ch.Name).Inc()
		}
	}
	recorded, err := w.Store.FinishDelivery(context.WithoutCancel(ctx), d.ID, token, result)
	switch {
	case err != nil:
		// The claim runs out and the delivery is tried again: at least once.
		log.Error("notify: could not record the attempt; it will be repeated", "err", err)
	case !recorded:
		log.Warn("notify: the claim ran out before the attempt was recorded; another worker has the delivery")
	}
	return true
}

// units returns unit names, read at most once a minute.
func (w *Worker) units(ctx context.Context) map[string]string {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.unitNames != nil && time.Since(w.unitsAt) < time.Minute {
		return w.unitNames
	}
	names, err := w.Store.UnitNames(ctx)
	if err == nil {
		w.unitNames, w.unitsAt = names, time.Now()
	}
	return w.unitNames
}

func newToken() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}
