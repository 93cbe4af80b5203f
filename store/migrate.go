package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/gofrs/flock"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/database"

	"duban/models"
)

// The schema is changed only by numbered migrations (goose runs them; see
// docs/design.md). Each one's SQL is a file per dialect under migrations/,
// embedded in the binary; a dialect is a directory, so adding one (PostgreSQL)
// means a directory with every migration's file and a line in gooseDialects.

//go:embed migrations
var migrationFiles embed.FS

// Compat says whether binaries that predate a migration may still run on the
// schema it leaves behind (the expand/contract pattern).
type Compat int

const (
	// Contract: older binaries must not run after it — a dropped, renamed
	// or narrowed column, a changed type, a new NOT NULL column without a
	// default. It needs its own release after the one that stopped using
	// what it removes.
	Contract Compat = iota
	// Expand: older binaries keep working — a new table, a nullable column
	// or one with a default, a new index, a widened column.
	Expand
)

func (c Compat) String() string {
	if c == Expand {
		return "expand"
	}
	return "contract"
}

func parseCompat(s string) (Compat, bool) {
	switch s {
	case "expand":
		return Expand, true
	case "contract":
		return Contract, true
	}
	return Contract, false
}

// Migration is one numbered schema change.
type Migration struct {
	Version int64
	Name    string
	Compat  Compat
	// SQL holds the statements per dialect (SQLite, MySQL), separated by
	// a semicolon at the end of a line.
	SQL map[string]string
	// Check runs first, in the migration's transaction: a narrowing or
	// type-changing migration checks with RequireFit that every row fits,
	// so that it refuses before it changes anything.
	Check func(ctx context.Context, tx *sql.Tx, dialect string) error
}

// Migrations is the ordered set a binary knows; Options.Migrations takes
// one (tests add to DefaultMigrations).
type Migrations []Migration

// Latest is the newest version of the set (0 when empty).
func (ms Migrations) Latest() int64 {
	var v int64
	for _, m := range ms {
		v = max(v, m.Version)
	}
	return v
}

// DefaultMigrations is this binary's schema history.
func DefaultMigrations() Migrations {
	return Migrations{
		// The schema the binaries before versioned migrations made with
		// gorm's AutoMigrate; a database they made is brought to it without
		// running it (see baseline).
		{Version: 1, Name: "initial", Compat: Contract, SQL: embeddedSQL(1, "initial")},
		{Version: 2, Name: "rule_run_error_kind", Compat: Expand, SQL: embeddedSQL(2, "rule_run_error_kind")},
	}
}

// dialects lists every dialect each migration needs SQL for.
var dialects = []string{SQLite, MySQL}

var gooseDialects = map[string]goose.Dialect{SQLite: goose.DialectSQLite3, MySQL: goose.DialectMySQL}

// embeddedSQL reads migrations/DIALECT/NNNNN_NAME.sql for every dialect.
func embeddedSQL(version int64, name string) map[string]string {
	out := map[string]string{}
	for _, d := range dialects {
		b, err := migrationFiles.ReadFile(fmt.Sprintf("migrations/%s/%05d_%s.sql", d, version, name))
		if err != nil {
			panic(fmt.Sprintf("migration %d (%s) has no %s SQL: %v", version, name, d, err))
		}
		out[d] = string(b)
	}
	return out
}

// validate checks a set is usable: versions from 1 without gaps, a name and
// SQL for every dialect.
func (ms Migrations) validate() error {
	for i, m := range ms {
		if m.Version != int64(i+1) {
			return fmt.Errorf("migration %q has version %d, want %d (versions count up from 1 without gaps)", m.Name, m.Version, i+1)
		}
		if m.Name == "" {
			return fmt.Errorf("migration %d has no name", m.Version)
		}
		for _, d := range dialects {
			if strings.TrimSpace(m.SQL[d]) == "" && m.Check == nil {
				return fmt.Errorf("migration %d (%s) has no %s SQL", m.Version, m.Name, d)
			}
		}
	}
	return nil
}

// statements splits a migration's SQL at semicolons that end a line,
// dropping comment lines.
func statements(src string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(src, "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		if strings.HasSuffix(trimmed, ";") {
			out = append(out, strings.TrimSuffix(strings.TrimSpace(cur.String()), ";"))
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}

// Bookkeeping: goose records applied versions in its table; duban records
// beside each its name and compat, which is what an older binary needs to
// decide whether it may run on a schema newer than it knows.
const (
	versionTable = "goose_db_version"
	changesTable = "schema_migrations"
)

var changesTableDDL = map[string]string{
	SQLite: "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, compat text NOT NULL, applied_at datetime NOT NULL)",
	MySQL: "CREATE TABLE IF NOT EXISTS schema_migrations (version bigint NOT NULL PRIMARY KEY, name varchar(255) NOT NULL, compat varchar(16) NOT NULL, applied_at datetime(3) NOT NULL)" +
		" ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
}

// AppliedMigration is a row of schema_migrations.
type AppliedMigration struct {
	Version   int64     `json:"version"`
	Name      string    `json:"name"`
	Compat    string    `json:"compat"`
	AppliedAt time.Time `json:"applied_at"`
}

// SchemaStatus is where a database stands against this binary's migrations.
type SchemaStatus struct {
	// Current is the database's version: 0 for an empty database.
	Current int64
	// Latest is the newest version this binary knows.
	Latest int64
	// Legacy: made by a binary before versioned migrations, not yet
	// recorded at version 1 (the next migrate does it without DDL).
	Legacy bool
	// Applied lists what schema_migrations records, oldest first.
	Applied []AppliedMigration
	// Pending are the migrations the next migrate applies.
	Pending Migrations
	// Newer are applied migrations this binary does not know.
	Newer []AppliedMigration
}

// SchemaError is a refusal to start on a schema this binary cannot use.
type SchemaError struct{ msg string }

func (e *SchemaError) Error() string { return e.msg }

// olderReadersOK reports whether every newer migration declared itself
// compatible with older readers, and otherwise the first that did not.
func (st SchemaStatus) olderReadersOK() (AppliedMigration, bool) {
	for _, m := range st.Newer {
		if m.Compat != Expand.String() {
			return m, false
		}
	}
	return AppliedMigration{}, true
}

// SchemaStatus reads the database's version without changing anything.
func (s *Store) SchemaStatus(ctx context.Context) (SchemaStatus, error) {
	st := SchemaStatus{Latest: s.migrations.Latest()}
	hasVersions, err := s.hasTable(ctx, versionTable)
	if err != nil {
		return st, err
	}
	if !hasVersions {
		legacy, err := s.hasTable(ctx, "settings")
		if err != nil {
			return st, err
		}
		// A legacy database's migration 1 is pending too: migrate records it
		// (baseline) instead of running it.
		st.Legacy = legacy
		st.Pending = slices.Clone(s.migrations)
		return st, nil
	}
	store, err := database.NewStore(gooseDialects[s.Dialect], versionTable)
	if err != nil {
		return st, err
	}
	rows, err := store.ListMigrations(ctx, s.SQL)
	if err != nil {
		return st, fmt.Errorf("schema version of %s: %w", s.DSN, err)
	}
	applied := map[int64]bool{}
	for _, r := range rows {
		if r.IsApplied {
			applied[r.Version] = true
			st.Current = max(st.Current, r.Version)
		}
	}
	if st.Applied, err = s.appliedMigrations(ctx); err != nil {
		return st, err
	}
	for _, m := range s.migrations {
		if !applied[m.Version] {
			st.Pending = append(st.Pending, m)
		}
	}
	for v := st.Latest + 1; v <= st.Current; v++ {
		if !applied[v] {
			continue
		}
		a := AppliedMigration{Version: v, Name: "not recorded", Compat: "unknown"}
		for _, r := range st.Applied {
			if r.Version == v {
				a = r
			}
		}
		st.Newer = append(st.Newer, a)
	}
	return st, nil
}

func (s *Store) appliedMigrations(ctx context.Context) ([]AppliedMigration, error) {
	ok, err := s.hasTable(ctx, changesTable)
	if err != nil || !ok {
		return nil, err
	}
	rows, err := s.SQL.QueryContext(ctx, "SELECT version, name, compat, applied_at FROM "+changesTable+" ORDER BY version")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AppliedMigration
	for rows.Next() {
		var a AppliedMigration
		if err := rows.Scan(&a.Version, &a.Name, &a.Compat, &a.AppliedAt); err != nil {
			return nil, err
		}
		a.AppliedAt = a.AppliedAt.UTC()
		out = append(out, a)
	}
	return out, rows.Err()
}

func (s *Store) hasTable(ctx context.Context, name string) (bool, error) {
	q := "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?"
	if s.Dialect == MySQL {
		q = "SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?"
	}
	var n int
	err := s.SQL.QueryRowContext(ctx, q, name).Scan(&n)
	return n > 0, err
}

// checkSchema refuses a database this binary must not run on: one at a
// newer version whose newer migrations are not all compatible with older
// readers, and, when behind is set, one with migrations pending.
func (s *Store) checkSchema(st SchemaStatus, behind bool) error {
	if len(st.Newer) > 0 {
		if m, ok := st.olderReadersOK(); !ok {
			return &SchemaError{fmt.Sprintf("database %s is at schema version %d, newer than this binary's %d, "+
				"and migration %d (%s) is %s, not compatible with older binaries: run a duban that knows version %d or later "+
				"(a rollback past a contracting migration needs the backup taken before it)",
				s.DSN, st.Current, st.Latest, m.Version, m.Name, m.Compat, st.Current)}
		}
	}
	if behind && len(st.Pending) > 0 {
		names := make([]string, len(st.Pending))
		for i, m := range st.Pending {
			names[i] = fmt.Sprintf("%d %s", m.Version, m.Name)
		}
		return &SchemaError{fmt.Sprintf("database %s is at schema version %d, this binary needs %d (pending: %s): "+
			"run `duban db migrate`, or start without --no-migrate", s.DSN, st.Current, st.Latest, strings.Join(names, ", "))}
	}
	return nil
}

// MigrationLockWait is how long Migrate waits for another process's turn.
const MigrationLockWait = time.Minute

// Migrate applies the pending migrations in order, each in a transaction
// (on MySQL, DDL commits implicitly, so a failed migration's earlier
// statements stay: see README). Replicas starting together take turns: on
// MySQL with GET_LOCK, on SQLite with a lock file beside the database. It
// returns what it applied (for a legacy database, migration 1 recorded
// by baseline first); it refuses a database newer than this binary
// unless every newer migration is compatible with older readers.
func (s *Store) Migrate(ctx context.Context) (Migrations, error) {
	release, err := s.migrationLock(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	st, err := s.SchemaStatus(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.checkSchema(st, false); err != nil {
		return nil, err
	}
	if ok, err := s.hasTable(ctx, changesTable); err != nil {
		return nil, err
	} else if !ok {
		if _, err := s.SQL.ExecContext(ctx, changesTableDDL[s.Dialect]); err != nil {
			return nil, fmt.Errorf("migrate %s: %w", s.DSN, err)
		}
	}
	run := st.Pending
	if st.Legacy {
		if err := s.baseline(ctx); err != nil {
			return nil, err
		}
		run = run[1:]
	}
	if len(run) > 0 {
		if err := s.applyPending(ctx, run); err != nil {
			return nil, err
		}
	}
	// The accountability chain's head row exists from the start.
	head := models.AuditHead{ID: 1, UpdatedAt: s.now()}
	if err := s.DB.WithContext(ctx).Where(models.AuditHead{ID: 1}).FirstOrCreate(&head).Error; err != nil {
		return nil, err
	}
	return st.Pending, nil
}

func (s *Store) applyPending(ctx context.Context, pending Migrations) error {
	var gms []*goose.Migration
	for _, m := range s.migrations {
		gms = append(gms, goose.NewGoMigration(m.Version, &goose.GoFunc{RunTx: s.runMigration(m)}, nil))
	}
	p, err := goose.NewProvider(gooseDialects[s.Dialect], s.SQL, nil,
		goose.WithGoMigrations(gms...), goose.WithDisableGlobalRegistry(true),
		goose.WithSlog(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		return fmt.Errorf("migrate %s: %w", s.DSN, err)
	}
	if _, err := p.UpTo(ctx, pending[len(pending)-1].Version); err != nil {
		var pe *goose.PartialError
		if errors.As(err, &pe) && pe.Failed != nil {
			return fmt.Errorf("migrate %s: version %d (%s) failed, the database stays at %d: %w",
				s.DSN, pe.Failed.Source.Version, s.migrations[pe.Failed.Source.Version-1].Name, pe.Failed.Source.Version-1, pe.Err)
		}
		return fmt.Errorf("migrate %s: %w", s.DSN, err)
	}
	return nil
}

// runMigration is migration m as goose runs it: the check, the dialect's
// statements, the row in schema_migrations, in goose's transaction (which
// records the version in the same one).
func (s *Store) runMigration(m Migration) func(context.Context, *sql.Tx) error {
	return func(ctx context.Context, tx *sql.Tx) error {
		if m.Check != nil {
			if err := m.Check(ctx, tx, s.Dialect); err != nil {
				return err
			}
		}
		for _, stmt := range statements(m.SQL[s.Dialect]) {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("%w, in: %s", err, truncateSQL(stmt))
			}
		}
		return recordMigration(ctx, tx, m, s.now())
	}
}

func recordMigration(ctx context.Context, tx *sql.Tx, m Migration, at time.Time) error {
	_, err := tx.ExecContext(ctx, "INSERT INTO "+changesTable+" (version, name, compat, applied_at) VALUES (?, ?, ?, ?)",
		m.Version, m.Name, m.Compat.String(), at)
	return err
}

func truncateSQL(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 120 {
		return s[:120] + "…"
	}
	return s
}

// baseline records a database made before versioned migrations at version
// 1 without running it, after checking it has every table, column and
// index migration 1 creates.
func (s *Store) baseline(ctx context.Context) error {
	if missing, err := s.missingFromInitial(ctx); err != nil {
		return err
	} else if len(missing) > 0 {
		return &SchemaError{fmt.Sprintf("database %s was made before versioned migrations, but its schema is not the one migration 1 describes "+
			"(missing: %s): start it once with the last duban release before versioned migrations, which brings it up to date, then with this one",
			s.DSN, strings.Join(missing, ", "))}
	}
	store, err := database.NewStore(gooseDialects[s.Dialect], versionTable)
	if err != nil {
		return err
	}
	tx, err := s.SQL.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := store.CreateVersionTable(ctx, tx); err != nil {
		return fmt.Errorf("baseline %s: %w", s.DSN, err)
	}
	for _, v := range []int64{0, 1} {
		if err := store.Insert(ctx, tx, database.InsertRequest{Version: v}); err != nil {
			return fmt.Errorf("baseline %s: %w", s.DSN, err)
		}
	}
	if err := recordMigration(ctx, tx, s.migrations[0], s.now()); err != nil {
		return fmt.Errorf("baseline %s: %w", s.DSN, err)
	}
	return tx.Commit()
}

var (
	createTableRe = regexp.MustCompile("(?s)CREATE TABLE `(\\w+)` \\((.*?)\\n?\\)(?: ENGINE|;|$)")
	columnRe      = regexp.MustCompile("(?:^|\\(|,)\\s*`(\\w+)`")
	indexRe       = regexp.MustCompile("(?:INDEX|KEY) `(\\w+)`")
)

// missingFromInitial names the tables, columns and indexes of migration 1
// the database lacks.
func (s *Store) missingFromInitial(ctx context.Context) ([]string, error) {
	src := s.migrations[0].SQL[s.Dialect]
	var missing []string
	for _, stmt := range statements(src) {
		if m := createTableRe.FindStringSubmatch(stmt + ";"); m != nil {
			table := m[1]
			have, err := s.columnsOf(ctx, table)
			if err != nil {
				return nil, err
			}
			if len(have) == 0 {
				missing = append(missing, "table "+table)
				continue
			}
			// A column definition starts a line or follows "(" or ","; key
			// lines name only columns, so they match harmlessly.
			for _, c := range columnRe.FindAllStringSubmatch(strings.ReplaceAll(m[2], "\n", ","), -1) {
				if !have[c[1]] {
					missing = append(missing, table+"."+c[1])
				}
			}
		}
		for _, ix := range indexRe.FindAllStringSubmatch(stmt, -1) {
			ok, err := s.hasIndex(ctx, ix[1])
			if err != nil {
				return nil, err
			}
			if !ok {
				missing = append(missing, "index "+ix[1])
			}
		}
	}
	slices.Sort(missing)
	return slices.Compact(missing), nil
}

func (s *Store) columnsOf(ctx context.Context, table string) (map[string]bool, error) {
	q := "SELECT name FROM pragma_table_info(?)"
	if s.Dialect == MySQL {
		q = "SELECT column_name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ?"
	}
	rows, err := s.SQL.QueryContext(ctx, q, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out[c] = true
	}
	return out, rows.Err()
}

func (s *Store) hasIndex(ctx context.Context, name string) (bool, error) {
	q := "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = ?"
	if s.Dialect == MySQL {
		q = "SELECT count(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND index_name = ?"
	}
	var n int
	err := s.SQL.QueryRowContext(ctx, q, name).Scan(&n)
	return n > 0, err
}

// migrationLock gives this process the turn to migrate.
func (s *Store) migrationLock(ctx context.Context) (func(), error) {
	switch {
	case s.Dialect == MySQL:
		return s.namedLock(ctx, "duban.migrate", MigrationLockWait)
	case s.sqlitePath != "" && s.sqlitePath != ":memory:":
		// SQLite's own lock is per transaction; a migration's check of the
		// version and its run must be one turn.
		release, err := lockSQLiteFile(ctx, s.sqlitePath, MigrationLockWait)
		if err != nil {
			return nil, fmt.Errorf("migrate %s: %w", s.DSN, err)
		}
		return release, nil
	}
	return func() {}, nil
}

// lockSQLiteFile takes the turn on a SQLite file, waiting up to wait: a
// lock file beside it, which other stores of this process hold apart too
// (a flock belongs to its open file, not to the process).
func lockSQLiteFile(ctx context.Context, path string, wait time.Duration) (func(), error) {
	fl := flock.New(path + "-migrate.lock")
	waitCtx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	ok, err := fl.TryLockContext(waitCtx, 50*time.Millisecond)
	if err != nil || !ok {
		return nil, fmt.Errorf("the lock %s is still held by another process after %s: %v", fl.Path(), wait, err)
	}
	return func() { fl.Unlock() }, nil
}
