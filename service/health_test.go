package service_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"duban/engine"
	"duban/importer"
	"duban/service"
	"duban/store/storetest"
)

// TestHealthSaysWhatFailedWithoutTheData runs rules whose errors quote a
// petitioner's name and identity number. /healthz, which answers anyone,
// names each failing rule, how many errors and what kind of failure, and
// quotes neither; the stored run keeps the full text for the rules page.
func TestHealthSaysWhatFailedWithoutTheData(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join("testdata", "health")
	svc, err := service.New(ctx, service.Options{DSN: storetest.SQLite.NewDSN(t), RulesDir: filepath.Join(dir, "rules")})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	for _, f := range []struct{ kind, file string }{{importer.KindUnits, "units.jsonl"}, {importer.KindCases, "cases.jsonl"}} {
		if _, err := importer.File(ctx, svc.Store, filepath.Join(dir, f.file), importer.Options{Kind: f.kind}); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC)
	if _, err := engine.New(svc.Store, nil).Tick(ctx, svc.Rules.Current(), now, engine.TickOptions{}); err != nil {
		t.Fatal(err)
	}
	secrets := []string{"张三丰", "410102199001011234", "小区物业收费"}

	// The stored runs do quote the data: else this test proves nothing.
	runs, err := svc.Store.LastRuleRuns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"broken.condition": engine.FailCondition, "broken.recipient": engine.FailOutcome}
	for id, kind := range want {
		r := runs[id]
		if r.Errors != 1 || r.FirstErrorKind != kind {
			t.Errorf("rule %s: %d errors of kind %q, want 1 of %q (%s)", id, r.Errors, r.FirstErrorKind, kind, r.FirstError)
		}
	}
	if r := runs["broken.condition"]; !strings.Contains(r.FirstError, "张三丰") {
		t.Fatalf("the condition's error does not quote the name, so the test shows nothing: %q", r.FirstError)
	}
	if r := runs["broken.recipient"]; !strings.Contains(r.FirstError, "410102199001011234") {
		t.Fatalf("the recipient's error does not quote the number, so the test shows nothing: %q", r.FirstError)
	}

	code, body := get(t, svc.Routes(), "/healthz")
	if code != 200 {
		t.Fatalf("/healthz: %d\n%s", code, body)
	}
	for _, s := range secrets {
		for _, form := range []string{s, strings.Trim(mustMarshal(s), `"`)} {
			if strings.Contains(body, form) {
				t.Errorf("/healthz quotes %q:\n%s", s, body)
			}
		}
	}
	var h service.Health
	if err := json.Unmarshal([]byte(body), &h); err != nil {
		t.Fatal(err)
	}
	if h.Status != "degraded" {
		t.Errorf("status %q, want degraded", h.Status)
	}
	said := map[string]string{"broken.condition": "its condition could not be evaluated", "broken.recipient": "what it raises"}
	for id, kind := range want {
		if tk := h.Ticks[id]; tk.Errors != 1 || tk.FirstErrorKind != kind {
			t.Errorf("/healthz tick of %s: %+v, want 1 error of kind %s", id, tk, kind)
		}
		found := false
		for _, p := range h.Problems {
			found = found || strings.HasPrefix(p, "rule "+id+": last tick had 1 errors, the first: "+said[id])
		}
		if !found {
			t.Errorf("/healthz problems do not say what failed in %s: %q", id, h.Problems)
		}
	}
	if tk := h.Ticks["fine.open"]; tk.Errors != 0 || tk.FirstErrorKind != "" {
		t.Errorf("the healthy rule: %+v", tk)
	}
}

func mustMarshal(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
