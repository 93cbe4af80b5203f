package main

import (
	"context"

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
