// Package store opens duban's database — an embedded SQLite file by default,
// MySQL/MariaDB in production — creates and upgrades its schema, and holds
// every query the engine, importer and API run.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	gomysql "github.com/go-sql-driver/mysql"
	"github.com/libtnb/sqlite"
	"gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"duban/clock"
)

// DefaultDSN is used when neither --db nor DUBAN_DB is given.
const DefaultDSN = "sqlite:duban.db"

// Dialects.
const (
	SQLite = "sqlite"
	MySQL  = "mysql"
)

// Store is an open database.
type Store struct {
	DB      *gorm.DB
	SQL     *sql.DB
	Dialect string
	Clock   clock.Clock
	// DSN is the data source as given, with any password masked.
	DSN string
	// sqlitePath is the SQLite file (or :memory:); the migration lock sits beside it.
	sqlitePath string
	migrations Migrations
	// writeMu queues this process's write transactions on SQLite, which
	// has one writer at a time: waiting here hands the lock over at once,
	// where SQLite's busy handler would poll for it with sleeps.
	writeMu sync.Mutex
}

// serialize runs fn holding the process's SQLite write turn (no-op on MySQL).
func (s *Store) serialize(fn func() error) error {
	if s.Dialect == SQLite {
		s.writeMu.Lock()
		defer s.writeMu.Unlock()
	}
	return fn()
}

// Options adjust Open.
type Options struct {
	Clock clock.Clock
	// SkipMigrate leaves the schema alone and does not check it (for
	// tools that only read, and `duban db status`/`db migrate`).
	SkipMigrate bool
	// NoMigrate checks the schema without changing it: a database behind
	// this binary is refused (run `duban db migrate`), as is one ahead of it
	// unless every newer migration is compatible with older readers.
	NoMigrate bool
	// Migrations is the schema history to migrate with (default
	// DefaultMigrations; tests add theirs).
	Migrations Migrations
}

// ResolveDSN picks the data source: the flag, else DUBAN_DB, else the default.
func ResolveDSN(flag string) string {
	if flag != "" {
		return flag
	}
	if env := os.Getenv("DUBAN_DB"); env != "" {
		return env
	}
	return DefaultDSN
}

var memorySeq atomic.Int64

// Open connects to dsn — sqlite:PATH or mysql://user:pass@tcp(host:port)/db —
// and brings the schema up to date.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.Migrations == nil {
		opts.Migrations = DefaultMigrations()
	}
	if err := opts.Migrations.validate(); err != nil {
		return nil, err
	}
	s := &Store{Clock: opts.Clock, DSN: maskDSN(dsn), migrations: opts.Migrations}
	var dialector gorm.Dialector
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "//")
		if path == "" {
			return nil, fmt.Errorf("db %q: give a file, as in sqlite:duban.db", dsn)
		}
		q := url.Values{}
		// A 16 MB page cache per connection (imports raise theirs; see
		// BeginCaseImport), statement journals in memory. WAL is not asked
		// for here: switching a file to it takes the write lock without
		// waiting, so openers racing on a new file get SQLITE_BUSY; Open
		// switches it once, in turn (see switchToWAL).
		for _, p := range []string{"busy_timeout(15000)", "synchronous(NORMAL)", "foreign_keys(1)", "cache_size(-16384)", "temp_store(2)"} {
			q.Add("_pragma", p)
		}
		q.Set("_txlock", "immediate") // take the write lock at BEGIN: no lock-upgrade deadlocks
		q.Set("_time_format", "sqlite")
		q.Set("_timezone", "UTC")
		name := "file:" + path
		if path == ":memory:" {
			// One shared in-memory database per Open, on a single connection.
			name = fmt.Sprintf("file:duban-mem-%d", memorySeq.Add(1))
			q.Set("mode", "memory")
			q.Set("cache", "shared")
		}
		db, err := sql.Open("sqlite", name+"?"+q.Encode())
		if err != nil {
			return nil, fmt.Errorf("db %s: %w", s.DSN, err)
		}
		if path == ":memory:" {
			db.SetMaxOpenConns(1)
		} else {
			// a tick reads, evaluates (numbering episodes) and writes at once
			db.SetMaxOpenConns(8)
		}
		db.SetMaxIdleConns(8)
		s.SQL, s.Dialect, s.sqlitePath = db, SQLite, path
		dialector = sqlite.New(sqlite.Config{Conn: db})
	case strings.HasPrefix(dsn, "mysql://"):
		cfg, err := gomysql.ParseDSN(strings.TrimPrefix(dsn, "mysql://"))
		if err != nil {
			return nil, fmt.Errorf("db %s: %w (want mysql://user:pass@tcp(host:port)/db)", s.DSN, err)
		}
		cfg.ParseTime = true
		cfg.Loc = time.UTC
		if cfg.Params == nil {
			cfg.Params = map[string]string{}
		}
		cfg.Params["charset"] = "utf8mb4"
		cfg.Params["time_zone"] = "'+00:00'"
		db, err := sql.Open("mysql", cfg.FormatDSN())
		if err != nil {
			return nil, fmt.Errorf("db %s: %w", s.DSN, err)
		}
		db.SetMaxOpenConns(16)
		db.SetMaxIdleConns(8)
		db.SetConnMaxLifetime(30 * time.Minute)
		s.SQL, s.Dialect = db, MySQL
		// Without RETURNING, an insert that hits a duplicate key reports 0 rows
		// affected, which is how every dedup decision here is made; with it
		// (MariaDB), gorm counts the returned row and a duplicate looks new.
		dialector = mysql.New(mysql.Config{Conn: db, DisableWithReturning: true})
	default:
		return nil, fmt.Errorf("db %q: want sqlite:PATH or mysql://user:pass@tcp(host:port)/db", dsn)
	}
	if err := s.SQL.PingContext(ctx); err != nil {
		s.SQL.Close()
		return nil, fmt.Errorf("db %s: %w", s.DSN, err)
	}
	if s.Dialect == SQLite && s.sqlitePath != ":memory:" {
		if err := s.switchToWAL(ctx); err != nil {
			s.SQL.Close()
			return nil, fmt.Errorf("db %s: %w", s.DSN, err)
		}
	}
	db, err := gorm.Open(dialector, &gorm.Config{
		Logger:                                   logger.Default.LogMode(logger.Silent),
		NowFunc:                                  func() time.Time { return s.Clock.Now().UTC() },
		DisableForeignKeyConstraintWhenMigrating: true,
		TranslateError:                           true,
		CreateBatchSize:                          500,
	})
	if err != nil {
		s.SQL.Close()
		return nil, fmt.Errorf("db %s: %w", s.DSN, err)
	}
	s.DB = db
	switch {
	case opts.SkipMigrate:
	case opts.NoMigrate:
		st, err := s.SchemaStatus(ctx)
		if err == nil {
			err = s.checkSchema(st, true)
		}
		if err != nil {
			s.Close()
			return nil, err
		}
	default:
		if _, err := s.Migrate(ctx); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// switchToWAL puts a SQLite file in WAL mode (which the file keeps, so
// every later connection reads it from the header). SQLite makes the
// switch inside a read transaction and upgrades it to a write one, and an
// upgrade fails at once with SQLITE_BUSY, busy_timeout or not, while
// another connection holds the write lock: stores opening a new file
// together (`duban serve` and a command beside it) raced there. So the
// switch takes the file's lock turn, and only when the file is not in WAL
// mode already, so opening a live database never waits for a migration.
func (s *Store) switchToWAL(ctx context.Context) error {
	conn, err := s.SQL.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	// A read opens the WAL if the header says there is one; before it, a
	// new connection reports the default mode.
	if _, err := conn.ExecContext(ctx, "SELECT count(*) FROM sqlite_master"); err != nil {
		return err
	}
	mode, err := journalMode(ctx, conn, "PRAGMA journal_mode")
	if err != nil || mode == "wal" {
		return err
	}
	release, err := lockSQLiteFile(ctx, s.sqlitePath, MigrationLockWait)
	if err != nil {
		return fmt.Errorf("switching to WAL: %w", err)
	}
	defer release()
	if mode, err = journalMode(ctx, conn, "PRAGMA journal_mode = WAL"); err != nil {
		return fmt.Errorf("switching to WAL: %w", err)
	}
	if mode != "wal" {
		return fmt.Errorf("switching to WAL: the file stays in %q mode", mode)
	}
	return nil
}

func journalMode(ctx context.Context, conn *sql.Conn, pragma string) (string, error) {
	var mode string
	err := conn.QueryRowContext(ctx, pragma).Scan(&mode)
	return strings.ToLower(mode), err
}

// namedLock takes a MySQL advisory lock, waiting up to wait.
func (s *Store) namedLock(ctx context.Context, name string, wait time.Duration) (func(), error) {
	conn, err := s.SQL.Conn(ctx)
	if err != nil {
		return nil, err
	}
	var got sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK(?, ?)", name, int(wait.Seconds())).Scan(&got); err != nil {
		conn.Close()
		return nil, err
	}
	if got.Int64 != 1 {
		conn.Close()
		return nil, fmt.Errorf("lock %s: still held by another process after %s", name, wait)
	}
	return func() {
		conn.ExecContext(context.Background(), "SELECT RELEASE_LOCK(?)", name)
		conn.Close()
	}, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.SQL.Close() }

func (s *Store) now() time.Time { return s.Clock.Now().UTC() }

// Ping checks the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.SQL.PingContext(ctx) }

// maskDSN hides a MySQL password for logs and errors.
func maskDSN(dsn string) string {
	rest, ok := strings.CutPrefix(dsn, "mysql://")
	if !ok {
		return dsn
	}
	at := strings.LastIndex(rest, "@")
	colon := strings.Index(rest, ":")
	if at < 0 || colon < 0 || colon > at {
		return dsn
	}
	return "mysql://" + rest[:colon] + ":***" + rest[at:]
}

// ErrNotFound is returned when a record asked for by key does not exist.
var ErrNotFound = errors.New("not found")

// utc normalises an instant for storage: UTC, millisecond precision (what
// MySQL's DATETIME(3) keeps), so values read back compare and hash equal.
func utc(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

func utcPtr(t *time.Time) *time.Time {
	if t == nil || t.IsZero() {
		return nil
	}
	u := utc(*t)
	return &u
}
