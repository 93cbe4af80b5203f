package loadgen

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

func TestRunMeasuresEachTargetAndCountsErrors(t *testing.T) {
	var slow, tokens atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "Bearer t" {
			tokens.Add(1)
		}
		switch r.URL.Path {
		case "/slow":
			slow.Add(1)
			time.Sleep(20 * time.Millisecond)
		case "/missing":
			w.WriteHeader(http.StatusNotFound)
		}
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	fast, _ := ParseTarget("fast=/fast")
	slowT, _ := ParseTarget("slow=GET /slow")
	missing, _ := ParseTarget("missing=/missing")
	res, err := Run(context.Background(), Options{BaseURL: srv.URL, Targets: []Target{fast, slowT, missing}, Concurrency: 3,
		Rate: 150, Duration: time.Second, Header: http.Header{"Authorization": {"Bearer t"}}})
	if err != nil {
		t.Fatal(err)
	}
	// Pacing caps the requests at the rate (150 due in the second, plus one
	// per caller); how many fewer a busy machine manages is not a verdict.
	if res.Requests > 200 {
		t.Errorf("%d requests at 150/s for 1s", res.Requests)
	}
	by := map[string]TargetResult{}
	for _, tr := range res.Targets {
		by[tr.Name] = tr
		if tr.Requests == 0 {
			t.Errorf("%s: never called", tr.Name)
		}
		t.Logf("%s: %d requests, latency %+v", tr.Name, tr.Requests, tr.Latency)
	}
	// A latency counts the server's time: the slow target's answers take at
	// least the 20ms its handler waits, on any machine. (How fast the fast
	// target answers depends on the machine, so it is only logged.)
	if by["slow"].Latency.P50 < 20 {
		t.Errorf("latencies: slow %+v, below the handler's 20ms", by["slow"].Latency)
	}
	if m := by["missing"]; m.Errors != m.Requests || m.Status["404"] != m.Requests || m.FirstErr != "HTTP 404" {
		t.Errorf("the 404s: %+v", m)
	}
	if res.Errors != by["missing"].Errors || int(tokens.Load()) < res.Requests {
		t.Errorf("errors %d, tokens sent %d of %d", res.Errors, tokens.Load(), res.Requests)
	}
}

func TestParseTarget(t *testing.T) {
	for in, want := range map[string]Target{
		"healthz=/healthz":               {Name: "healthz", Path: "/healthz"},
		"ack=POST /api/v1/notices/1/ack": {Name: "ack", Method: "POST", Path: "/api/v1/notices/1/ack"},
	} {
		got, err := ParseTarget(in)
		if err != nil || got.Name != want.Name || got.Method != want.Method || got.Path != want.Path {
			t.Errorf("%s: %+v %v", in, got, err)
		}
	}
	for _, bad := range []string{"healthz", "=/x", "x=healthz"} {
		if _, err := ParseTarget(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
