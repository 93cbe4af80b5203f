// Package reliability holds the fault, soak and load tests of the
// reliability suite and renders their figures into RELIABILITY.md.
//
// The tests run in CI, short, on SQLite and MariaDB. DUBAN_SOAK=1 runs them
// long; DUBAN_RELIABILITY_OUT=DIR writes each test's figures there as JSON
// (see RELIABILITY.md for the commands).
package reliability_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"duban/internal/faultkit"
	"duban/store"
)

func TestMain(m *testing.M) {
	code := m.Run()
	faultkit.Cleanup()
	os.Exit(code)
}

// openStore opens a database the way a second process (an inspector's
// tool) would, without touching its schema.
func openStore(t *testing.T, dsn string) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), dsn, store.Options{SkipMigrate: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func snapshot(t *testing.T, s *store.Store) *faultkit.State {
	t.Helper()
	st, err := faultkit.Snapshot(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// seeded returns a random source whose seed is logged, so that a failure
// can be replayed with DUBAN_FAULT_SEED.
func seeded(t *testing.T) *rand.Rand {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("DUBAN_FAULT_SEED"); s != "" {
		var v uint64
		for _, c := range s {
			v = v*10 + uint64(c-'0')
		}
		seed = v
	}
	t.Logf("seed %d (DUBAN_FAULT_SEED=%d replays it)", seed, seed)
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

func joinLines(ls []string, limit int) string {
	if len(ls) > limit {
		ls = append(ls[:limit:limit], fmt.Sprintf("... and %d more", len(ls)-limit))
	}
	return strings.Join(ls, "\n")
}

// mapFS is a one-file file system.
func mapFS(name, text string) fstest.MapFS {
	return fstest.MapFS{name: {Data: []byte(text)}}
}
