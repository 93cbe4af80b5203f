package bench

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// bulkInsert writes n rows into table with multi-row INSERT statements, in
// transactions of about 20,000 rows. fill sets row i's values (len(cols)).
func bulkInsert(ctx context.Context, db *sql.DB, table string, cols []string, n int, fill func(i int, vals []any)) error {
	const perStmt = 400
	const perTx = 20000
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", len(cols)), ",") + ")"
	stmtSQL := func(rows int) string {
		return fmt.Sprintf("INSERT INTO %s (%s) VALUES %s", table, strings.Join(cols, ","),
			strings.TrimSuffix(strings.Repeat(one+",", rows), ","))
	}
	full := stmtSQL(perStmt)
	args := make([]any, 0, perStmt*len(cols))
	vals := make([]any, len(cols))
	for start := 0; start < n; start += perTx {
		end := min(start+perTx, n)
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		stmt, err := tx.PrepareContext(ctx, full)
		if err != nil {
			tx.Rollback()
			return err
		}
		for i := start; i < end; {
			rows := min(perStmt, end-i)
			args = args[:0]
			for j := 0; j < rows; j++ {
				fill(i+j, vals)
				args = append(args, vals...)
			}
			if rows == perStmt {
				_, err = stmt.ExecContext(ctx, args...)
			} else {
				_, err = tx.ExecContext(ctx, stmtSQL(rows), args...)
			}
			if err != nil {
				stmt.Close()
				tx.Rollback()
				return fmt.Errorf("insert into %s: %w", table, err)
			}
			i += rows
		}
		stmt.Close()
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}
