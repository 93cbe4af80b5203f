// Package dingtalk sends messages to a DingTalk (钉钉) group robot as
// markdown. With a signing secret (加签, SEC...), every request's URL carries
// timestamp and sign as DingTalk specifies: sign is the Base64 HMAC-SHA256,
// keyed with the secret, of "timestamp\nsecret", URL-encoded.
package dingtalk

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"duban/clock"
	"duban/notify"
)

// MaxBytes keeps messages well inside DingTalk's limit.
const MaxBytes = 4000

// Config is a DingTalk channel's part of the notify file.
type Config struct {
	// URL is the robot's webhook address with its access_token.
	URL string `yaml:"url"`
	// Secret is the robot's signing secret (加签), SEC...; empty when the
	// robot checks keywords or IP addresses instead.
	Secret string `yaml:"secret"`
}

// Notifier sends to one robot.
type Notifier struct {
	cfg    Config
	client *http.Client
	clock  clock.Clock
}

// New checks the configuration and returns the notifier.
func New(cfg Config, client *http.Client, clk clock.Clock) (*Notifier, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Query().Get("access_token") == "" {
		return nil, fmt.Errorf("url: want the robot's webhook address, https://oapi.dingtalk.com/robot/send?access_token=...")
	}
	if clk == nil {
		clk = clock.Real{}
	}
	return &Notifier{cfg: cfg, client: client, clock: clk}, nil
}

// Sign returns the sign parameter for a request at timestamp (Unix ms).
func Sign(secret string, timestamp int64) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "%d\n%s", timestamp, secret)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// signedURL adds timestamp and sign to the robot's address.
func (n *Notifier) signedURL() string {
	if n.cfg.Secret == "" {
		return n.cfg.URL
	}
	u, _ := url.Parse(n.cfg.URL)
	ts := n.clock.Now().UnixMilli()
	q := u.Query()
	q.Set("timestamp", strconv.FormatInt(ts, 10))
	q.Set("sign", Sign(n.cfg.Secret, ts))
	u.RawQuery = q.Encode()
	return u.String()
}

// Send posts m as a markdown message.
func (n *Notifier) Send(ctx context.Context, m *notify.Message) (bool, error) {
	body, err := json.Marshal(map[string]any{
		"msgtype":  "markdown",
		"markdown": map[string]string{"title": m.Headline(), "text": m.Markdown(MaxBytes)},
	})
	if err != nil {
		return false, err
	}
	data, retry, err := notify.PostJSON(ctx, n.client, n.signedURL(), nil, body)
	if err != nil {
		return retry, err
	}
	return notify.CheckErrcode("dingtalk", data, retryable)
}

// retryable tells the errors that pass: the system is busy, or the robot's
// limit of 20 messages a minute was hit.
func retryable(code int) bool {
	return code == -1 || code == 130101 || code == 410100
}
