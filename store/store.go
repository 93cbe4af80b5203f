// Package store opens duban's database — an embedded SQLite file by default,
// MySQL/MariaDB in production — creates and upgrades its schema, and holds
// every query the engine, importer and API run.
package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"reflect"
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
	"duban/models"
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
	// SkipMigrate leaves the schema alone (for tools that only read).
	SkipMigrate bool
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
	s := &Store{Clock: opts.Clock, DSN: maskDSN(dsn)}
	var dialector gorm.Dialector
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "//")
		if path == "" {
			return nil, fmt.Errorf("db %q: give a file, as in sqlite:duban.db", dsn)
		}
		q := url.Values{}
		// A 16 MB page cache per connection (imports raise theirs; see
		// BeginCaseImport), statement journals in memory.
		for _, p := range []string{"busy_timeout(15000)", "journal_mode(WAL)", "synchronous(NORMAL)", "foreign_keys(1)", "cache_size(-16384)", "temp_store(2)"} {
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
		s.SQL, s.Dialect = db, SQLite
		dialector = sqliteDialector{sqlite.New(sqlite.Config{Conn: db}).(*sqlite.Dialector)}
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
	if !opts.SkipMigrate {
		if err := s.Migrate(ctx); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// Migrate creates missing tables, columns and indexes. It runs only when the
// models changed since the database was last migrated (their fingerprint is
// kept in settings): gorm's SQLite migrator rebuilds tables it cannot compare
// exactly, which must not happen on every start of a large database. It is
// safe to run from several replicas at once.
func (s *Store) Migrate(ctx context.Context) error {
	db := s.DB.WithContext(ctx)
	if s.Dialect == MySQL {
		db = db.Set("gorm:table_options", "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin")
		// Replicas starting together must not race each other's DDL.
		release, err := s.namedLock(ctx, "duban.migrate", time.Minute)
		if err != nil {
			return err
		}
		defer release()
	}
	version := SchemaVersion()
	if db.Migrator().HasTable(&models.Setting{}) {
		if v, err := s.Setting(ctx, schemaSetting); err == nil && v == version {
			return nil
		}
	}
	if err := db.AutoMigrate(models.All()...); err != nil {
		return fmt.Errorf("migrate %s: %w", s.DSN, err)
	}
	// The accountability chain's head row exists from the start.
	head := models.AuditHead{ID: 1, UpdatedAt: s.now()}
	if err := db.Where(models.AuditHead{ID: 1}).FirstOrCreate(&head).Error; err != nil {
		return err
	}
	return s.SetSetting(ctx, schemaSetting, version)
}

const schemaSetting = "schema.version"

// SchemaVersion fingerprints every model's fields, types and tags.
func SchemaVersion() string {
	h := sha256.New()
	for _, m := range models.All() {
		t := reflect.TypeOf(m).Elem()
		fmt.Fprintf(h, "%s{", t.Name())
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			fmt.Fprintf(h, "%s %s %q;", f.Name, f.Type, f.Tag.Get("gorm"))
		}
		fmt.Fprint(h, "}")
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
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
