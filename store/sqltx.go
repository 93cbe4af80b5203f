package store

import (
	"context"
	"database/sql"
	"math/rand/v2"
	"strings"
	"time"
)

// The write path of a tick runs on plain database/sql: prepared statements
// and multi-row inserts, with no reflection per row.

// txSQL runs fn in a database/sql transaction, retrying it like transact.
func (s *Store) txSQL(ctx context.Context, fn func(tx *sql.Tx) error) error {
	var opts *sql.TxOptions
	if s.Dialect == MySQL {
		opts = &sql.TxOptions{Isolation: sql.LevelReadCommitted}
	}
	var err error
	for attempt := 0; attempt < 8; attempt++ {
		err = s.serialize(func() error {
			tx, err := s.SQL.BeginTx(ctx, opts)
			if err != nil {
				return err
			}
			if err := fn(tx); err != nil {
				tx.Rollback()
				return err
			}
			return tx.Commit()
		})
		if err == nil || !retryable(err) || ctx.Err() != nil {
			return err
		}
		time.Sleep(time.Duration(1+rand.IntN(10<<attempt)) * time.Millisecond)
	}
	return err
}

// insertSQL is a one-row INSERT; with ignore, a row whose unique key exists
// is skipped and reports 0 rows affected, on both databases.
func (s *Store) insertSQL(table string, cols []string, ignore bool) string {
	q := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES (" + placeholders(len(cols)) + ")"
	if ignore {
		q += s.onConflictNothing()
	}
	return q
}

func (s *Store) onConflictNothing() string {
	if s.Dialect == MySQL {
		return " ON DUPLICATE KEY UPDATE id = id"
	}
	return " ON CONFLICT DO NOTHING"
}

// bulkInsertVerb begins a multi-row INSERT whose failure fails its whole
// transaction. On SQLite it is OR FAIL: a failing statement keeps the rows
// it wrote before the failure instead of undoing them, so SQLite keeps no
// statement journal (a copy of every page the statement touches, a tenth
// of a tick's writes or an import). That is safe only where any error
// rolls the transaction back, as every caller here does; a unique key
// skipped with ON CONFLICT DO NOTHING is no failure and keeps its meaning.
func (s *Store) bulkInsertVerb() string {
	if s.Dialect == SQLite {
		return "INSERT OR FAIL INTO "
	}
	return "INSERT INTO "
}

// valuesSQL is verb (an INSERT ... INTO) table with n rows of placeholders.
func valuesSQL(verb, table string, cols []string, n int) string {
	one := "(" + placeholders(len(cols)) + ")"
	return verb + table + " (" + strings.Join(cols, ", ") + ") VALUES " +
		strings.TrimSuffix(strings.Repeat(one+",", n), ",")
}

// insertRows writes rows with multi-row INSERT statements of at most 400
// rows. An error leaves tx fit only for rollback (see bulkInsertVerb).
func (s *Store) insertRows(ctx context.Context, tx *sql.Tx, table string, cols []string, rows [][]any, ignore bool) error {
	for start := 0; start < len(rows); start += 400 {
		chunk := rows[start:min(start+400, len(rows))]
		q := valuesSQL(s.bulkInsertVerb(), table, cols, len(chunk))
		if ignore {
			q += s.onConflictNothing()
		}
		args := make([]any, 0, len(chunk)*len(cols))
		for _, r := range chunk {
			args = append(args, r...)
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return err
		}
	}
	return nil
}

// concat is the dialect's string concatenation of SQL expressions.
func (s *Store) concat(parts ...string) string {
	if s.Dialect == MySQL {
		return "CONCAT(" + strings.Join(parts, ", ") + ")"
	}
	return strings.Join(parts, " || ")
}

// nullTime is NULL for an unset instant.
func nullTime(t *time.Time) any {
	if t == nil || t.IsZero() {
		return nil
	}
	return utc(*t)
}
