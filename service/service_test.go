package service_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"duban/models"
	"duban/service"
	"duban/store/storetest"
)

func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	body, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, string(body)
}

func TestHealthMetricsAndTheMountedHandler(t *testing.T) {
	dir := t.TempDir()
	notifyFile := filepath.Join(dir, "notify.yaml")
	os.WriteFile(notifyFile, []byte("channels:\n  - {name: hook, type: webhook, url: 'http://127.0.0.1:9/x'}\nroutes:\n  - {channels: [hook]}\n"), 0o644)
	svc, err := service.New(context.Background(), service.Options{DSN: storetest.SQLite.NewDSN(t), NotifyFile: notifyFile})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	svc.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("api " + r.URL.Path)) })
	h := svc.Routes()

	code, body := get(t, h, "/healthz")
	var health service.Health
	if err := json.Unmarshal([]byte(body), &health); err != nil || code != 200 {
		t.Fatalf("%d %v\n%s", code, err, body)
	}
	if health.Status != "ok" || !health.Database.OK || health.Rules.Rules < 10 || health.Deliveries == nil ||
		health.Deliveries.Channels[0] != "hook" || health.Replica == "" {
		t.Errorf("%+v", health)
	}

	code, body = get(t, h, "/metrics")
	for _, name := range []string{"duban_lease_held 0", "duban_rules_loaded 11", "duban_rules_load_error 0", `duban_ticks_total{result="ok"} 0`,
		`duban_deliveries_sent_total{channel="hook"} 0`, `duban_deliveries{channel="hook",status="dead"} 0`, "go_goroutines"} {
		if !strings.Contains(body, name) {
			t.Errorf("/metrics lacks %s", name)
		}
	}
	if code, body := get(t, h, "/api/v1/notices"); code != 200 || body != "api /api/v1/notices" {
		t.Errorf("mounted handler: %d %q", code, body)
	}

	svc.Store.SQL.Close() // the database goes away
	if code, body := get(t, h, "/healthz"); code != http.StatusServiceUnavailable || !strings.Contains(body, `"status": "unavailable"`) {
		t.Errorf("without a database: %d\n%s", code, body)
	}
}

func TestABadNotifyFileStopsTheStart(t *testing.T) {
	notifyFile := filepath.Join(t.TempDir(), "notify.yaml")
	os.WriteFile(notifyFile, []byte("channels:\n  - {name: hook, type: webhok, url: 'http://x'}\nroutes:\n  - {channels: [hook]}\n"), 0o644)
	_, err := service.New(context.Background(), service.Options{DSN: storetest.SQLite.NewDSN(t), NotifyFile: notifyFile})
	if err == nil || !strings.Contains(err.Error(), notifyFile+`:2:6: channel hook: type "webhok"`) {
		t.Errorf("%v", err)
	}
}

// TestHealthzMasksNumbersInRuleErrors: /healthz answers anyone, so a rule
// error quoting a subject's identity or phone number, however written,
// shows it masked, and still says what failed.
func TestHealthzMasksNumbersInRuleErrors(t *testing.T) {
	svc, err := service.New(context.Background(), service.Options{DSN: storetest.SQLite.NewDSN(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	now := time.Date(2026, 3, 10, 1, 0, 0, 0, time.UTC)
	for i, form := range []string{"410102198003071234", "４１０１０２８００３０７１２３", "+86 138 0013 8000", "(0371)65123456"} {
		rule := svc.Rules.Current().Rules[i].ID
		if err := svc.Store.SaveRuleRun(context.Background(), &models.RuleRun{TickID: "t1", RuleID: rule, Now: now, StartedAt: now,
			FinishedAt: now, Errors: 1, FirstError: "petitioner " + form + ": template: title: no field Foo"}); err != nil {
			t.Fatal(err)
		}
	}
	_, body := get(t, svc.Routes(), "/healthz")
	flat := strings.NewReplacer(" ", "", "-", "", "(", "", ")", "", "+", "").Replace(body)
	flat = strings.Map(func(r rune) rune {
		if r >= '０' && r <= '９' {
			return '0' + r - '０'
		}
		return r
	}, flat)
	for _, d := range []string{"410102198003071234", "410102800307123", "13800138000", "037165123456"} {
		if strings.Contains(flat, d) {
			t.Errorf("/healthz shows %s:\n%s", d, body)
		}
	}
	// /healthz names the failing rule but quotes no error text (see
	// TestHealthSaysWhatFailedWithoutTheData); masking is the second guard.
	if !strings.Contains(body, "last tick had 1 errors") || !strings.Contains(body, svc.Rules.Current().Rules[0].ID) {
		t.Errorf("/healthz no longer says what failed:\n%s", body)
	}
}
