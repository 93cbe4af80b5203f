package store

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"duban/models"
)

// NoticeByID loads one notice.
func (s *Store) NoticeByID(ctx context.Context, id uint64) (*models.Notice, error) {
	var n models.Notice
	err := s.DB.WithContext(ctx).Where("id = ?", id).Take(&n).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("notice %d: %w", id, ErrNotFound)
	}
	return &n, err
}

// AckNotice marks an open notice acknowledged by a person, with a comment.
// Only an open notice can be acknowledged: one already acknowledged or
// resolved is ErrConflict, saying by whom or since when.
func (s *Store) AckNotice(ctx context.Context, id uint64, by, comment string) (*models.Notice, error) {
	if by == "" {
		return nil, fmt.Errorf("%w: an acknowledgement names who gives it", ErrInvalid)
	}
	now := utc(s.now())
	res := s.DB.WithContext(ctx).Model(&models.Notice{}).Where("id = ? AND status = ?", id, models.NoticeOpen).
		Updates(map[string]any{"status": models.NoticeAcknowledged, "acked_at": now, "acked_by": by, "ack_comment": comment})
	if res.Error != nil {
		return nil, res.Error
	}
	n, err := s.NoticeByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if res.RowsAffected == 0 {
		switch n.Status {
		case models.NoticeAcknowledged:
			return n, fmt.Errorf("notice %d was already acknowledged by %s: %w", id, n.AckedBy, ErrConflict)
		case models.NoticeResolved:
			return n, fmt.Errorf("notice %d is resolved (its condition no longer holds); nothing to acknowledge: %w", id, ErrConflict)
		}
		return n, fmt.Errorf("notice %d is %s: %w", id, n.Status, ErrConflict)
	}
	return n, nil
}

// NoticeCount is how many notices one unit has at one level.
type NoticeCount struct {
	UnitCode string `json:"unit"`
	Level    string `json:"level"`
	Count    int64  `json:"count"`
}

// CountNotices counts the notices matching f (its cursor and limit aside)
// by unit and level.
func (s *Store) CountNotices(ctx context.Context, f NoticeFilter) ([]NoticeCount, error) {
	q := s.DB.WithContext(ctx).Model(&models.Notice{})
	if s.Dialect == MySQL && f.Status != "" && f.CaseNo == "" && f.Since.IsZero() && f.Until.IsZero() {
		// The counts' covering index answers from the index alone. Given
		// bound parameters, MySQL/MariaDB otherwise prefer (rule_id, status)
		// for a rule filter and read every matching row for its unit and
		// level: ~40x slower once the table outgrows the buffer pool.
		q = q.Table("notices FORCE INDEX (idx_notice_counts)")
	}
	q, ok := filterNotices(q, f)
	if !ok {
		return nil, nil
	}
	var out []NoticeCount
	err := q.Select("unit_code, level, COUNT(*) AS count").Group("unit_code, level").Order("unit_code, level").Scan(&out).Error
	return out, err
}

// OpenNoticesByRule counts the open notices of each rule.
func (s *Store) OpenNoticesByRule(ctx context.Context) (map[string]int64, error) {
	rows, err := s.SQL.QueryContext(ctx, "SELECT rule_id, COUNT(*) FROM notices WHERE status = ? GROUP BY rule_id", models.NoticeOpen)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var id string
		var n int64
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}
