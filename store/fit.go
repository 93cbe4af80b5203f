package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// Fit is what a narrowing or type-changing migration requires of every row
// of one column before it alters it.
type Fit struct {
	Table string
	// Key names the rows in the refusal (a unique column, e.g. code).
	Key    string
	Column string
	// MaxChars is the column's new length: longer values do not fit.
	MaxChars int
	// Unfit, if set, is an SQL condition true of the rows that do not fit
	// (a type change: e.g. "amount NOT GLOB '[0-9]*'").
	Unfit string
}

// UnfitError is a migration's refusal: the rows that would not survive it.
type UnfitError struct {
	Fit  Fit
	Rows []UnfitRow // the first ones, up to unfitShown
	// Count is how many rows do not fit.
	Count int64
}

// UnfitRow is one row that does not fit: its key and the value.
type UnfitRow struct{ Key, Value string }

const unfitShown = 20

func (e *UnfitError) Error() string {
	var b strings.Builder
	what := "does not fit"
	if e.Fit.MaxChars > 0 {
		what = fmt.Sprintf("is longer than %d characters", e.Fit.MaxChars)
	}
	fmt.Fprintf(&b, "%d row(s) of %s whose %s %s; nothing was changed (shorten or fix them, then migrate again):", e.Count, e.Fit.Table, e.Fit.Column, what)
	for _, r := range e.Rows {
		v := []rune(r.Value)
		fmt.Fprintf(&b, " %s=%q (%d characters: %q);", e.Fit.Key, r.Key, len(v), truncate(string(v), 40))
	}
	if e.Count > int64(len(e.Rows)) {
		fmt.Fprintf(&b, " and %d more", e.Count-int64(len(e.Rows)))
	}
	return strings.TrimSuffix(b.String(), ";")
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// charLength is each dialect's length of a text value in characters.
var charLength = map[string]string{SQLite: "length", MySQL: "CHAR_LENGTH"}

// RequireFit checks, inside a migration's transaction, that every row fits
// each of fits, and returns an *UnfitError naming the rows that do not.
func RequireFit(ctx context.Context, tx *sql.Tx, dialect string, fits ...Fit) error {
	for _, f := range fits {
		cond := f.Unfit
		if f.MaxChars > 0 {
			if cond != "" {
				cond += " OR "
			}
			cond += fmt.Sprintf("%s(%s) > %d", charLength[dialect], f.Column, f.MaxChars)
		}
		if cond == "" {
			return fmt.Errorf("fit of %s.%s: give MaxChars or Unfit", f.Table, f.Column)
		}
		where := " FROM " + f.Table + " WHERE " + cond
		var n int64
		if err := tx.QueryRowContext(ctx, "SELECT count(*)"+where).Scan(&n); err != nil {
			return fmt.Errorf("fit of %s.%s: %w", f.Table, f.Column, err)
		}
		if n == 0 {
			continue
		}
		rows, err := tx.QueryContext(ctx, fmt.Sprintf("SELECT %s, %s%s ORDER BY %s LIMIT %d", f.Key, f.Column, where, f.Key, unfitShown))
		if err != nil {
			return fmt.Errorf("fit of %s.%s: %w", f.Table, f.Column, err)
		}
		e := &UnfitError{Fit: f, Count: n}
		for rows.Next() {
			var k, v sql.NullString
			if err := rows.Scan(&k, &v); err != nil {
				rows.Close()
				return err
			}
			e.Rows = append(e.Rows, UnfitRow{Key: k.String, Value: v.String})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		return e
	}
	return nil
}
