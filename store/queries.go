package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"duban/models"
)

// NoticeFilter selects notices; zero fields do not filter. Results come
// newest first, after the keyset cursor Before (an id) when it is set.
type NoticeFilter struct {
	Status string
	Units  []string
	Level  string
	Rule   string
	CaseNo string
	Since  time.Time
	Until  time.Time
	Before uint64
	Limit  int
}

// ListNotices returns notices matching f.
func (s *Store) ListNotices(ctx context.Context, f NoticeFilter) ([]models.Notice, error) {
	q := s.DB.WithContext(ctx).Model(&models.Notice{})
	if ix := listIndex(f); s.Dialect == MySQL && ix != "" {
		// Given bound parameters, MySQL/MariaDB may intersect two indexes
		// and sort every match (a second for open 督办 notices at a million
		// rows) where one index gives the newest page in order.
		q = q.Table("notices FORCE INDEX (" + ix + ")")
	}
	q, ok := filterNotices(q, f)
	if !ok {
		return nil, nil
	}
	if f.Before > 0 {
		q = q.Where("id < ?", f.Before)
	}
	var out []models.Notice
	err := q.Order("id DESC").Limit(limit(f.Limit)).Find(&out).Error
	return out, err
}

// listIndex is the index that reads f's newest page in id order (InnoDB
// indexes end with the primary key).
func listIndex(f NoticeFilter) string {
	switch {
	case len(f.Units) > 0:
		return "idx_notice_unit_id"
	case f.Status != "" && f.Level != "":
		return "idx_notice_status_level"
	case f.Level != "":
		return "idx_notice_level_id"
	case f.Status != "" && f.Rule != "":
		return "idx_notice_status_rule"
	case f.Status != "" && f.Rule == "":
		return "idx_notice_status_id"
	}
	return ""
}

// filterNotices applies f's filters (all but the cursor and limit). Units nil
// does not filter; Units empty matches nothing — a reader whose scope holds
// no unit sees no notice — and then ok is false.
func filterNotices(q *gorm.DB, f NoticeFilter) (_ *gorm.DB, ok bool) {
	if f.Units != nil && len(f.Units) == 0 {
		return q, false
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if len(f.Units) > 0 {
		q = q.Where("unit_code IN ?", f.Units)
	}
	if f.Level != "" {
		q = q.Where("level = ?", f.Level)
	}
	if f.Rule != "" {
		q = q.Where("rule_id = ?", f.Rule)
	}
	if f.CaseNo != "" {
		q = q.Where("case_no = ?", f.CaseNo)
	}
	if !f.Since.IsZero() {
		q = q.Where("raised_at >= ?", utc(f.Since))
	}
	if !f.Until.IsZero() {
		q = q.Where("raised_at < ?", utc(f.Until))
	}
	return q, true
}

func limit(n int) int {
	if n <= 0 || n > 10000 {
		return 100
	}
	return n
}

// AccountFilter selects accountability entries, newest first.
type AccountFilter struct {
	Units  []string
	Rule   string
	Kind   string
	CaseNo string
	Before int64 // seq cursor
	Limit  int
}

// ListAccountability returns accountability entries matching f.
func (s *Store) ListAccountability(ctx context.Context, f AccountFilter) ([]models.AccountabilityRecord, error) {
	q := s.DB.WithContext(ctx).Model(&models.AccountabilityRecord{})
	if len(f.Units) > 0 {
		q = q.Where("unit_code IN ?", f.Units)
	}
	if f.Rule != "" {
		q = q.Where("rule_id = ?", f.Rule)
	}
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	if f.CaseNo != "" {
		q = q.Where("case_no = ?", f.CaseNo)
	}
	if f.Before > 0 {
		q = q.Where("seq < ?", f.Before)
	}
	var out []models.AccountabilityRecord
	err := q.Order("seq DESC").Limit(limit(f.Limit)).Find(&out).Error
	return out, err
}

// FlagFilter selects flags, newest first.
type FlagFilter struct {
	Label  string
	CaseNo string
	Before uint64
	Limit  int
}

// ListFlags returns flags matching f.
func (s *Store) ListFlags(ctx context.Context, f FlagFilter) ([]models.Flag, error) {
	q := s.DB.WithContext(ctx).Model(&models.Flag{})
	if f.Label != "" {
		q = q.Where("label = ?", f.Label)
	}
	if f.CaseNo != "" {
		q = q.Where("case_no = ?", f.CaseNo)
	}
	if f.Before > 0 {
		q = q.Where("id < ?", f.Before)
	}
	var out []models.Flag
	err := q.Order("id DESC").Limit(limit(f.Limit)).Find(&out).Error
	return out, err
}
