package bench

import (
	"context"
	"database/sql"
	"time"

	"duban/rules"
	"duban/store"
)

// FloorResult is what a plain scan read.
type FloorResult struct {
	Rows     int
	Duration time.Duration
}

// Floor reads the rows a tick of rs reads — the same columns, the same
// filters — with plain database/sql scans and no rules: the speed of reading
// the data, which no tick can beat.
func Floor(ctx context.Context, s *store.Store, rs *rules.RuleSet, now time.Time) (FloorResult, error) {
	start := time.Now()
	var res FloorResult
	var caseScopes []rules.Scope
	windows := map[time.Duration]bool{}
	for _, r := range rs.Rules {
		switch r.Subject {
		case rules.SubjectCase:
			caseScopes = append(caseScopes, r.Scope)
		case rules.SubjectPetitioner:
			windows[r.Window] = true
		}
	}
	if len(caseScopes) > 0 {
		where, args, err := store.CaseScopeSQL(caseScopes)
		if err != nil {
			return res, err
		}
		q := `SELECT id, case_no, petitioner_key, petitioner_name, channel, category, group_size,
			received_at, reception_leader, accepted_at, assigned_unit, assigned_at, due_at, extended_due_at,
			closed_at, return_visit_at, status, escalated, law_related FROM cases`
		if where != "" {
			q += " WHERE " + where
		}
		n, err := scan(ctx, s.SQL, q, args, 19)
		if err != nil {
			return res, err
		}
		res.Rows += n
	}
	for w := range windows {
		since := time.Time{}
		if w > 0 {
			since = now.Add(-w).UTC()
		}
		n, err := scan(ctx, s.SQL, `SELECT petitioner_key, petitioner_name, case_no, category, channel, status,
			assigned_unit, received_at, escalated, group_size FROM cases
			WHERE petitioner_key > '' AND received_at >= ? ORDER BY petitioner_key, received_at, id`, []any{since}, 10)
		if err != nil {
			return res, err
		}
		res.Rows += n
	}
	n, err := scan(ctx, s.SQL, "SELECT id, date, leader, leader_available, substitute, location FROM reception_slots", nil, 6)
	if err != nil {
		return res, err
	}
	res.Rows += n
	res.Duration = time.Since(start)
	return res, nil
}

// scan reads every row of q into generic holders.
func scan(ctx context.Context, db *sql.DB, q string, args []any, cols int) (int, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	ct, err := rows.ColumnTypes()
	if err != nil {
		return 0, err
	}
	holders := make([]any, cols)
	for i, c := range ct {
		// Typed holders, as a careful hand-written scan would use.
		switch c.DatabaseTypeName() {
		case "DATETIME", "TIMESTAMP":
			holders[i] = new(sql.NullTime)
		case "INTEGER", "BIGINT", "INT", "TINYINT", "NUMERIC":
			holders[i] = new(sql.NullInt64)
		default:
			holders[i] = new(sql.NullString)
		}
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(holders...); err != nil {
			return n, err
		}
		n++
	}
	return n, rows.Err()
}
