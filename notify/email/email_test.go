package email_test

import (
	"bufio"
	"context"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"duban/notify/email"
	"duban/notify/notifytest"
)

// smtpServer is a minimal SMTP server that keeps what it receives and
// answers the end of DATA with reply.
type smtpServer struct {
	ln    net.Listener
	mu    sync.Mutex
	reply string
	rcpts []string
	data  []string
}

func newSMTP(t *testing.T) *smtpServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{ln: ln, reply: "250 2.0.0 queued"}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *smtpServer) port() int { return s.ln.Addr().(*net.TCPAddr).Port }

func (s *smtpServer) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	say := func(line string) { c.Write([]byte(line + "\r\n")) }
	say("220 test ESMTP")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"):
			say("250-test")
			say("250 8BITMIME")
		case strings.HasPrefix(cmd, "HELO"), strings.HasPrefix(cmd, "MAIL FROM"), strings.HasPrefix(cmd, "RSET"), strings.HasPrefix(cmd, "NOOP"):
			say("250 ok")
		case strings.HasPrefix(cmd, "RCPT TO"):
			s.mu.Lock()
			s.rcpts = append(s.rcpts, strings.TrimSpace(line[len("RCPT TO:"):]))
			s.mu.Unlock()
			say("250 ok")
		case cmd == "DATA":
			say("354 go on")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(l)
			}
			s.mu.Lock()
			s.data = append(s.data, b.String())
			reply := s.reply
			s.mu.Unlock()
			say(reply)
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("502 unknown")
		}
	}
}

func TestMailsTheMessageWithItsKey(t *testing.T) {
	srv := newSMTP(t)
	n, err := email.New(email.Config{Host: "127.0.0.1", Port: srv.port(), TLS: "none", From: "duban@xfj.example.gov.cn",
		To: []string{"dcz@xfj.example.gov.cn", "zjj@xfj.example.gov.cn"}}, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.Send(context.Background(), notifytest.Message()); err != nil {
		t.Fatal(err)
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if len(srv.data) != 1 || len(srv.rcpts) != 2 {
		t.Fatalf("got %d messages to %v", len(srv.data), srv.rcpts)
	}
	msg, err := mail.ReadMessage(strings.NewReader(srv.data[0]))
	if err != nil {
		t.Fatal(err)
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	body, _ := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if id := msg.Header.Get("Message-ID"); id != "<notice.12.2.duban@xfj.example.gov.cn>" {
		t.Errorf("Message-ID %s", id)
	}
	if key := msg.Header.Get("X-Duban-Idempotency-Key"); key != "notice/12/2" {
		t.Errorf("X-Duban-Idempotency-Key %s", key)
	}
	if subject != "【督办】C-2026-0042 已超期 4 天" || !strings.Contains(string(body), "身份证 410102********1234，电话 138****1234") ||
		!strings.Contains(string(body), "编号：notice/12/2") {
		t.Errorf("subject %q, body:\n%s", subject, body)
	}
	if strings.Contains(string(body), notifytest.RawIDNumber) || strings.Contains(string(body), notifytest.RawPhone) {
		t.Errorf("unmasked numbers mailed:\n%s", body)
	}
}

func TestTemporaryAndPermanentRefusals(t *testing.T) {
	srv := newSMTP(t)
	n, _ := email.New(email.Config{Host: "127.0.0.1", Port: srv.port(), TLS: "none", From: "duban@x.cn", To: []string{"a@x.cn"}}, 5*time.Second)
	for reply, retry := range map[string]bool{"451 4.3.0 try later": true, "554 5.7.1 rejected": false} {
		srv.mu.Lock()
		srv.reply = reply
		srv.mu.Unlock()
		r, err := n.Send(context.Background(), notifytest.Message())
		if err == nil || r != retry {
			t.Errorf("%s: retry %v, err %v", reply, r, err)
		}
	}
	srv.ln.Close()
	if r, err := n.Send(context.Background(), notifytest.Message()); err == nil || !r {
		t.Errorf("server down: retry %v, err %v", r, err)
	}
}

func TestChecksItsConfiguration(t *testing.T) {
	for _, c := range []email.Config{
		{From: "a@x.cn", To: []string{"b@x.cn"}},
		{Host: "h", From: "not an address", To: []string{"b@x.cn"}},
		{Host: "h", From: "a@x.cn"},
		{Host: "h", From: "a@x.cn", To: []string{"b@x.cn"}, TLS: "ssl3"},
		{Host: "h", From: "a@x.cn", To: []string{"b@x.cn"}, Username: "u"},
	} {
		if _, err := email.New(c, 0); err == nil {
			t.Errorf("accepted %+v", c)
		}
	}
}
