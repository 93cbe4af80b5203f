package main

import (
	"bufio"
	"bytes"
	"context"
	"duban/mask"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"duban/internal/poll"
	"duban/models"
	"duban/notify"
	"duban/notify/webhook"
	"duban/service"
	"duban/store"
	"duban/store/storetest"
)

// server is one `duban serve` process.
type server struct {
	t       *testing.T
	name    string
	cmd     *exec.Cmd
	addr    string
	replica string
	mu      sync.Mutex
	log     bytes.Buffer
	exited  chan struct{}
	exitErr error
}

var listening = regexp.MustCompile(`msg="serve: listening" addr=(\S+) replica=(\S+)`)

// startServer starts `duban serve` and waits until it listens.
func startServer(t *testing.T, name string, args ...string) *server {
	t.Helper()
	s := &server{t: t, name: name, exited: make(chan struct{})}
	s.cmd = exec.Command(binary(t), append([]string{"serve", "--listen", "127.0.0.1:0"}, args...)...)
	stderr, err := s.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.kill)
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			s.mu.Lock()
			s.log.WriteString(line + "\n")
			if m := listening.FindStringSubmatch(line); m != nil && s.addr == "" {
				s.addr, s.replica = m[1], m[2]
				close(ready)
			}
			s.mu.Unlock()
		}
		s.exitErr = s.cmd.Wait()
		close(s.exited)
	}()
	select {
	case <-ready:
	case <-s.exited:
		t.Fatalf("%s exited at start: %v\n%s", name, s.exitErr, s.logs())
	case <-time.After(30 * time.Second):
		t.Fatalf("%s did not start listening:\n%s", name, s.logs())
	}
	return s
}

func (s *server) logs() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.log.String()
}

func (s *server) kill() {
	select {
	case <-s.exited:
	default:
		s.cmd.Process.Kill()
		<-s.exited
	}
}

// stop sends SIGTERM and waits for a clean exit.
func (s *server) stop() {
	s.t.Helper()
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
		if s.exitErr != nil {
			s.t.Errorf("%s exited with %v after SIGTERM:\n%s", s.name, s.exitErr, s.logs())
		}
		if !strings.Contains(s.logs(), `msg="serve: stopped"`) {
			s.t.Errorf("%s did not stop cleanly:\n%s", s.name, s.logs())
		}
	case <-time.After(30 * time.Second):
		s.t.Errorf("%s did not stop within 30s of SIGTERM", s.name)
		s.kill()
	}
}

func (s *server) get(path string) (int, []byte) {
	s.t.Helper()
	resp, err := http.Get("http://" + s.addr + path)
	if err != nil {
		s.t.Fatalf("%s %s: %v", s.name, path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

func (s *server) health() *service.Health {
	s.t.Helper()
	code, body := s.get("/healthz")
	var h service.Health
	if err := json.Unmarshal(body, &h); err != nil || code != 200 {
		s.t.Fatalf("%s /healthz: %d %v\n%s", s.name, code, err, body)
	}
	return &h
}

// hookReceiver is a webhook endpoint that is down at first: its first
// posts are answered 500, or (every third) left hanging until the sender's
// timeout gives up. Counted in posts rather than seconds, so the down time
// fails sends however slowly the servers start.
type hookReceiver struct {
	t         *testing.T
	srv       *httptest.Server
	failFirst int
	mu        sync.Mutex
	posts     int
	byKey     map[string]int
}

func newHookReceiver(t *testing.T, failFirst int) *hookReceiver {
	r := &hookReceiver{t: t, byKey: map[string]int{}, failFirst: failFirst}
	closing := make(chan struct{})
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		if err := webhook.Verify("hook-secret", req.Header, body, time.Now(), time.Minute); err != nil {
			t.Errorf("receiver: %v", err)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if bytes.Contains(body, []byte("410102199001011234")) || bytes.Contains(body, []byte("13800001234")) {
			t.Errorf("receiver: unmasked identity or phone number: %s", body)
		}
		r.mu.Lock()
		r.posts++
		n := r.posts
		r.mu.Unlock()
		if n <= r.failFirst {
			if n%3 == 0 {
				select { // past the channel's timeout: the sender gives up
				case <-req.Context().Done():
				case <-closing:
				}
			}
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		var m notify.Message
		if err := json.Unmarshal(body, &m); err != nil || m.IdempotencyKey != req.Header.Get("Idempotency-Key") {
			t.Errorf("receiver: body %s does not carry the Idempotency-Key header's key", body)
		}
		r.mu.Lock()
		r.byKey[req.Header.Get("Idempotency-Key")]++
		r.mu.Unlock()
	}))
	t.Cleanup(r.srv.Close)
	t.Cleanup(func() { close(closing) }) // first: hung handlers return, then the server closes
	return r
}

func (r *hookReceiver) postCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.posts
}

func (r *hookReceiver) received() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]int, len(r.byKey))
	for k, v := range r.byKey {
		out[k] = v
	}
	return out
}

const serveRules = `timezone: Asia/Shanghai
rules:
  - id: svc.open
    name: 在办督办
    subject: case
    schedule: "@every 2s"
    when: Case.Open
    notice:
      level: 督办
      to: [Case.AssignedUnit, 督查组]
      title: '{{ .Case.CaseNo }} 在办'
      body: '信访人 {{ .Case.PetitionerID }}（电话见系统）'
      repeat: %s
`

// brokenRules misspells a field at line 7 (Case.Opn: column 16 is the field).
const brokenRules = `timezone: Asia/Shanghai
rules:
  - id: svc.open
    name: 在办督办
    subject: case
    schedule: "@every 2s"
    when: Case.Opn
    notice: {level: 督办, to: [督查组], title: x}
`

const secondRule = `  - id: svc.group
    subject: case
    schedule: "@every 2s"
    when: Case.GroupSize >= 5
    flag: {label: 集体访}
`

// writeCases writes n open cases (half zjj, half rsj) and two closed ones.
func writeCases(t *testing.T, path string, n int) {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		unit := []string{"zjj", "rsj"}[i%2]
		pid := fmt.Sprintf("P%03d", i)
		if i%4 == 0 {
			pid = "410102199001011234" // offices key petitioners by identity number
		}
		fmt.Fprintf(&b, `{"case_no":"S-%03d","petitioner_id":"%s","channel":"visit","status":"assigned","group_size":%d,"received_at":"2026-01-05T09:00:00+08:00","accepted_at":"2026-01-05T10:00:00+08:00","assigned_unit":"%s","assigned_at":"2026-01-05T11:00:00+08:00"}`+"\n",
			i, pid, 1+i%6, unit)
	}
	for i := 1; i <= 2; i++ {
		fmt.Fprintf(&b, `{"case_no":"S-CLOSED-%d","channel":"visit","status":"closed","received_at":"2026-01-05T09:00:00+08:00","accepted_at":"2026-01-05T10:00:00+08:00","assigned_unit":"zjj","assigned_at":"2026-01-05T11:00:00+08:00","closed_at":"2026-01-20T11:00:00+08:00"}`+"\n", i)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestTwoReplicasOnMariaDB runs two `duban serve` processes on one MariaDB
// with rules ticking every 2 seconds and a webhook receiver that is down
// for the first seconds. It kills the lease holder with SIGKILL, breaks and
// fixes the rule file while they serve, and checks that every notice
// exists once, every sending reached the receiver (exactly once counting by
// idempotency key), no tick ran twice, and /metrics passes promtool.
func TestTwoReplicasOnMariaDB(t *testing.T) {
	if testing.Short() {
		t.Skip("runs processes for half a minute")
	}
	dsn := storetest.MySQL.NewDSN(t)
	db := "--db=" + dsn
	dir := t.TempDir()
	casesFile := filepath.Join(dir, "cases.jsonl")
	writeCases(t, casesFile, 60)
	mustRun(t, "import", db, "--kind", "units", "testdata/units.jsonl")
	mustRun(t, "import", db, casesFile)

	rulesDir := filepath.Join(dir, "rules")
	os.Mkdir(rulesDir, 0o755)
	rulesFile := filepath.Join(rulesDir, "service.yaml")
	os.WriteFile(rulesFile, []byte(fmt.Sprintf(serveRules, "4s")), 0o644)
	recv := newHookReceiver(t, 12)
	notifyFile := filepath.Join(dir, "notify.yaml")
	os.WriteFile(notifyFile, []byte(`retry: {initial_backoff: 200ms, max_backoff: 1s, give_up_after: 10m}
channels:
  - name: hook
    type: webhook
    url: `+recv.srv.URL+`/duban
    secret: ${HOOK_SECRET}
    timeout: 1s
routes:
  - {levels: [督办], channels: [hook]}
`), 0o644)
	t.Setenv("HOOK_SECRET", "hook-secret")
	args := []string{db, "--rules", rulesDir, "--notify", notifyFile, "--lease-ttl", "3s", "--grace", "5s"}

	a := startServer(t, "a", args...)
	b := startServer(t, "b", args...)
	replicas := map[string]*server{a.replica: a, b.replica: b}

	// One of them holds the lease, and both say which.
	var holder *server
	poll.Until(t, "one replica holds the lease", func() bool {
		ha, hb := a.health(), b.health()
		if ha.Lease == nil || hb.Lease == nil || ha.Lease.Holder != hb.Lease.Holder || ha.Lease.ThisIsIt == hb.Lease.ThisIsIt {
			return false
		}
		holder = replicas[ha.Lease.Holder]
		return holder != nil
	})
	other := a
	if holder == a {
		other = b
	}
	// Ticks run, every notice is repeated once (the end checks that each was
	// re-sent), and the receiver has failed its first posts and come back up.
	st, err := store.Open(context.Background(), dsn, store.Options{SkipMigrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	poll.Until(t, "every notice re-sent and the receiver up", func() bool {
		var notices, resent int64
		st.DB.Model(&models.Notice{}).Count(&notices)
		st.DB.Model(&models.Notice{}).Where("send_count >= 2").Count(&resent)
		return notices == 60 && resent == notices && recv.postCount() > recv.failFirst
	})

	// The lease holder dies, mid-tick if we catch it ticking; the other
	// takes over within the lease's time to live.
	midTick := false
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline) && !midTick; {
		midTick = holder.health().Scheduler.Running != nil
	}
	holder.kill()
	t.Logf("killed the lease holder (mid-tick: %v)", midTick)
	killedAt := time.Now()
	poll.Until(t, "the other replica takes the lease", func() bool {
		h := other.health()
		return h.Lease != nil && h.Lease.ThisIsIt && h.Scheduler.Leading
	})
	t.Logf("the other replica took over %s after the kill", time.Since(killedAt).Round(100*time.Millisecond))
	c := startServer(t, "c", args...) // a replacement joins as a standby

	ticksOf := func(host string) int64 {
		var n int64
		st.DB.Model(&models.RuleRun{}).Where("host = ?", host).Count(&n)
		return n
	}
	poll.Until(t, "the new holder ticks", func() bool { return ticksOf(other.replica) >= 2 })

	// A broken rule file keeps the running rules, and says where it is wrong.
	os.WriteFile(rulesFile, []byte(brokenRules), 0o644)
	poll.Until(t, "/healthz shows the rule file's error", func() bool {
		for _, s := range []*server{other, c} {
			h := s.health()
			if h.Rules.Error == nil || h.Status != "degraded" {
				return false
			}
		}
		return true
	})
	// /healthz masks every number that could be a phone or identity number,
	// a temporary directory's random digits too.
	h := c.health()
	if p := strings.Join(h.Rules.Error.Problems, "\n"); !strings.Contains(p, mask.Text(rulesFile)+":7:16: rule svc.open: Case.Opn: no such field") || h.Rules.Rules != 1 {
		t.Errorf("problems %q, %d rules in force", p, h.Rules.Rules)
	}
	before := ticksOf(other.replica)
	poll.Until(t, "the old rules keep ticking", func() bool { return ticksOf(other.replica) >= before+2 })
	if _, metrics := other.get("/metrics"); !strings.Contains(string(metrics), "duban_rules_load_error 1") {
		t.Error("duban_rules_load_error is not 1 while the file is broken")
	}

	// Fixed — without repeats now, so the outbox stops growing — and with a second rule.
	os.WriteFile(rulesFile, []byte(strings.Replace(fmt.Sprintf(serveRules, "4s"), "      repeat: 4s\n", "", 1)+secondRule), 0o644)
	poll.Until(t, "the fixed rules are in force", func() bool {
		h := other.health()
		_, ticked := h.Ticks["svc.group"]
		return h.Rules.Error == nil && h.Rules.Rules == 2 && ticked
	})

	// Every sending reaches the receiver.
	var outbox []models.Outbox
	poll.Until(t, "every delivery is sent", func() bool {
		var waiting int64
		st.DB.Model(&models.Delivery{}).Where("status <> ?", models.DeliverySent).Count(&waiting)
		n, _ := st.UndispatchedCount(context.Background())
		outbox = nil
		st.DB.Order("id").Find(&outbox)
		return waiting == 0 && n == 0 && len(recv.received()) >= len(outbox)
	})
	if code, body := c.get("/metrics"); code != 200 {
		t.Errorf("/metrics: %d", code)
	} else {
		promtoolCheck(t, body)
	}
	other.stop()
	c.stop()

	// Every expected notice exists once; each of its sendings was delivered.
	var notices []models.Notice
	st.DB.Order("case_no").Find(&notices)
	if len(notices) != 60 {
		t.Errorf("%d notices, want one per open case (60)", len(notices))
	}
	sendings := 0
	for _, n := range notices {
		sendings += n.SendCount
		if n.SendCount < 2 {
			t.Errorf("notice %s was sent %d times; the 4s repeat should have re-sent it", n.CaseNo, n.SendCount)
		}
	}
	if len(outbox) != sendings {
		t.Errorf("%d outbox messages for %d sendings", len(outbox), sendings)
	}
	got := recv.received()
	duplicates := 0
	for _, o := range outbox {
		switch n := got[o.IdemKey]; {
		case n == 0:
			t.Errorf("%s never reached the receiver", o.IdemKey)
		case n > 1:
			duplicates += n - 1
		}
	}
	if len(got) != len(outbox) {
		t.Errorf("the receiver got %d distinct messages for %d outbox messages", len(got), len(outbox))
	}
	if posts := recv.postCount(); posts <= len(outbox)+duplicates {
		t.Errorf("%d posts for %d messages: the receiver's down time did not fail any", posts, len(outbox))
	}
	t.Logf("%d notices, %d sendings delivered; %d duplicates (the killed replica's sends in flight)", len(notices), len(outbox), duplicates)

	// Exactly one replica ran each tick.
	type tick struct {
		RuleID string
		Now    time.Time
		N      int
	}
	var twice []tick
	st.DB.Raw("SELECT rule_id, now, COUNT(*) AS n FROM rule_runs GROUP BY rule_id, now HAVING COUNT(*) > 1").Scan(&twice)
	if len(twice) > 0 {
		t.Errorf("ticks run more than once: %+v", twice)
	}
	var hosts []string
	st.DB.Model(&models.RuleRun{}).Distinct().Pluck("host", &hosts)
	if len(hosts) < 2 {
		t.Errorf("ticks ran on %v; the survivor should have taken over", hosts)
	}
}

// promtoolCheck runs `promtool check metrics` on a scrape.
func promtoolCheck(t *testing.T, metrics []byte) {
	t.Helper()
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("promtool is missing (.ci/run installs Debian's prometheus package)")
		}
		t.Log("promtool not installed; /metrics not linted")
		return
	}
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = bytes.NewReader(metrics)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}

func TestASecondServerOnOneSQLiteFileIsRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a process")
	}
	path := filepath.Join(t.TempDir(), "d.db")
	first := startServer(t, "first", "--db=sqlite:"+path)
	code, _, errOut := duban(t, "serve", "--db=sqlite:"+path, "--listen", "127.0.0.1:0")
	if code == 0 || !strings.Contains(errOut, "another `duban serve` is already serving the SQLite file "+path) {
		t.Errorf("exit %d: %s", code, errOut)
	}
	poll.Until(t, "the first server ticks", func() bool {
		h := first.health()
		return h.Status == "ok" && h.Lease != nil && h.Lease.ThisIsIt && h.Rules.Rules >= 10 && len(h.Ticks) >= 10
	})
	// The same server serves the pages and the API beside /healthz.
	if code, body := first.get("/login"); code != 200 || !strings.Contains(string(body), "登录") {
		t.Errorf("GET /login: %d %.200s", code, body)
	}
	if code, body := first.get("/api/v1/openapi.json"); code != 200 || !strings.Contains(string(body), `"/notices`) {
		t.Errorf("GET /api/v1/openapi.json: %d %.200s", code, body)
	}
	if code, _ := first.get("/api/v1/notices"); code != 401 {
		t.Errorf("GET /api/v1/notices without a token: %d, want 401", code)
	}
	first.stop()
}
