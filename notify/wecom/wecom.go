// Package wecom sends messages to a WeCom (企业微信) group robot as markdown.
// The robot's address carries its key:
// https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY. WeCom has no
// idempotency of its own; the message shows its key (编号) so that people
// can tell a repeat from a new sending.
package wecom

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"duban/notify"
)

// MaxBytes is the longest markdown content WeCom accepts.
const MaxBytes = 4096

// Config is a WeCom channel's part of the notify file.
type Config struct {
	// URL is the robot's webhook address, with ?key=.
	URL string `yaml:"url"`
}

// Notifier sends to one robot.
type Notifier struct {
	url    string
	client *http.Client
}

// New checks the configuration and returns the notifier.
func New(cfg Config, client *http.Client) (*Notifier, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Query().Get("key") == "" {
		return nil, fmt.Errorf("url: want the robot's webhook address, https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...")
	}
	return &Notifier{url: cfg.URL, client: client}, nil
}

// Send posts m as a markdown message.
func (n *Notifier) Send(ctx context.Context, m *notify.Message) (bool, error) {
	body, err := json.Marshal(map[string]any{
		"msgtype":  "markdown",
		"markdown": map[string]string{"content": m.Markdown(MaxBytes)},
	})
	if err != nil {
		return false, err
	}
	data, retry, err := notify.PostJSON(ctx, n.client, n.url, nil, body)
	if err != nil {
		return retry, err
	}
	return notify.CheckErrcode("wecom", data, retryable)
}

// retryable tells the errors that pass: the system is busy, or the robot's
// limit of 20 messages a minute was hit.
func retryable(code int) bool {
	return code == -1 || code == 45009 || code == 45033
}
