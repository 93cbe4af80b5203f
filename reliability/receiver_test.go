package reliability_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"duban/clock"
	"duban/engine"
	"duban/importer"
	"duban/internal/faultkit"
	"duban/internal/poll"
	"duban/models"
	"duban/notify"
	"duban/notify/config"
	"duban/rules"
	"duban/store"
	"duban/store/storetest"
)

// raiseScenario imports the scenario into s and ticks it once in-process.
func raiseScenario(t *testing.T, s *store.Store, sc faultkit.Scenario, now time.Time) {
	t.Helper()
	ctx := context.Background()
	for _, f := range []struct{ kind, text string }{{importer.KindUnits, faultkit.Units}, {importer.KindCases, sc.CasesJSONL()}} {
		if _, err := importer.Reader(ctx, s, strings.NewReader(f.text), importer.Options{Kind: f.kind, Format: "jsonl"}); err != nil {
			t.Fatal(err)
		}
	}
	rs, err := rules.Load(mapFS("fault.yaml", sc.RulesYAML()), rules.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := engine.New(s, nil).Tick(ctx, rs, now, engine.TickOptions{})
	if err != nil || rep.Errors() > 0 {
		t.Fatalf("tick: %v %+v", err, rep)
	}
}

// TestMisbehavingReceiverGetsEverythingOnce sends a county's notices to a
// webhook receiver that is slow (past the sender's timeout, having or not
// having processed the message), answers 503, or drops the connection
// before or in the middle of its answer. Every sending must be processed by
// the receiver — exactly once after it drops repeated idempotency keys —
// with no dead letter, on both databases.
func TestMisbehavingReceiverGetsEverythingOnce(t *testing.T) {
	t.Parallel()
	behaviours := []struct {
		name  string
		pick  func(n int, tries int) faultkit.Behaviour
		cases int
	}{
		{"slow", func(n, tries int) faultkit.Behaviour {
			switch {
			case tries == 1 && n%3 == 0:
				return faultkit.SlowAccept
			case tries == 1 && n%3 == 1:
				return faultkit.SlowFail
			}
			return faultkit.Accept
		}, 60},
		{"errors", func(n, tries int) faultkit.Behaviour {
			if tries <= 3 {
				return faultkit.Fail
			}
			return faultkit.Accept
		}, 60},
		{"connections closed", func(n, tries int) faultkit.Behaviour {
			switch {
			case tries == 1 && n%2 == 0:
				return faultkit.CloseMidResponse
			case tries <= 2 && n%2 == 1:
				return faultkit.CloseBeforeResponse
			}
			return faultkit.Accept
		}, 60},
		{"all at once", func(n, tries int) faultkit.Behaviour {
			if tries > 4 {
				return faultkit.Accept
			}
			return []faultkit.Behaviour{faultkit.Accept, faultkit.Fail, faultkit.CloseMidResponse,
				faultkit.CloseBeforeResponse, faultkit.SlowAccept, faultkit.Fail, faultkit.SlowFail}[(n+tries)%7]
		}, 60},
	}
	now := time.Now().UTC().Truncate(time.Second)
	figures := map[string]any{}
	var mu sync.Mutex
	t.Cleanup(func() { faultkit.Record(t, "receiver-misbehaves", figures) })
	for _, bh := range behaviours {
		t.Run(bh.name, func(t *testing.T) {
			t.Parallel()
			storetest.Each(t, now, func(t *testing.T, s *store.Store, _ *clock.Fixed) {
				sc := faultkit.Scenario{Cases: faultkit.Scale(bh.cases, bh.cases*5), Schedule: "@every 1h", Received: now.Add(-20 * 24 * time.Hour)}
				raiseScenario(t, s, sc, now)
				s.Clock = clock.Real{}
				var tmu sync.Mutex
				tries := map[string]int{}
				recv := faultkit.NewReceiver(t, "hook-secret", func(n int, key string) faultkit.Behaviour {
					tmu.Lock()
					defer tmu.Unlock()
					tries[key]++
					return bh.pick(n, tries[key])
				})
				recv.Slow = 250 * time.Millisecond
				setup, err := config.Parse("notify.yaml", []byte(`retry: {initial_backoff: 20ms, max_backoff: 200ms, give_up_after: 10m}
channels:
  - {name: hook, type: webhook, url: "`+recv.URL+`", secret: hook-secret, timeout: 100ms}
routes:
  - {channels: [hook]}
`), clock.Real{})
				if err != nil {
					t.Fatal(err)
				}
				w := &notify.Worker{Store: s, Channels: setup.Channels, Router: setup.Router, Retry: setup.Retry, Owner: "w",
					Log: slog.New(slog.DiscardHandler), Poll: 20 * time.Millisecond}
				ctx, cancel := context.WithCancel(context.Background())
				done := make(chan struct{})
				go func() { defer close(done); w.Run(ctx) }()
				started := time.Now()
				poll.Until(t, "every delivery is sent", func() bool {
					var waiting int64
					s.DB.Model(&models.Delivery{}).Where("status <> ?", models.DeliverySent).Count(&waiting)
					n, err := s.UndispatchedCount(ctx)
					return err == nil && n == 0 && waiting == 0
				})
				took := time.Since(started)
				cancel()
				<-done
				out, err := faultkit.Check(context.Background(), s, sc.Expect(), recv.Processed())
				if err != nil {
					t.Fatal(err)
				}
				for _, l := range out.Lost {
					t.Error(l)
				}
				stats := recv.Stats()
				if len(stats.Bad) > 0 {
					t.Errorf("bad posts: %v", stats.Bad)
				}
				if stats.Keys != out.Sendings {
					t.Errorf("the receiver processed %d distinct messages for %d sendings", stats.Keys, out.Sendings)
				}
				var dead int64
				s.DB.Model(&models.Delivery{}).Where("status = ?", models.DeliveryDead).Count(&dead)
				mu.Lock()
				figures[fmt.Sprintf("%s/%s", bh.name, s.Dialect)] = map[string]any{"sendings": out.Sendings, "delivered": out.Delivered,
					"dead_letters": dead, "receiver": stats, "seconds": took.Seconds(), "lost": len(out.Lost)}
				mu.Unlock()
			})
		})
	}
}
