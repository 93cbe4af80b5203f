package dingtalk_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"duban/clock"
	"duban/notify/dingtalk"
	"duban/notify/notifytest"
)

func TestSignsTheURLAsDingTalkSpecifies(t *testing.T) {
	const secret = "SECabc123"
	now := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	var errcode int
	var title, text string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("access_token") != "TOKEN" || q.Get("timestamp") != strconv.FormatInt(now.UnixMilli(), 10) {
			t.Errorf("query %v", q)
		}
		// DingTalk's check, written out from its documentation.
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write([]byte(q.Get("timestamp") + "\n" + secret))
		if want := base64.StdEncoding.EncodeToString(mac.Sum(nil)); q.Get("sign") != want {
			t.Errorf("sign %q, want %q", q.Get("sign"), want)
		}
		var msg struct {
			MsgType  string `json:"msgtype"`
			Markdown struct{ Title, Text string }
		}
		body, _ := io.ReadAll(r.Body)
		json.Unmarshal(body, &msg)
		title, text = msg.Markdown.Title, msg.Markdown.Text
		w.Write([]byte(`{"errcode":` + strconv.Itoa(errcode) + `,"errmsg":"x"}`))
	}))
	defer srv.Close()
	n, err := dingtalk.New(dingtalk.Config{URL: srv.URL + "/robot/send?access_token=TOKEN", Secret: secret}, nil, clock.NewFixed(now))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.Send(context.Background(), notifytest.Message()); err != nil {
		t.Fatal(err)
	}
	if title != "【督办】C-2026-0042 已超期 4 天" || !strings.Contains(text, "> 编号：notice/12/2") ||
		strings.Contains(text, notifytest.RawIDNumber) || !strings.Contains(text, "138****1234") {
		t.Errorf("title %q, text:\n%s", title, text)
	}
	for code, retry := range map[int]bool{130101: true, 310000: false} {
		errcode = code
		if r, err := n.Send(context.Background(), notifytest.Message()); err == nil || r != retry || strings.Contains(err.Error(), "TOKEN") {
			t.Errorf("errcode %d: retry %v, %v", code, r, err)
		}
	}
}

func TestRefusesAnAddressWithoutToken(t *testing.T) {
	if _, err := dingtalk.New(dingtalk.Config{URL: "https://oapi.dingtalk.com/robot/send"}, nil, nil); err == nil {
		t.Error("accepted a robot address without its access_token")
	}
}
