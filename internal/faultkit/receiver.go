package faultkit

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"duban/notify"
	"duban/notify/webhook"
)

// Behaviour is how the receiver answers one post.
type Behaviour int

const (
	// Accept processes the message and answers 200.
	Accept Behaviour = iota
	// Fail answers 503 without processing the message.
	Fail
	// SlowAccept processes the message, then answers only after the
	// sender's timeout: the sender counts it as failed and sends it again.
	SlowAccept
	// SlowFail hangs past the sender's timeout without processing.
	SlowFail
	// CloseMidResponse processes the message, writes half a response and
	// drops the connection.
	CloseMidResponse
	// CloseBeforeResponse drops the connection as soon as the request is read,
	// without processing it.
	CloseBeforeResponse
)

var behaviourNames = [...]string{"accept", "fail 503", "slow (processed)", "slow (not processed)", "close mid-response (processed)", "close before response"}

func (b Behaviour) String() string { return behaviourNames[b] }

// Processed tells whether the receiver acts on a message it answers so.
func (b Behaviour) Processed() bool { return b == Accept || b == SlowAccept || b == CloseMidResponse }

// Receiver is a webhook endpoint as a receiving system would write it: it
// checks the signature and processes each idempotency key once, dropping
// repeats. Behave picks how it answers each post.
type Receiver struct {
	URL    string
	Secret string
	// Behave is asked for the n-th post (from 1); nil accepts everything.
	Behave func(n int, key string) Behaviour
	// Slow is how long the slow behaviours take (longer than the sender's timeout).
	Slow time.Duration
	// Delay is how long processing an accepted message takes.
	Delay time.Duration

	srv *httptest.Server
	t   testing.TB

	mu        sync.Mutex
	posts     int
	answers   map[Behaviour]int
	processed map[string]int // by idempotency key: processed once, repeats dropped
	first     map[string]time.Time
	bad       []string
}

// NewReceiver starts a receiver; it stops when the test ends.
func NewReceiver(t testing.TB, secret string, behave func(n int, key string) Behaviour) *Receiver {
	r := &Receiver{Secret: secret, Behave: behave, Slow: 1500 * time.Millisecond, t: t,
		answers: map[Behaviour]int{}, processed: map[string]int{}, first: map[string]time.Time{}}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	r.URL = r.srv.URL + "/duban"
	t.Cleanup(r.srv.Close)
	return r
}

func (r *Receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return
	}
	if err := webhook.Verify(r.Secret, req.Header, body, time.Now(), 5*time.Minute); err != nil {
		r.fail("bad signature: %v", err)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var m notify.Message
	key := req.Header.Get("Idempotency-Key")
	if err := json.Unmarshal(body, &m); err != nil || m.IdempotencyKey != key || key == "" {
		r.fail("body %.200s does not carry the Idempotency-Key header's key %q", body, key)
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	r.posts++
	b := Accept
	if r.Behave != nil {
		b = r.Behave(r.posts, key)
	}
	r.answers[b]++
	if b.Processed() {
		if r.processed[key] == 0 {
			r.first[key] = time.Now()
		}
		r.processed[key]++
	}
	r.mu.Unlock()
	switch b {
	case Accept:
		time.Sleep(r.Delay)
		w.WriteHeader(http.StatusOK)
	case Fail:
		w.WriteHeader(http.StatusServiceUnavailable)
	case SlowAccept, SlowFail:
		select {
		case <-time.After(r.Slow):
		case <-req.Context().Done():
		}
		w.WriteHeader(http.StatusOK)
	case CloseMidResponse, CloseBeforeResponse:
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		if b == CloseMidResponse {
			buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"ok\":")
			buf.Flush()
		}
		closeHard(conn)
	}
}

func (r *Receiver) fail(format string, args ...any) {
	r.mu.Lock()
	r.bad = append(r.bad, fmt.Sprintf(format, args...))
	r.mu.Unlock()
}

// Processed returns, per idempotency key, how many times a message was
// processed (more than once: the receiver's dedup dropped the repeats).
func (r *Receiver) Processed() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]int, len(r.processed))
	for k, v := range r.processed {
		out[k] = v
	}
	return out
}

// Stats sums up what the receiver saw.
type ReceiverStats struct {
	Posts int `json:"posts"`
	// Answers counts posts by how they were answered.
	Answers map[string]int `json:"answers"`
	// Keys is how many distinct messages were processed.
	Keys int `json:"keys"`
	// Repeats is how many posts carried a key already processed: dropped by
	// the receiver's dedup (a sender cannot tell a lost answer from a lost
	// request, so it sends again).
	Repeats int `json:"repeats"`
	// Bad lists posts with a bad signature or body.
	Bad []string `json:"bad,omitempty"`
}

// Stats returns what the receiver saw.
func (r *Receiver) Stats() ReceiverStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := ReceiverStats{Posts: r.posts, Answers: map[string]int{}, Keys: len(r.processed), Bad: append([]string(nil), r.bad...)}
	for b, n := range r.answers {
		s.Answers[b.String()] = n
	}
	for _, n := range r.processed {
		s.Repeats += n - 1
	}
	return s
}
