package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"duban/internal/poll"
	"duban/models"
)

// TestDeadLettersAreListedAndResent serves the built-in rules on SQLite to
// a receiver that refuses everything, lists the dead letters, fixes the
// receiver and re-sends them with `deliveries retry --dead`.
func TestDeadLettersAreListedAndResent(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a process")
	}
	var status atomic.Int32
	status.Store(http.StatusBadRequest)
	var accepted atomic.Int32
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s := int(status.Load()); s != 200 {
			http.Error(w, "no such hook", s)
			return
		}
		accepted.Add(1)
	}))
	defer recv.Close()
	dir := t.TempDir()
	db := "--db=sqlite:" + filepath.Join(dir, "d.db")
	mustRun(t, "import", db, "--kind", "units", "testdata/units.jsonl")
	mustRun(t, "import", db, "testdata/cases.jsonl")
	notifyFile := filepath.Join(dir, "notify.yaml")
	os.WriteFile(notifyFile, []byte("channels:\n  - {name: hook, type: webhook, url: '"+recv.URL+"'}\nroutes:\n  - {channels: [hook]}\n"), 0o644)

	srv := startServer(t, "serve", db, "--notify", notifyFile) // the catch-up tick raises the testdata's notices
	var dead []models.Delivery
	poll.Until(t, "the refused deliveries are dead letters", func() bool {
		_, out, _ := duban(t, "deliveries", "list", db, "--status", "dead", "--format", "json")
		dead = nil
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			var d models.Delivery
			if json.Unmarshal([]byte(line), &d) == nil {
				dead = append(dead, d)
			}
		}
		return len(dead) >= 4
	})
	if d := dead[0]; d.Channel != "hook" || d.Attempts != 1 || !strings.Contains(d.LastError, "400 Bad Request") {
		t.Errorf("dead letter %+v", d)
	}
	if out := mustRun(t, "deliveries", "list", db, "--status", "dead"); !strings.Contains(out, "400 Bad Request no such hook") {
		t.Errorf("text listing:\n%s", out)
	}
	if h := srv.health(); h.Status != "degraded" || !strings.Contains(strings.Join(h.Problems, "\n"), "dead letters") {
		t.Errorf("/healthz does not show the dead letters: %s %v", h.Status, h.Problems)
	}

	status.Store(200)
	if out := mustRun(t, "deliveries", "retry", db, "--dead"); !strings.HasPrefix(out, "queued ") {
		t.Errorf("retry: %s", out)
	}
	poll.Until(t, "the re-sent dead letters arrive", func() bool { return int(accepted.Load()) >= len(dead) })
	if out := mustRun(t, "deliveries", "list", db, "--status", "dead"); strings.Count(out, "\n") != 1 {
		t.Errorf("dead letters left:\n%s", out)
	}
	if code, _, errOut := duban(t, "deliveries", "retry", db, "999999"); code != 1 || !strings.Contains(errOut, "999999") {
		t.Errorf("retrying an unknown delivery: exit %d, %s", code, errOut)
	}
	srv.stop()
}
