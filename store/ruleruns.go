package store

import (
	"context"
	"time"
)

// LastCleanTicks returns, per rule, the latest instant a tick of the rule
// reasoned about and finished without errors. The scheduler compares it
// with the rule's latest scheduled instant to catch up on what a stopped or
// killed service missed.
func (s *Store) LastCleanTicks(ctx context.Context) (map[string]time.Time, error) {
	rows, err := s.SQL.QueryContext(ctx, `SELECT rule_id, MAX(now) FROM rule_runs WHERE errors = 0 GROUP BY rule_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var id string
		var t timeScanner
		if err := rows.Scan(&id, &t); err != nil {
			return nil, err
		}
		out[id] = t.t
	}
	return out, rows.Err()
}
