package reliability_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql"

	"duban/internal/faultkit"
	"duban/internal/poll"
	"duban/store/storetest"
)

func secret(prefix string) string {
	b := make([]byte, 8)
	rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// mysqlUserDSN creates a MariaDB user with a password, allowed on a fresh
// database, and returns a DSN that logs in as it.
func mysqlUserDSN(t *testing.T, password string) string {
	t.Helper()
	root := storetest.MySQL.NewDSN(t)
	m := regexp.MustCompile(`^mysql://([^@]*)@tcp\(([^)]+)\)/(\w+)$`).FindStringSubmatch(root)
	if m == nil {
		t.Fatalf("unexpected DSN %s", root)
	}
	admin, err := sql.Open("mysql", m[1]+"@tcp("+m[2]+")/")
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	user := fmt.Sprintf("duban_s%d", time.Now().UnixNano()%1e9)
	for _, q := range []string{
		fmt.Sprintf("CREATE USER '%s'@'%%' IDENTIFIED BY '%s'", user, password),
		fmt.Sprintf("GRANT ALL ON %s.* TO '%s'@'%%'", m[3], user),
	} {
		if _, err := admin.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		if a, err := sql.Open("mysql", m[1]+"@tcp("+m[2]+")/"); err == nil {
			a.Exec(fmt.Sprintf("DROP USER '%s'@'%%'", user))
			a.Close()
		}
	})
	return fmt.Sprintf("mysql://%s:%s@tcp(%s)/%s", user, password, m[2], m[3])
}

// TestSecretsNeverReachTheLogs runs the service with every kind of secret
// duban handles — a database password, a webhook signing secret, robot keys
// and tokens in URLs, a DingTalk signing secret, an SMTP password, all
// through ${ENV} — and makes everything fail that can: the receivers
// refuse, the SMTP server is not there, the database goes away, the rule
// files break, a start with a wrong password, a notify file with a broken
// URL holding a key. Debug logs in both formats, /healthz, /metrics and
// the stored delivery errors must not contain any secret.
func TestSecretsNeverReachTheLogs(t *testing.T) {
	if testing.Short() {
		t.Skip("runs processes")
	}
	t.Parallel()
	secrets := map[string]string{
		"DB_PASSWORD": secret("dbpw-"), "HOOK_SECRET": secret("hook-"), "WECOM_KEY": secret("wecomkey-"),
		"DING_TOKEN": secret("dingtoken-"), "DING_SECRET": secret("dingsecret-"), "SMTP_PASSWORD": secret("smtppw-"),
		"WRONG_PASSWORD": secret("wrongpw-"), "URL_KEY": secret("urlkey-"),
	}
	var env []string
	for k, v := range secrets {
		env = append(env, k+"="+v)
	}
	dsn := mysqlUserDSN(t, secrets["DB_PASSWORD"])
	proxied, proxy := viaProxy(t, dsn)

	// Receivers that refuse: 500 for the webhook, an errcode for WeCom, 403
	// (a dead letter) for DingTalk; no SMTP server at all.
	refuse := func(status int, body string) string {
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(status)
			fmt.Fprint(w, body)
		}))
		t.Cleanup(s.Close)
		return s.URL
	}
	hook, wecom, ding := refuse(500, "down"), refuse(200, `{"errcode":45009,"errmsg":"api freq out of limit"}`), refuse(403, "forbidden")
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	smtpAddr := ln.Addr().(*net.TCPAddr)
	ln.Close()

	sc := faultkit.Scenario{Cases: 40, Schedule: "@every 2s", Repeat: 4 * time.Second, Received: time.Now().UTC().Add(-20 * 24 * time.Hour)}
	dir := t.TempDir()
	rulesDir, units, cases := sc.Files(t, dir)
	faultkit.MustRun(t, "import", "--db="+dsn, "--kind", "units", units)
	faultkit.MustRun(t, "import", "--db="+dsn, cases)
	notifyFile := filepath.Join(dir, "notify.yaml")
	os.WriteFile(notifyFile, []byte(fmt.Sprintf(`retry: {initial_backoff: 200ms, max_backoff: 1s, give_up_after: 1h}
channels:
  - {name: hook, type: webhook, url: "%s/hook", secret: "${HOOK_SECRET}", timeout: 1s}
  - {name: robot, type: wecom, url: "%s/cgi-bin/webhook/send?key=${WECOM_KEY}", rate_per_minute: 0}
  - {name: ding, type: dingtalk, url: "%s/robot/send?access_token=${DING_TOKEN}", secret: "${DING_SECRET}", rate_per_minute: 0}
  - {name: mail, type: email, host: 127.0.0.1, port: %d, tls: none, username: duban, password: "${SMTP_PASSWORD}", from: duban@example.gov.cn, to: [zjj@example.gov.cn], timeout: 1s}
routes:
  - {channels: [hook, robot, ding, mail]}
`, hook, wecom, ding, smtpAddr.Port)), 0o644)

	var logs []string
	for _, format := range []string{"text", "json"} {
		srv := faultkit.StartServer(t, "serve-"+format, env, "--db="+proxied, "--rules", rulesDir, "--notify", notifyFile,
			"--log-level", "debug", "--log-format", format, "--lease-ttl", "3s")
		// Each fault lasts until the service has logged what it did about it
		// (however long a busy machine takes), so the logs hold the failures
		// whose secrets the test looks for.
		logsSince := func(from int) string { return srv.Logs()[from:] }
		poll.Until(t, "ticks, sends and their failures logged", func() bool { return strings.Contains(srv.Logs(), "errcode 45009") })
		cutAt := len(srv.Logs())
		proxy.Cut(faultkit.Reset)   // the database goes away ...
		time.Sleep(4 * time.Second) // the outage: longer than the lease's 3s
		poll.Until(t, "the lost database logged", func() bool {
			l := logsSince(cutAt)
			return strings.Contains(l, "lease: renewal failed") || strings.Contains(l, "lease: cannot reach the database") ||
				strings.Contains(l, "lease: could not renew")
		})
		proxy.Restore() // ... and comes back
		brokenAt := len(srv.Logs())
		os.WriteFile(filepath.Join(rulesDir, "broken.yaml"), []byte("rules:\n  - id: x\n    when: Case.Opn\n"), 0o644)
		poll.Until(t, "the broken rule file logged", func() bool {
			return strings.Contains(logsSince(brokenAt), "rules: not reloaded")
		})
		os.Remove(filepath.Join(rulesDir, "broken.yaml"))
		ctx, cancel := context.WithTimeout(context.Background(), poll.Bound)
		for _, path := range []string{"/healthz", "/metrics"} {
			if _, body, err := srv.Get(ctx, path); err == nil {
				logs = append(logs, path+":\n"+string(body))
			}
		}
		cancel()
		srv.Stop()
		log := srv.Logs()
		for _, want := range []string{"notify", "fail", "lease", "database", "errcode 45009"} {
			if !strings.Contains(log, want) {
				t.Errorf("the %s log never mentions %q: the failures this test relies on did not happen", format, want)
			}
		}
		logs = append(logs, "serve --log-format "+format+":\n"+log)
	}
	// Every delivery, not the newest 100: those can all be the last tick's,
	// not yet attempted when the service stopped, with no error stored.
	_, out, errOut := faultkit.Run(t, env, "deliveries", "list", "--db="+dsn, "--format", "json", "--limit", "10000")
	logs = append(logs, "deliveries list:\n"+out+errOut)
	if !regexp.MustCompile(`"LastError":"[^"]`).MatchString(out) {
		t.Errorf("no stored delivery errors to check: %s", out)
	}

	// A start with a wrong password, and one with a notify file whose broken
	// URL holds a key.
	wrong := strings.Replace(dsn, secrets["DB_PASSWORD"], secrets["WRONG_PASSWORD"], 1)
	code, out, errOut := faultkit.Run(t, env, "serve", "--db="+wrong, "--listen", "127.0.0.1:0")
	logs = append(logs, "serve with a wrong password:\n"+out+errOut)
	if code == 0 || !strings.Contains(errOut, "Access denied") {
		t.Errorf("serve with a wrong password: exit %d: %s", code, errOut)
	}
	badNotify := filepath.Join(dir, "bad-notify.yaml")
	os.WriteFile(badNotify, []byte("channels:\n  - {name: hook, type: webhook, url: \"htp:/cases.example.gov.cn?key=${URL_KEY}\"}\nroutes:\n  - {channels: [hook]}\n"), 0o644)
	code, out, errOut = faultkit.Run(t, env, "serve", "--db="+dsn, "--listen", "127.0.0.1:0", "--notify", badNotify)
	logs = append(logs, "serve with a broken notify URL:\n"+out+errOut)
	if code == 0 || !strings.Contains(errOut, "bad-notify.yaml:2") {
		t.Errorf("serve with a broken notify URL: exit %d: %s", code, errOut)
	}

	all := strings.Join(logs, "\n")
	leaks := 0
	for name, value := range secrets {
		if i := strings.Index(all, value); i >= 0 {
			leaks++
			t.Errorf("%s appears in the output: ...%s...", name, all[max(0, i-200):min(len(all), i+80)])
		}
	}
	faultkit.Record(t, "secrets-in-logs", map[string]any{"secrets": len(secrets), "log_bytes_searched": len(all),
		"outputs": []string{"serve text log (debug)", "serve JSON log (debug)", "/healthz", "/metrics", "deliveries list",
			"serve with a wrong database password", "serve with a broken notify URL"}, "leaks": leaks})
}
