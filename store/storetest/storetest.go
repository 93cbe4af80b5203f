// Package storetest runs a test against every database duban supports: an
// SQLite file always, and MariaDB/MySQL whenever it is reachable.
//
// DUBAN_TEST_MYSQL sets the server (default root@tcp(127.0.0.1:3306)/, "off"
// skips it); with DUBAN_TEST_MYSQL_REQUIRED=1 an unreachable server fails the
// tests instead of skipping them, which is how CI proves both databases.
package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql"

	"duban/clock"
	"duban/store"
)

// Backend is one database a test runs against.
type Backend struct {
	Name string
	// NewDSN creates an empty database for one test and returns its DSN.
	NewDSN func(t testing.TB) string
}

var (
	mysqlOnce sync.Once
	mysqlErr  error
	mysqlBase string
	dbSeq     atomic.Int64
)

func mysqlServer() (string, error) {
	mysqlOnce.Do(func() {
		mysqlBase = os.Getenv("DUBAN_TEST_MYSQL")
		if mysqlBase == "off" {
			mysqlErr = fmt.Errorf("DUBAN_TEST_MYSQL=off")
			return
		}
		if mysqlBase == "" {
			mysqlBase = "root@tcp(127.0.0.1:3306)/"
		}
		db, err := sql.Open("mysql", mysqlBase)
		if err != nil {
			mysqlErr = err
			return
		}
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		mysqlErr = db.PingContext(ctx)
	})
	return mysqlBase, mysqlErr
}

// MySQLRequired reports whether an unreachable server is a failure.
func MySQLRequired() bool { return os.Getenv("DUBAN_TEST_MYSQL_REQUIRED") == "1" }

// SQLite is the embedded backend: a fresh file in the test's temp dir.
var SQLite = Backend{Name: "sqlite", NewDSN: func(t testing.TB) string {
	return "sqlite:" + filepath.Join(t.TempDir(), "duban.db")
}}

// MySQL is the server backend: a fresh database, dropped after the test.
var MySQL = Backend{Name: "mariadb", NewDSN: func(t testing.TB) string {
	base, err := mysqlServer()
	if err != nil {
		if MySQLRequired() {
			t.Fatalf("MariaDB/MySQL is required (DUBAN_TEST_MYSQL_REQUIRED=1) but unreachable at %s: %v", base, err)
		}
		t.Skipf("MariaDB/MySQL not reachable (%v); set DUBAN_TEST_MYSQL", err)
	}
	name := fmt.Sprintf("duban_t%d_%d_%d", os.Getpid(), time.Now().UnixNano()%1e6, dbSeq.Add(1))
	admin, err := sql.Open("mysql", base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"); err != nil {
		admin.Close()
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP DATABASE IF EXISTS " + name)
		admin.Close()
	})
	return "mysql://" + base + name
}}

// Backends lists every backend.
func Backends() []Backend { return []Backend{SQLite, MySQL} }

// Each runs fn as a subtest per backend with a freshly opened, empty store
// whose clock is fixed at start.
func Each(t *testing.T, start time.Time, fn func(t *testing.T, s *store.Store, clk *clock.Fixed)) {
	for _, b := range Backends() {
		t.Run(b.Name, func(t *testing.T) {
			dsn := b.NewDSN(t)
			clk := clock.NewFixed(start)
			s, err := store.Open(context.Background(), dsn, store.Options{Clock: clk})
			if err != nil {
				t.Fatalf("open %s: %v", dsn, err)
			}
			t.Cleanup(func() { s.Close() })
			fn(t, s, clk)
		})
	}
}
