package notify_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"duban/clock"
	"duban/models"
	"duban/notify"
	"duban/notify/webhook"
	"duban/store"
	"duban/store/storetest"
)

// BenchmarkDelivery fans out and sends b.N notices to a local webhook:
// ns/op is the cost of one delivery (claim, sign, post, record).
func BenchmarkDelivery(b *testing.B) {
	for _, backend := range storetest.Backends() {
		b.Run(backend.Name, func(b *testing.B) {
			s, err := store.Open(context.Background(), backend.NewDSN(b), store.Options{Clock: clock.Real{}})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
			defer srv.Close()
			for from := 1; from <= b.N; from += 1000 {
				raiseN(b, s, from, min(1000, b.N-from+1))
			}
			n, _ := webhook.New(webhook.Config{URL: srv.URL, Secret: "k"}, nil, nil)
			w := &notify.Worker{Store: s, Owner: "bench", Batch: 200,
				Channels: []*notify.Channel{{Name: "hook", Timeout: 5e9, Notifier: n}},
				Router:   &notify.Router{Routes: []notify.Route{{Channels: []string{"hook"}}}}}
			b.ResetTimer()
			for {
				done, err := w.Round(context.Background())
				if err != nil {
					b.Fatal(err)
				}
				if done == 0 {
					break
				}
			}
			b.StopTimer()
			var sent int64
			s.DB.Model(&models.Delivery{}).Where("status = ?", models.DeliverySent).Count(&sent)
			if sent != int64(b.N) {
				b.Fatalf("%d sent of %d", sent, b.N)
			}
		})
	}
}
