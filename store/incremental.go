package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"duban/models"
	"duban/rules"
)

// Queries behind incremental ticks: which subjects to look at again, and
// loading just those.

// ChangedCases lists the cases written at or after since.
func (s *Store) ChangedCases(ctx context.Context, since time.Time) ([]string, error) {
	return s.strings(ctx, "SELECT case_no FROM cases WHERE updated_at >= ?", s.timeArg(since))
}

// ChangedPetitioners lists the petitioners of the cases written at or after
// since. (Deduplicated here: with DISTINCT, SQLite walks the petitioner index
// over every case instead of the few rows updated_at finds.)
func (s *Store) ChangedPetitioners(ctx context.Context, since time.Time) ([]string, error) {
	keys, err := s.strings(ctx, "SELECT petitioner_key FROM cases WHERE updated_at >= ?", s.timeArg(since))
	if err != nil {
		return nil, err
	}
	seen := make(map[string]bool, len(keys))
	out := keys[:0]
	for _, k := range keys {
		if k != "" && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out, nil
}

// DueChecks lists the subjects of a kind with a pending check in [from, to].
func (s *Store) DueChecks(ctx context.Context, kind string, from, to time.Time) ([]string, error) {
	return s.strings(ctx, "SELECT DISTINCT subject_key FROM pending_checks WHERE subject_kind = ? AND at >= ? AND at <= ?",
		kind, s.timeArg(from), s.timeArg(to))
}

// ResendDue lists the subjects whose open notice of a rule was last sent at
// or before sentBefore.
func (s *Store) ResendDue(ctx context.Context, ruleID string, sentBefore time.Time) ([]string, error) {
	return s.strings(ctx, "SELECT subject_key FROM notices WHERE rule_id = ? AND status IN (?, ?) AND last_sent_at <= ?",
		ruleID, models.NoticeOpen, models.NoticeAcknowledged, s.timeArg(sentBefore))
}

// PruneChecks deletes pending checks older than before.
func (s *Store) PruneChecks(ctx context.Context, before time.Time) error {
	return s.serialize(func() error {
		_, err := s.SQL.ExecContext(ctx, "DELETE FROM pending_checks WHERE at < ?", s.timeArg(before))
		return err
	})
}

func (s *Store) strings(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := s.SQL.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v sql.NullString
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v.String)
	}
	return out, rows.Err()
}

// chunks calls fn with keys in slices of at most n.
func chunks(keys []string, n int, fn func([]string) error) error {
	for start := 0; start < len(keys); start += n {
		if err := fn(keys[start:min(start+n, len(keys))]); err != nil {
			return err
		}
	}
	return nil
}

func anys(keys []string) []any {
	out := make([]any, len(keys))
	for i, k := range keys {
		out[i] = k
	}
	return out
}

// CasesByNo calls fn with pages of the named cases.
func (s *Store) CasesByNo(ctx context.Context, caseNos []string, pageSize int, fn func([]rules.Case) error) error {
	return chunks(caseNos, min(pageSize, 500), func(keys []string) error {
		rows, err := s.SQL.QueryContext(ctx, s.caseSelect()+" WHERE case_no IN ("+placeholders(len(keys))+")", anys(keys)...)
		if err != nil {
			return err
		}
		page := make([]rules.Case, 0, len(keys))
		var row caseRow
		for rows.Next() {
			var c rules.Case
			if err := row.scan(rows, &c); err != nil {
				rows.Close()
				return err
			}
			page = append(page, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(page) == 0 {
			return nil
		}
		return fn(page)
	})
}

// PetitionersByKey calls fn with pages of the named petitioners and their
// cases received at or after since.
func (s *Store) PetitionersByKey(ctx context.Context, keys []string, since time.Time, pageSize int, fn func([]rules.Petitioner) error) error {
	return chunks(keys, min(pageSize, 500), func(part []string) error {
		rows, err := s.SQL.QueryContext(ctx, s.petitionerSelect()+" WHERE petitioner_key IN ("+placeholders(len(part))+
			") AND received_at >= ? ORDER BY petitioner_key, received_at, id", append(anys(part), s.timeArg(since))...)
		if err != nil {
			return err
		}
		ps, _, _, err := scanPetitioners(rows)
		rows.Close()
		if err != nil || len(ps) == 0 {
			return err
		}
		return fn(ps)
	})
}

// OpenEpisodesOf loads a rule's open episodes for the given subjects only.
func (s *Store) OpenEpisodesOf(ctx context.Context, ruleID string, keys []string) (map[string]EpisodeState, error) {
	out := map[string]EpisodeState{}
	err := chunks(keys, 500, func(part []string) error {
		m, err := s.loadOpenEpisodes(ctx, " AND e.subject_key IN ("+placeholders(len(part))+")", append([]any{ruleID}, anys(part)...)...)
		for k, v := range m {
			out[k] = v
		}
		return err
	})
	return out, err
}

// Check is a pending check to record.
type Check struct {
	Kind, Key string
	At        time.Time
}

// SaveChecks records pending checks, ignoring those already recorded.
func (s *Store) saveChecks(ctx context.Context, tx *sql.Tx, checks []Check) error {
	if len(checks) == 0 {
		return nil
	}
	rows := make([][]any, len(checks))
	for i, c := range checks {
		rows[i] = []any{c.Kind, c.Key, s.timeArg(c.At)}
	}
	if err := s.insertRows(ctx, tx, "pending_checks", []string{"subject_kind", "subject_key", "at"}, rows, true); err != nil {
		return fmt.Errorf("pending checks: %w", err)
	}
	return nil
}
