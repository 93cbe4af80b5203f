package webhook_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"duban/notify/notifytest"
	"duban/notify/webhook"
)

func TestSendsASignedMaskedMessage(t *testing.T) {
	var got map[string]any
	var verifyErr error
	var key string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		verifyErr = webhook.Verify("s3cret", r.Header, body, time.Now(), 5*time.Minute)
		key = r.Header.Get("Idempotency-Key")
		if strings.Contains(string(body), notifytest.RawIDNumber) || strings.Contains(string(body), notifytest.RawPhone) {
			t.Errorf("unmasked numbers sent: %s", body)
		}
		json.Unmarshal(body, &got)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	n, err := webhook.New(webhook.Config{URL: srv.URL + "/hook", Secret: "s3cret", Headers: map[string]string{"Authorization": "Bearer x"}}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if retry, err := n.Send(context.Background(), notifytest.Message()); err != nil {
		t.Fatalf("send: %v (retry %v)", err, retry)
	}
	if verifyErr != nil {
		t.Errorf("signature: %v", verifyErr)
	}
	if key != "notice/12/2" || got["idempotency_key"] != "notice/12/2" || got["level"] != "督办" || got["unit_name"] != "住建局" ||
		!strings.Contains(got["body"].(string), "410102********1234") {
		t.Errorf("key %q, payload %v", key, got)
	}
}

func TestVerifyRefusesForgeriesAndReplays(t *testing.T) {
	body := []byte(`{"idempotency_key":"notice/1/1"}`)
	now := time.Now()
	ts := func(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }
	h := http.Header{}
	h.Set("X-Duban-Timestamp", ts(now))
	h.Set("X-Duban-Signature", webhook.Sign("k", ts(now), body))
	if err := webhook.Verify("k", h, body, now, time.Minute); err != nil {
		t.Fatalf("a good signature: %v", err)
	}
	if err := webhook.Verify("other", h, body, now, time.Minute); err == nil {
		t.Error("accepted a signature made with another secret")
	}
	if err := webhook.Verify("k", h, []byte(`{"idempotency_key":"notice/1/2"}`), now, time.Minute); err == nil {
		t.Error("accepted a changed body")
	}
	if err := webhook.Verify("k", h, body, now.Add(10*time.Minute), time.Minute); err == nil {
		t.Error("accepted a replay ten minutes later")
	}
}

func TestFailuresSayWhetherToRetryAndHideTheURL(t *testing.T) {
	status := 0
	hung := make(chan struct{}) // closed at the end: a hang holds until then
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if status == 0 {
			<-hung
			return
		}
		w.WriteHeader(status)
	}))
	defer srv.Close()
	defer close(hung)
	n, _ := webhook.New(webhook.Config{URL: srv.URL + "/hook?token=TOPSECRET"}, nil, nil)
	for _, c := range []struct {
		status int
		retry  bool
	}{{500, true}, {503, true}, {429, true}, {400, false}, {404, false}, {0, true}} {
		status = c.status
		// An answer has all the time a busy machine needs; only the receiver
		// that hangs meets the short timeout, and it meets it on any machine.
		timeout := time.Minute
		if c.status == 0 {
			timeout = 100 * time.Millisecond
		}
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		retry, err := n.Send(ctx, notifytest.Message())
		cancel()
		if err == nil || retry != c.retry {
			t.Errorf("status %d: retry %v, err %v", c.status, retry, err)
		}
		if err != nil && strings.Contains(err.Error(), "TOPSECRET") {
			t.Errorf("the error shows the URL's secret: %v", err)
		}
	}
	if _, err := webhook.New(webhook.Config{URL: "ftp://x"}, nil, nil); err == nil {
		t.Error("accepted an ftp URL")
	}
}

// A bad address is refused without quoting it: its query may hold a key
// (found by the reliability suite's secrets test).
func TestABadURLIsNotQuotedBack(t *testing.T) {
	for _, u := range []string{"htp:/cases.example.gov.cn?key=S3CRET", "https:///hooks?key=S3CRET", "://?key=S3CRET"} {
		_, err := webhook.New(webhook.Config{URL: u}, nil, nil)
		if err == nil || strings.Contains(err.Error(), "S3CRET") {
			t.Errorf("%s: %v", u, err)
		}
	}
}
