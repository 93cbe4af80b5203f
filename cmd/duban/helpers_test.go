package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"gorm.io/gorm"

	"duban/store"
)

// openForTest opens an SQLite file directly, to tamper with it as an
// intruder with database access would.
func openForTest(path string) (*rawDB, error) {
	s, err := store.Open(context.Background(), "sqlite:"+path, store.Options{SkipMigrate: true})
	if err != nil {
		return nil, err
	}
	return &rawDB{s: s, DB: s.DB}, nil
}

type rawDB struct {
	s *store.Store
	*gorm.DB
}

func (r *rawDB) Close() { r.s.Close() }

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
	buildOut  []byte
)

// binary builds the duban binary once for the multi-process tests.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "duban-bin-")
		if buildErr == nil {
			buildOut, buildErr = exec.Command("go", "build", "-o", filepath.Join(buildDir, "duban"), ".").CombinedOutput()
		}
	})
	if buildErr != nil {
		t.Fatalf("build: %v\n%s", buildErr, buildOut)
	}
	return filepath.Join(buildDir, "duban")
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}
