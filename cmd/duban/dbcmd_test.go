package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"duban/store"
)

// TestDBStatusAndMigrate takes a database made by the binary before
// versioned migrations through `db status`, a refused `--no-migrate`
// start, `db migrate`, and a start on a schema a newer binary contracted.
// The binary's own migrations are what a real deployment runs: migration 1
// is recorded, the later ones run.
func TestDBStatusAndMigrate(t *testing.T) {
	migs := store.DefaultMigrations()
	base := migs.Latest()
	var wantPending []migrationJSON
	var pendingNames []string
	wantMigrated := "recorded (its tables were already there; nothing ran) 1 initial (contract)\n"
	for _, m := range migs {
		wantPending = append(wantPending, migrationJSON{m.Version, m.Name, m.Compat.String()})
		pendingNames = append(pendingNames, fmt.Sprintf("%d %s", m.Version, m.Name))
		if m.Version > 1 {
			wantMigrated += fmt.Sprintf("applied %d %s (%s)\n", m.Version, m.Name, m.Compat)
		}
	}

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
	if st.Current != 0 || st.Latest != base || !st.Legacy || !slices.Equal(st.Pending, wantPending) || st.Pending[0] != (migrationJSON{1, "initial", "contract"}) {
		t.Errorf("status of a database from before versioned migrations: %+v", st)
	}
	code, _, errOut := duban(t, "notices", "list", db, "--no-migrate")
	if code == 0 || !strings.Contains(errOut, fmt.Sprintf("schema version 0, this binary needs %d (pending: %s): run `duban db migrate`", base, strings.Join(pendingNames, ", "))) {
		t.Errorf("--no-migrate on a database behind: exit %d, %s", code, errOut)
	}
	if out := mustRun(t, "db", "migrate", db); !strings.Contains(out, wantMigrated) ||
		!strings.Contains(out, fmt.Sprintf("schema version %d\n", base)) {
		t.Errorf("db migrate:\n%s", out)
	}
	out := mustRun(t, "db", "status", db)
	if !strings.Contains(out, fmt.Sprintf("schema version %d; this binary knows up to %d", base, base)) || !strings.Contains(out, "up to date") {
		t.Errorf("db status:\n%s", out)
	}
	for _, m := range wantPending {
		if !hasRow(out, fmt.Sprint(m.Version), m.Name, m.Compat) {
			t.Errorf("db status lists no applied row %d %s %s:\n%s", m.Version, m.Name, m.Compat, out)
		}
	}
	if out := mustRun(t, "notices", "list", db, "--no-migrate"); !strings.Contains(out, "XF202600022") {
		t.Errorf("--no-migrate on a database up to date:\n%s", out)
	}

	// A newer binary took the database one version further with a
	// contracting migration.
	next := base + 1
	s, err := openForTest(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, true)",
		"INSERT INTO schema_migrations (version, name, compat, applied_at) VALUES (?, 'drop_rule_run_host', 'contract', '2026-12-04 10:00:00+00:00')"} {
		if err := s.Exec(q, next).Error; err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	var newer schemaStatusJSON
	json.Unmarshal([]byte(mustRun(t, "db", "status", db, "--format", "json")), &newer)
	if newer.Current != next || len(newer.Newer) != 1 || newer.Newer[0].Version != next || newer.Newer[0].Name != "drop_rule_run_host" {
		t.Errorf("status of a newer database: %+v", newer)
	}
	for _, args := range [][]string{{"notices", "list", db}, {"db", "migrate", db}} {
		code, _, errOut := duban(t, args...)
		if code == 0 || !strings.Contains(errOut, fmt.Sprintf("schema version %d, newer than this binary's %d", next, base)) ||
			!strings.Contains(errOut, fmt.Sprintf("migration %d (drop_rule_run_host) is contract", next)) {
			t.Errorf("%s on a contracted newer schema: exit %d, %s", args[0], code, errOut)
		}
	}
}

// hasRow reports whether a line of a column-aligned table in out starts
// with cells, whatever the column widths.
func hasRow(out string, cells ...string) bool {
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) >= len(cells) && slices.Equal(f[:len(cells)], cells) {
			return true
		}
	}
	return false
}
