package notify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"duban/clock"
	"duban/models"
	"duban/notify"
	"duban/notify/webhook"
	"duban/store"
	"duban/store/storetest"
)

// raise opens n notices (one outbox message each) addressed to unit and 督查组.
func raise(t *testing.T, s *store.Store, from, n int, level, unit string) {
	t.Helper()
	if err := raiseLevel(s, from, n, level, unit); err != nil {
		t.Fatal(err)
	}
}

func raiseN(b *testing.B, s *store.Store, from, n int) {
	if err := raiseLevel(s, from, n, "督办", "zjj"); err != nil {
		b.Fatal(err)
	}
}

func raiseLevel(s *store.Store, from, n int, level, unit string) error {
	b := &store.Batch{Now: s.Clock.Now()}
	for i := from; i < from+n; i++ {
		key := fmt.Sprintf("C%04d", i)
		b.Opens = append(b.Opens, &store.OpenOp{
			Episode: models.Episode{RuleID: "deadline.breach", SubjectKind: "case", SubjectKey: key, Seq: 1},
			Notice: &models.Notice{DedupKey: "deadline.breach/" + key + "/1", RuleID: "deadline.breach", SubjectKind: "case",
				SubjectKey: key, CaseNo: key, Level: level, Title: key + " 已超期", Body: "电话 13800001234",
				UnitCode: unit, Recipients: `["` + unit + `","督查组"]`},
		})
	}
	return s.ApplyBatch(context.Background(), b)
}

// receiver is a webhook endpoint that counts what arrives by idempotency key.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	byKey  map[string]int
	posts  int
	answer func(n int) int // status for the n-th post (from 1); 0 hangs until the test ends
}

func newReceiver(t *testing.T, answer func(n int) int) *receiver {
	r := &receiver{byKey: map[string]int{}, answer: answer}
	hung := make(chan struct{})
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		if err := webhook.Verify("k", req.Header, body, time.Now(), time.Minute); err != nil {
			t.Errorf("bad signature: %v", err)
		}
		var m notify.Message
		json.Unmarshal(body, &m)
		if m.IdempotencyKey != req.Header.Get("Idempotency-Key") || m.IdempotencyKey == "" {
			t.Errorf("key %q in the body, %q in the header", m.IdempotencyKey, req.Header.Get("Idempotency-Key"))
		}
		r.mu.Lock()
		r.posts++
		status := r.answer(r.posts)
		if status == 200 {
			r.byKey[m.IdempotencyKey]++
		}
		r.mu.Unlock()
		if status == 0 {
			<-hung // past any timeout: the sender gives up
			status = 200
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(r.Close)
	t.Cleanup(func() { close(hung) }) // runs first: the hung handlers return, then the server closes
	return r
}

func (r *receiver) keys() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]int{}
	for k, v := range r.byKey {
		out[k] = v
	}
	return out
}

func worker(t *testing.T, s *store.Store, url, owner string, reg prometheus.Registerer) *notify.Worker {
	t.Helper()
	n, err := webhook.New(webhook.Config{URL: url, Secret: "k"}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &notify.Worker{Store: s, Owner: owner, Log: slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})), Poll: 20 * time.Millisecond, Batch: 16,
		// A send has all the time a busy machine needs: a test that wants
		// timeouts sets a short one with a receiver that hangs.
		Channels: []*notify.Channel{{Name: "hook", Type: "webhook", Timeout: 30 * time.Second, Notifier: n}},
		Router:   &notify.Router{Routes: []notify.Route{{Levels: []string{"督办"}, Channels: []string{"hook"}}}},
		Retry:    notify.Retry{Initial: 20 * time.Millisecond, Max: 100 * time.Millisecond, GiveUpAfter: time.Minute},
		Metrics:  notify.NewMetrics(reg, []string{"hook"})}
}

// drainLimit only bounds a hang: draining takes well under a second on an
// idle machine, and a busy one is given all the time it needs.
const drainLimit = 2 * time.Minute

// drain runs the workers until no delivery is pending, or fails after drainLimit.
func drain(t *testing.T, s *store.Store, ws ...*notify.Worker) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, w := range ws {
		wg.Go(func() { w.Run(ctx) })
	}
	defer func() { cancel(); wg.Wait() }()
	deadline := time.Now().Add(drainLimit)
	for time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		undispatched, _ := s.UndispatchedCount(ctx)
		pending, _ := s.ListDeliveries(ctx, store.DeliveryFilter{Status: models.DeliveryPending, Limit: 1})
		if undispatched == 0 && len(pending) == 0 {
			return
		}
	}
	t.Fatalf("deliveries still pending after %s", drainLimit)
}

func outboxKeys(t *testing.T, s *store.Store) []string {
	var keys []string
	if err := s.DB.Model(&models.Outbox{}).Order("id").Pluck("idem_key", &keys).Error; err != nil {
		t.Fatal(err)
	}
	return keys
}

func TestAReceiverThatFailsForAWhileGetsEverything(t *testing.T) {
	storetest.Each(t, time.Now(), func(t *testing.T, s *store.Store, _ *clock.Fixed) {
		s.Clock = clock.Real{}
		raise(t, s, 1, 20, "督办", "zjj")
		// 500s, then hangs past the timeout, then 503s, then all is well.
		r := newReceiver(t, func(n int) int {
			switch {
			case n <= 10:
				return 500
			case n <= 13:
				return 0
			case n <= 20:
				return 503
			}
			return 200
		})
		reg := prometheus.NewRegistry()
		w := worker(t, s, r.URL, "a", reg)
		w.Channels[0].Timeout = 200 * time.Millisecond // the three hangs meet it
		drain(t, s, w)
		got := r.keys()
		for _, k := range outboxKeys(t, s) {
			if got[k] < 1 {
				t.Errorf("%s never arrived", k)
			}
		}
		if len(got) != 20 {
			t.Errorf("%d distinct messages arrived, want 20", len(got))
		}
		if dead, _ := s.ListDeliveries(context.Background(), store.DeliveryFilter{Status: models.DeliveryDead}); len(dead) != 0 {
			t.Errorf("%d dead letters", len(dead))
		}
		if v := testutil.ToFloat64(w.Metrics.Failures("hook")); v < 20 {
			t.Errorf("failures counted: %v", v)
		}
		if v := testutil.ToFloat64(w.Metrics.Sent("hook")); v < 20 {
			t.Errorf("sent counted: %v", v)
		}
	})
}

func TestTwoWorkersNeverSendTheSameDeliveryTwice(t *testing.T) {
	storetest.Each(t, time.Now(), func(t *testing.T, s *store.Store, _ *clock.Fixed) {
		s.Clock = clock.Real{}
		raise(t, s, 1, 60, "督办", "zjj")
		r := newReceiver(t, func(int) int { return 200 })
		drain(t, s, worker(t, s, r.URL, "a", nil), worker(t, s, r.URL, "b", nil))
		got := r.keys()
		if len(got) != 60 {
			t.Errorf("%d distinct messages arrived, want 60", len(got))
		}
		for k, n := range got {
			if n != 1 {
				t.Errorf("%s arrived %d times", k, n)
			}
		}
		var owners []string
		s.DB.Model(&models.Delivery{}).Distinct().Pluck("claimed_by", &owners)
		if len(owners) != 1 || owners[0] != "" {
			t.Errorf("claims left behind: %v", owners)
		}
	})
}

func TestDeadLettersAndRetry(t *testing.T) {
	storetest.Each(t, time.Now(), func(t *testing.T, s *store.Store, _ *clock.Fixed) {
		s.Clock = clock.Real{}
		ctx := context.Background()
		raise(t, s, 1, 2, "督办", "zjj")
		raise(t, s, 3, 1, "提醒", "zjj") // no route takes a 提醒
		var status atomic.Int32
		status.Store(400)
		r := newReceiver(t, func(int) int { return int(status.Load()) })
		reg := prometheus.NewRegistry()
		w := worker(t, s, r.URL, "a", reg)
		drain(t, s, w)
		dead, _ := s.ListDeliveries(ctx, store.DeliveryFilter{Status: models.DeliveryDead})
		if len(dead) != 2 || dead[0].Attempts != 1 || dead[0].LastError == "" {
			t.Fatalf("a refused message is not a dead letter after one attempt: %+v", dead)
		}
		if all, _ := s.ListDeliveries(ctx, store.DeliveryFilter{}); len(all) != 2 {
			t.Errorf("%d deliveries; the 提醒 has no route", len(all))
		}
		if v := testutil.ToFloat64(w.Metrics.Unrouted()); v != 1 {
			t.Errorf("unrouted counted %v", v)
		}

		// A receiver that keeps failing exhausts the budget.
		status.Store(500)
		w.Retry.GiveUpAfter = 300 * time.Millisecond
		s.RetryDeliveries(ctx, []uint64{dead[0].ID})
		drain(t, s, w)
		d, _ := s.ListDeliveries(ctx, store.DeliveryFilter{Status: models.DeliveryDead})
		if len(d) != 2 || d[1].ID != dead[0].ID && d[0].ID != dead[0].ID {
			t.Fatalf("after the budget: %+v", d)
		}

		// Fixed: an operator re-sends the dead letters and they arrive.
		status.Store(200)
		ids, _ := s.DeadDeliveryIDs(ctx, "")
		s.RetryDeliveries(ctx, ids)
		drain(t, s, w)
		if sent, _ := s.ListDeliveries(ctx, store.DeliveryFilter{Status: models.DeliverySent}); len(sent) != 2 || len(r.keys()) != 2 {
			t.Errorf("after retry: %d sent, %d arrived", len(sent), len(r.keys()))
		}
	})
}

func TestShutdownFinishesAndRecordsTheSendUnderWay(t *testing.T) {
	storetest.Each(t, time.Now(), func(t *testing.T, s *store.Store, _ *clock.Fixed) {
		s.Clock = clock.Real{}
		raise(t, s, 1, 1, "督办", "zjj")
		arrived, shutdown := make(chan struct{}), make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			close(arrived)
			<-shutdown // answers only once shutdown has begun
		}))
		defer srv.Close()
		w := worker(t, s, srv.URL, "a", nil)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { w.Run(ctx); close(done) }()
		<-arrived
		cancel() // shutdown begins while the receiver is answering
		close(shutdown)
		<-done
		if sent, _ := s.ListDeliveries(context.Background(), store.DeliveryFilter{Status: models.DeliverySent}); len(sent) != 1 {
			t.Errorf("the send under way at shutdown was not recorded as sent")
		}
	})
}

func TestABacklogSendsOnlyTheLatestSendingOfANotice(t *testing.T) {
	storetest.Each(t, time.Now(), func(t *testing.T, s *store.Store, _ *clock.Fixed) {
		s.Clock = clock.Real{}
		raise(t, s, 1, 2, "督办", "zjj")
		var n models.Notice
		s.DB.Where("case_no = ?", "C0001").Take(&n)
		// Re-sent twice while nothing was delivering.
		for from := 1; from <= 2; from++ {
			b := &store.Batch{Now: time.Now(), Reraises: []*store.Reraise{{NoticeID: n.ID, FromCount: from, Title: n.Title}}}
			if err := s.ApplyBatch(context.Background(), b); err != nil {
				t.Fatal(err)
			}
		}
		r := newReceiver(t, func(int) int { return 200 })
		w := worker(t, s, r.URL, "a", prometheus.NewRegistry())
		drain(t, s, w)
		got := r.keys()
		if len(got) != 2 || got[fmt.Sprintf("notice/%d/3", n.ID)] != 1 || got[fmt.Sprintf("notice/%d/1", n.ID)] != 0 {
			t.Errorf("arrived %v; want the other notice and only the third sending of %d", got, n.ID)
		}
		if v := testutil.ToFloat64(w.Metrics.Superseded()); v != 2 {
			t.Errorf("superseded counted %v", v)
		}
	})
}

func TestARobotChannelIsPaced(t *testing.T) {
	s, err := store.Open(context.Background(), storetest.SQLite.NewDSN(t), store.Options{Clock: clock.Real{}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	raise(t, s, 1, 4, "督办", "zjj")
	var mu sync.Mutex
	var at []time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		mu.Lock()
		at = append(at, time.Now())
		mu.Unlock()
	}))
	defer srv.Close()
	w := worker(t, s, srv.URL, "a", nil)
	w.Channels[0].Interval = 150 * time.Millisecond
	drain(t, s, w)
	mu.Lock()
	defer mu.Unlock()
	if len(at) != 4 {
		t.Fatalf("%d arrived", len(at))
	}
	for i := 1; i < len(at); i++ {
		if gap := at[i].Sub(at[i-1]); gap < 140*time.Millisecond {
			t.Errorf("sends %d and %d only %s apart", i-1, i, gap)
		}
	}
}
