package store

import (
	"context"
	"database/sql"
	"errors"
	"math/rand/v2"
	"strings"
	"time"

	gomysql "github.com/go-sql-driver/mysql"
	"gorm.io/gorm"
)

// transact runs fn in a transaction, retrying it when the database gave up
// on it for reasons another attempt resolves: a deadlock or lock timeout on
// MySQL (concurrent replicas inserting into the same unique indexes), a busy
// SQLite file. fn must be safe to run again from the start.
func (s *Store) transact(ctx context.Context, fn func(tx *gorm.DB) error) error {
	var opts []*sql.TxOptions
	if s.Dialect == MySQL {
		// READ COMMITTED takes no gap locks, which keeps concurrent batch
		// inserts from deadlocking each other in the first place.
		opts = append(opts, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
	}
	var err error
	for attempt := 0; attempt < 8; attempt++ {
		err = s.DB.WithContext(ctx).Transaction(fn, opts...)
		if err == nil || !retryable(err) || ctx.Err() != nil {
			return err
		}
		time.Sleep(time.Duration(1+rand.IntN(10<<attempt)) * time.Millisecond)
	}
	return err
}

func retryable(err error) bool {
	var me *gomysql.MySQLError
	if errors.As(err, &me) {
		return me.Number == 1213 || me.Number == 1205 // deadlock, lock wait timeout
	}
	msg := err.Error()
	return strings.Contains(msg, "SQLITE_BUSY") || strings.Contains(msg, "database is locked")
}
