// Package loadgen puts a running duban service under HTTP load and measures
// what each endpoint's callers see: requests, errors, status codes and
// latency percentiles. It is the second process of the soak test (see
// RELIABILITY.md) and of `duban bench load`.
//
// Targets are plain method + path (+ body); the endpoints of the JSON API
// under /api/v1 join /healthz and /metrics as more targets, with the token
// a role's user would send in Header.
package loadgen

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Target is one endpoint the generator calls.
type Target struct {
	Name   string `json:"name"`
	Method string `json:"method"` // GET when empty
	Path   string `json:"path"`   // with its query, e.g. /api/v1/notices?status=open&limit=50
	Body   []byte `json:"-"`
	// Header is added to this target's requests (a role's token, a content type).
	Header http.Header `json:"-"`
	// Weight is the target's share of the requests (1 when 0).
	Weight int `json:"weight,omitempty"`
	// Expect lists the statuses of a healthy answer (200 when empty);
	// anything else counts as an error.
	Expect []int `json:"expect,omitempty"`
}

// ParseTarget reads NAME=PATH or NAME=METHOD PATH, as given on a command line.
func ParseTarget(s string) (Target, error) {
	name, rest, ok := strings.Cut(s, "=")
	if !ok || name == "" || rest == "" {
		return Target{}, fmt.Errorf("target %q: want NAME=PATH or NAME=METHOD PATH, like notices=/api/v1/notices?limit=50", s)
	}
	t := Target{Name: name, Path: rest}
	if m, p, ok := strings.Cut(rest, " "); ok {
		t.Method, t.Path = strings.ToUpper(m), strings.TrimSpace(p)
	}
	if !strings.HasPrefix(t.Path, "/") {
		return Target{}, fmt.Errorf("target %q: the path must start with /", s)
	}
	return t, nil
}

// Options configure a run.
type Options struct {
	BaseURL     string // http://host:port
	Targets     []Target
	Concurrency int // callers at once (default 4)
	// Rate is the total requests per second, spread over the callers; each
	// request's latency counts from when it was due, so a slow answer that
	// delays the next request shows in the figures (no coordinated
	// omission). 0: every caller sends its next request as soon as the last
	// one is answered.
	Rate     float64
	Duration time.Duration
	Timeout  time.Duration // per request (default 10s)
	// Header is added to every request.
	Header http.Header
	Client *http.Client
}

// Result is a run's figures.
type Result struct {
	Seconds     float64        `json:"seconds"`
	Concurrency int            `json:"concurrency"`
	Rate        float64        `json:"rate,omitempty"`
	Requests    int            `json:"requests"`
	Errors      int            `json:"errors"`
	PerSecond   float64        `json:"per_second"`
	Targets     []TargetResult `json:"targets"`
}

// TargetResult is one target's figures.
type TargetResult struct {
	Name      string         `json:"name"`
	Method    string         `json:"method"`
	Path      string         `json:"path"`
	Requests  int            `json:"requests"`
	Errors    int            `json:"errors"`
	Status    map[string]int `json:"status"` // by HTTP status; "error" for failed requests
	FirstErr  string         `json:"first_error,omitempty"`
	PerSecond float64        `json:"per_second"`
	Latency   Latency        `json:"latency_ms"`
}

// Latency is a set of latencies, in milliseconds.
type Latency struct {
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	P999 float64 `json:"p99_9"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
}

// Summarise computes latency percentiles.
func Summarise(ds []time.Duration) Latency {
	if len(ds) == 0 {
		return Latency{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	at := func(q float64) float64 { return ms(s[min(len(s)-1, int(q*float64(len(s))))]) }
	var sum time.Duration
	for _, d := range s {
		sum += d
	}
	return Latency{P50: at(0.5), P90: at(0.9), P99: at(0.99), P999: at(0.999), Max: ms(s[len(s)-1]), Mean: ms(sum / time.Duration(len(s)))}
}

type tally struct {
	mu        sync.Mutex
	latencies []time.Duration
	status    map[string]int
	errors    int
	firstErr  string
}

// Run puts the service under load for opts.Duration (or until ctx ends).
func Run(ctx context.Context, opts Options) (*Result, error) {
	if len(opts.Targets) == 0 {
		return nil, fmt.Errorf("no targets")
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 4
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	client := opts.Client
	if client == nil {
		client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: opts.Concurrency}}
	}
	// The order targets are called in: each as many times as its weight.
	var order []int
	for i, t := range opts.Targets {
		for range max(1, t.Weight) {
			order = append(order, i)
		}
	}
	tallies := make([]*tally, len(opts.Targets))
	for i := range tallies {
		tallies[i] = &tally{status: map[string]int{}}
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Duration)
	defer cancel()
	start := time.Now()
	var interval time.Duration
	if opts.Rate > 0 {
		interval = time.Duration(float64(time.Second) * float64(opts.Concurrency) / opts.Rate)
	}
	var wg sync.WaitGroup
	for w := range opts.Concurrency {
		wg.Go(func() {
			// Callers start spread over one interval, and take turns over the targets.
			due := start.Add(interval * time.Duration(w) / time.Duration(opts.Concurrency))
			for k := w; ctx.Err() == nil; k += opts.Concurrency {
				if interval > 0 {
					select {
					case <-ctx.Done():
						return
					case <-time.After(time.Until(due)):
					}
				} else {
					due = time.Now()
				}
				i := order[k%len(order)]
				status, err := call(ctx, client, opts, opts.Targets[i])
				took := time.Since(due)
				if ctx.Err() != nil && err != nil {
					return // cut short by the end of the run, not the service
				}
				tallies[i].add(opts.Targets[i], status, err, took)
				due = due.Add(interval)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	res := &Result{Seconds: elapsed.Seconds(), Concurrency: opts.Concurrency, Rate: opts.Rate}
	for i, t := range opts.Targets {
		tl := tallies[i]
		method := t.Method
		if method == "" {
			method = http.MethodGet
		}
		tr := TargetResult{Name: t.Name, Method: method, Path: t.Path, Requests: len(tl.latencies), Errors: tl.errors,
			Status: tl.status, FirstErr: tl.firstErr, PerSecond: float64(len(tl.latencies)) / elapsed.Seconds(), Latency: Summarise(tl.latencies)}
		res.Targets = append(res.Targets, tr)
		res.Requests += tr.Requests
		res.Errors += tr.Errors
	}
	res.PerSecond = float64(res.Requests) / elapsed.Seconds()
	return res, nil
}

func (tl *tally) add(t Target, status int, err error, took time.Duration) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	tl.latencies = append(tl.latencies, took)
	expect := t.Expect
	if len(expect) == 0 {
		expect = []int{http.StatusOK}
	}
	switch {
	case err != nil:
		tl.status["error"]++
		tl.errors++
		if tl.firstErr == "" {
			tl.firstErr = err.Error()
		}
	default:
		tl.status[fmt.Sprint(status)]++
		if !slices.Contains(expect, status) {
			tl.errors++
			if tl.firstErr == "" {
				tl.firstErr = fmt.Sprintf("HTTP %d", status)
			}
		}
	}
}

func call(ctx context.Context, client *http.Client, opts Options, t Target) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	method := t.Method
	if method == "" {
		method = http.MethodGet
	}
	var body io.Reader
	if t.Body != nil {
		body = bytes.NewReader(t.Body)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(opts.BaseURL, "/")+t.Path, body)
	if err != nil {
		return 0, err
	}
	for k, vs := range opts.Header {
		req.Header[k] = vs
	}
	for k, vs := range t.Header {
		req.Header[k] = vs
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	// The answer counts once it has been read in full.
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return resp.StatusCode, err
	}
	return resp.StatusCode, nil
}
