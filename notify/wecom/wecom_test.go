package wecom_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"duban/notify/notifytest"
	"duban/notify/wecom"
)

// robot imitates a WeCom group robot answering with errcode.
func robot(t *testing.T, errcode *int, got *string) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/cgi-bin/webhook/send" || r.URL.Query().Get("key") != "KEY" {
			t.Errorf("posted to %s", r.URL)
		}
		var msg struct {
			MsgType  string `json:"msgtype"`
			Markdown struct {
				Content string `json:"content"`
			} `json:"markdown"`
		}
		body, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(body, &msg); err != nil || msg.MsgType != "markdown" {
			t.Errorf("not a markdown message: %s", body)
		}
		*got = msg.Markdown.Content
		w.Write([]byte(`{"errcode":` + itoa(*errcode) + `,"errmsg":"x"}`))
	}))
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestSendsMarkdownAndReadsErrcodes(t *testing.T) {
	errcode := 0
	var content string
	srv := robot(t, &errcode, &content)
	defer srv.Close()
	n, err := wecom.New(wecom.Config{URL: srv.URL + "/cgi-bin/webhook/send?key=KEY"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.Send(context.Background(), notifytest.Message()); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"### 【督办】C-2026-0042 已超期 4 天", "> 责任单位：住建局（zjj）", "> 发送对象：住建局、督查组", "> 编号：notice/12/2", "第 2 次", "410102********1234", "138****1234"} {
		if !strings.Contains(content, want) {
			t.Errorf("content lacks %q:\n%s", want, content)
		}
	}
	if strings.Contains(content, notifytest.RawIDNumber) || strings.Contains(content, notifytest.RawPhone) {
		t.Errorf("unmasked numbers sent:\n%s", content)
	}
	for code, retry := range map[int]bool{45009: true, -1: true, 93000: false, 40008: false} {
		errcode = code
		r, err := n.Send(context.Background(), notifytest.Message())
		if err == nil || r != retry || strings.Contains(err.Error(), "KEY") {
			t.Errorf("errcode %d: retry %v, err %v", code, r, err)
		}
	}
}

func TestLongBodiesAreCutToWhatWeComTakes(t *testing.T) {
	errcode := 0
	var content string
	srv := robot(t, &errcode, &content)
	defer srv.Close()
	n, _ := wecom.New(wecom.Config{URL: srv.URL + "/cgi-bin/webhook/send?key=KEY"}, nil)
	m := notifytest.Message()
	m.Body = strings.Repeat("办理情况说明。", 1000)
	if _, err := n.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if len(content) > wecom.MaxBytes || !strings.Contains(content, "…") || !strings.Contains(content, "> 编号：notice/12/2") {
		t.Errorf("%d bytes; facts kept: %v", len(content), strings.Contains(content, "编号"))
	}
}

func TestRefusesAnAddressWithoutKey(t *testing.T) {
	if _, err := wecom.New(wecom.Config{URL: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"}, nil); err == nil {
		t.Error("accepted a robot address without its key")
	}
}
