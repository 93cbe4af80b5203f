package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDBStatusAndMigrate takes a database made by the binary before
// versioned migrations through `db status`, a refused `--no-migrate`
// start, `db migrate`, and a start on a schema a newer binary contracted.
func TestDBStatusAndMigrate(t *testing.T) {
	src, err := os.ReadFile("../../store/testdata/v0-sqlite.db")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "d.db")
	if err := os.WriteFile(path, src, 0o644); err != nil {
		t.Fatal(err)
	}
	db := "--db=sqlite:" + path

	var st schemaStatusJSON
	if err := json.Unmarshal([]byte(mustRun(t, "db", "status", db, "--format", "json")), &st); err != nil {
		t.Fatal(err)
	}
	if st.Current != 0 || st.Latest != 1 || !st.Legacy || len(st.Pending) != 1 || st.Pending[0] != (migrationJSON{1, "initial", "contract"}) {
		t.Errorf("status of a database from before versioned migrations: %+v", st)
	}
	code, _, errOut := duban(t, "notices", "list", db, "--no-migrate")
	if code == 0 || !strings.Contains(errOut, "schema version 0, this binary needs 1 (pending: 1 initial): run `duban db migrate`") {
		t.Errorf("--no-migrate on a database behind: exit %d, %s", code, errOut)
	}
	if out := mustRun(t, "db", "migrate", db); !strings.Contains(out, "recorded (its tables were already there; nothing ran) 1 initial (contract)") ||
		!strings.Contains(out, "schema version 1") {
		t.Errorf("db migrate:\n%s", out)
	}
	if out := mustRun(t, "db", "status", db); !strings.Contains(out, "schema version 1; this binary knows up to 1") ||
		!strings.Contains(out, "1        initial  contract") || !strings.Contains(out, "up to date") {
		t.Errorf("db status:\n%s", out)
	}
	if out := mustRun(t, "notices", "list", db, "--no-migrate"); !strings.Contains(out, "XF202600022") {
		t.Errorf("--no-migrate on a database up to date:\n%s", out)
	}

	// A newer binary took the database to version 2 with a contracting migration.
	s, err := openForTest(path)
	if err != nil {
		t.Fatal(err)
	}
	s.Exec("INSERT INTO goose_db_version (version_id, is_applied) VALUES (2, true)")
	s.Exec("INSERT INTO schema_migrations (version, name, compat, applied_at) VALUES (2, 'drop_rule_run_host', 'contract', '2026-12-04 10:00:00+00:00')")
	s.Close()
	var newer schemaStatusJSON
	json.Unmarshal([]byte(mustRun(t, "db", "status", db, "--format", "json")), &newer)
	if newer.Current != 2 || len(newer.Newer) != 1 || newer.Newer[0].Name != "drop_rule_run_host" {
		t.Errorf("status of a newer database: %+v", newer)
	}
	for _, args := range [][]string{{"notices", "list", db}, {"db", "migrate", db}} {
		code, _, errOut := duban(t, args...)
		if code == 0 || !strings.Contains(errOut, "schema version 2, newer than this binary's 1") ||
			!strings.Contains(errOut, "migration 2 (drop_rule_run_host) is contract") {
			t.Errorf("%s on a contracted newer schema: exit %d, %s", args[0], code, errOut)
		}
	}
}
