package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An inspector exports the chain's head, keeps it, and later checks the
// database against it: a chain cut back to an earlier record passes
// `audit verify` on its own but not against the head.
func TestAuditHeadExportedAndCheckedLater(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "d.db")
	db := "--db=sqlite:" + path
	mustRun(t, "import", db, "--kind", "units", "testdata/units.jsonl")
	mustRun(t, "import", db, "testdata/cases.jsonl")
	mustRun(t, "run", db, "--once", "--now", "2026-03-11T08:00:00+08:00")

	out := mustRun(t, "audit", "head", db, "--format", "json")
	var head struct {
		Seq   int64  `json:"seq"`
		Hash  string `json:"hash"`
		Time  string `json:"time"`
		Count int64  `json:"count"`
	}
	if err := json.Unmarshal([]byte(out), &head); err != nil || head.Seq != 2 || head.Count != 2 || len(head.Hash) != 64 || head.Time == "" {
		t.Fatalf("audit head: %s (%v)", out, err)
	}
	if text := mustRun(t, "audit", "head", db); !strings.HasPrefix(text, "head: record 2, hash "+head.Hash) {
		t.Errorf("audit head (text): %s", text)
	}
	headFile := filepath.Join(dir, "head.json")
	os.WriteFile(headFile, []byte(out), 0o644)

	mustRun(t, "audit", "review", db, "1", "dismiss", "--reviewer", "纪检组 刘芳", "--reason", "已批准延期")
	if out := mustRun(t, "audit", "verify", db, "--against", headFile); !strings.Contains(out, "ok: record 2 still has the hash") {
		t.Errorf("verify --against after a review: %s", out)
	}

	// Someone with database access removes the review and record 2, and
	// sets the head back: the chain verifies, the exported head does not.
	s, err := openForTest(path)
	if err != nil {
		t.Fatal(err)
	}
	var hash string
	s.Raw("SELECT hash FROM accountability_records WHERE seq = 1").Scan(&hash)
	s.Exec("DELETE FROM accountability_records WHERE seq > 1")
	s.Exec("UPDATE audit_heads SET seq = 1, hash = ? WHERE id = 1", hash)
	s.Close()
	if out := mustRun(t, "audit", "verify", db); !strings.HasPrefix(out, "ok: 1 entries") {
		t.Fatalf("the cut chain should verify on its own: %s", out)
	}
	code, out, _ := duban(t, "audit", "verify", db, "--against", headFile)
	if code != 1 || !strings.Contains(out, "FAILED at record 2") || !strings.Contains(out, "records 2 to 2 were removed and the head set back") {
		t.Errorf("verify --against a cut chain: exit %d: %s", code, out)
	}

	// The head is not exported from an altered chain; a bad head file is refused.
	s, _ = openForTest(path)
	s.Exec("UPDATE accountability_records SET reason = 'x' WHERE seq = 1")
	s.Close()
	if code, out, errOut := duban(t, "audit", "head", db, "--format", "json"); code != 1 || out != "" || !strings.Contains(errOut, "FAILED at record 1") {
		t.Errorf("audit head of an altered chain: exit %d, %q, %q", code, out, errOut)
	}
	os.WriteFile(headFile, []byte(`{"seq": 2, "hash": "abc"}`), 0o644)
	if code, _, errOut := duban(t, "audit", "verify", db, "--against", headFile); code != 1 || !strings.Contains(errOut, "head.json: not a head exported by `duban audit head --format json`") {
		t.Errorf("a bad head file: exit %d, %q", code, errOut)
	}
}
