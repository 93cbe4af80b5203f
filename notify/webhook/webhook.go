// Package webhook posts each message as JSON to any HTTP endpoint, signed
// with HMAC-SHA256 so the receiver can tell it came from duban and was not
// replayed, and carrying the idempotency key so it can drop duplicates.
//
// Headers:
//
//	Idempotency-Key:   notice/12/2
//	X-Duban-Timestamp: 1773100800                 (Unix seconds when sent)
//	X-Duban-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>
//
// The body is the notify.Message as JSON.
package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"duban/clock"
	"duban/notify"
)

// Config is a webhook channel's part of the notify file.
type Config struct {
	URL string `yaml:"url"`
	// Secret signs every request; receivers verify X-Duban-Signature with it.
	Secret string `yaml:"secret"`
	// Headers are sent with every request (an Authorization header, say).
	Headers map[string]string `yaml:"headers"`
}

// Notifier posts messages to one URL.
type Notifier struct {
	cfg    Config
	client *http.Client
	clock  clock.Clock
}

// New checks the configuration and returns the notifier.
func New(cfg Config, client *http.Client, clk clock.Clock) (*Notifier, error) {
	// The address is not quoted back: its path or query may hold a key.
	u, err := url.Parse(cfg.URL)
	switch {
	case err != nil:
		return nil, fmt.Errorf("url: not a URL; want an http(s) address")
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("url: scheme %q; want an http(s) address", u.Scheme)
	case u.Host == "":
		return nil, fmt.Errorf("url: no host; want an http(s) address")
	}
	if client == nil {
		client = http.DefaultClient
	}
	if clk == nil {
		clk = clock.Real{}
	}
	return &Notifier{cfg: cfg, client: client, clock: clk}, nil
}

// Send posts m.
func (n *Notifier) Send(ctx context.Context, m *notify.Message) (bool, error) {
	body, err := json.Marshal(m)
	if err != nil {
		return false, err
	}
	h := http.Header{}
	for k, v := range n.cfg.Headers {
		h.Set(k, v)
	}
	h.Set("Idempotency-Key", m.IdempotencyKey)
	if n.cfg.Secret != "" {
		ts := strconv.FormatInt(n.clock.Now().Unix(), 10)
		h.Set("X-Duban-Timestamp", ts)
		h.Set("X-Duban-Signature", Sign(n.cfg.Secret, ts, body))
	}
	_, retry, err := notify.PostJSON(ctx, n.client, n.cfg.URL, h, body)
	return retry, err
}

// Sign returns the X-Duban-Signature header for a body sent at timestamp.
func Sign(secret, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp))
	mac.Write([]byte("."))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify checks a request's signature headers against its body, refusing
// timestamps further than tolerance from now (replays). Receivers written in
// Go can use it as is.
func Verify(secret string, header http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	ts := header.Get("X-Duban-Timestamp")
	sig := header.Get("X-Duban-Signature")
	if ts == "" || !strings.HasPrefix(sig, "sha256=") {
		return fmt.Errorf("missing X-Duban-Timestamp or X-Duban-Signature")
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("bad X-Duban-Timestamp %q", ts)
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("timestamp %s is %s away from now", ts, d)
	}
	if !hmac.Equal([]byte(sig), []byte(Sign(secret, ts, body))) {
		return fmt.Errorf("signature does not match")
	}
	return nil
}
