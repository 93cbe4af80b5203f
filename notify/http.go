package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// PostJSON posts a JSON body and returns the response body of a 2xx answer.
// Its error never shows the URL's path or query — robot addresses carry
// their secret key there — and says whether retrying can help: network
// failures, timeouts, 408, 425, 429 and 5xx can; other answers cannot.
func PostJSON(ctx context.Context, client *http.Client, target string, header http.Header, body []byte) ([]byte, bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return nil, false, fmt.Errorf("POST %s: %w", Redact(target), stripURL(err))
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, true, fmt.Errorf("POST %s: %w", Redact(target), stripURL(err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return nil, true, fmt.Errorf("POST %s: reading the answer: %w", Redact(target), err)
	}
	if resp.StatusCode/100 != 2 {
		snippet := string(data)
		if len(snippet) > 200 {
			snippet = snippet[:200]
		}
		return data, RetryableStatus(resp.StatusCode), fmt.Errorf("POST %s: %s %s", Redact(target), resp.Status, snippet)
	}
	return data, false, nil
}

// RetryableStatus tells whether an HTTP status is worth trying again later.
func RetryableStatus(code int) bool {
	return code == http.StatusRequestTimeout || code == http.StatusTooEarly || code == http.StatusTooManyRequests || code >= 500
}

// Redact keeps only a URL's scheme and host, for logs and stored errors.
func Redact(target string) string {
	u, err := url.Parse(target)
	if err != nil || u.Host == "" {
		return "(url)"
	}
	return u.Scheme + "://" + u.Host + "/…"
}

// stripURL drops the *url.Error wrapper, which repeats the full URL.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// CheckErrcode reads the answer WeCom and DingTalk robots give with HTTP
// 200: {"errcode":0,"errmsg":"ok"}, or another errcode that retryable
// judges. An answer that cannot be read is worth retrying.
func CheckErrcode(service string, data []byte, retryable func(code int) bool) (bool, error) {
	var a struct {
		ErrCode int    `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
	}
	if err := json.Unmarshal(data, &a); err != nil {
		return true, fmt.Errorf("%s: unreadable answer %.200q", service, data)
	}
	if a.ErrCode != 0 {
		return retryable(a.ErrCode), fmt.Errorf("%s: errcode %d: %s", service, a.ErrCode, a.ErrMsg)
	}
	return false, nil
}
