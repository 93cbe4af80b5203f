package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"duban/models"
)

// OutboxItem is an outbox message with the notice it sends.
type OutboxItem struct {
	Outbox models.Outbox
	Notice models.Notice
}

// Undispatched returns up to limit outbox messages not yet fanned out to
// their channels, oldest first.
func (s *Store) Undispatched(ctx context.Context, limit int) ([]OutboxItem, error) {
	var obs []models.Outbox
	if err := s.DB.WithContext(ctx).Where("dispatched_at IS NULL").Order("id").Limit(limit).Find(&obs).Error; err != nil {
		return nil, err
	}
	ids := make([]uint64, len(obs))
	for i, o := range obs {
		ids[i] = o.NoticeID
	}
	notices, err := s.Notices(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]OutboxItem, 0, len(obs))
	for _, o := range obs {
		n, ok := notices[o.NoticeID]
		if !ok {
			return nil, fmt.Errorf("outbox %s: notice %d does not exist", o.IdemKey, o.NoticeID)
		}
		out = append(out, OutboxItem{Outbox: o, Notice: n})
	}
	return out, nil
}

// Notices loads notices by id.
func (s *Store) Notices(ctx context.Context, ids []uint64) (map[uint64]models.Notice, error) {
	out := make(map[uint64]models.Notice, len(ids))
	for start := 0; start < len(ids); start += 500 {
		var ns []models.Notice
		if err := s.DB.WithContext(ctx).Where("id IN ?", ids[start:min(start+500, len(ids))]).Find(&ns).Error; err != nil {
			return nil, err
		}
		for _, n := range ns {
			out[n.ID] = n
		}
	}
	return out, nil
}

// Dispatch fans an outbox message out to channels — one pending delivery
// each — and marks it dispatched, in one transaction. Run twice, or by two
// replicas at once, it creates each delivery once. It returns how many
// deliveries this call created.
func (s *Store) Dispatch(ctx context.Context, ob models.Outbox, channels []string) (int, error) {
	now := s.now()
	created := 0
	err := s.transact(ctx, func(tx *gorm.DB) error {
		created = 0
		for _, ch := range channels {
			d := models.Delivery{OutboxID: ob.ID, Channel: ch, NoticeID: ob.NoticeID, SendSeq: ob.SendSeq, IdemKey: ob.IdemKey,
				Status: models.DeliveryPending, NextAttemptAt: now, RetryFrom: now, CreatedAt: now, UpdatedAt: now}
			res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&d)
			if res.Error != nil {
				return fmt.Errorf("delivery of %s to %s: %w", ob.IdemKey, ch, res.Error)
			}
			created += int(res.RowsAffected)
		}
		return tx.Exec("UPDATE outboxes SET dispatched_at = ? WHERE id = ? AND dispatched_at IS NULL", now, ob.ID).Error
	})
	return created, err
}

// DueDeliveries lists pending deliveries to the given channels whose next
// attempt is due and that no worker holds, the longest waiting first.
func (s *Store) DueDeliveries(ctx context.Context, channels []string, limit int) ([]models.Delivery, error) {
	if len(channels) == 0 {
		return nil, nil
	}
	now := s.now()
	var out []models.Delivery
	err := s.DB.WithContext(ctx).
		Where("status = ? AND next_attempt_at <= ? AND channel IN ? AND (claim_until IS NULL OR claim_until < ?)",
			models.DeliveryPending, now, channels, now).
		Order("next_attempt_at, id").Limit(limit).Find(&out).Error
	return out, err
}

// ClaimDelivery takes a pending delivery for sending, for hold. It reports
// false when another worker holds it or it is no longer pending: exactly one
// of several workers racing for a delivery wins it.
func (s *Store) ClaimDelivery(ctx context.Context, id uint64, owner, token string, hold time.Duration) (bool, error) {
	now := s.now()
	n, err := s.execRetrying(ctx, `UPDATE deliveries SET claim_token = ?, claimed_by = ?, claim_until = ?, updated_at = ?
		WHERE id = ? AND status = ? AND (claim_until IS NULL OR claim_until < ?)`,
		token, owner, utc(now.Add(hold)), now, id, models.DeliveryPending, now)
	if err != nil {
		return false, fmt.Errorf("claim delivery %d: %w", id, err)
	}
	return n == 1, nil
}

// execRetrying runs one statement in its own transaction, retried on the
// deadlocks that concurrent workers' statements on deliveries can run into.
func (s *Store) execRetrying(ctx context.Context, sql string, args ...any) (int64, error) {
	var n int64
	err := s.transact(ctx, func(tx *gorm.DB) error {
		res := tx.Exec(sql, args...)
		n = res.RowsAffected
		return res.Error
	})
	return n, err
}

// Attempt is the result of one sending of a delivery.
type Attempt struct {
	Status string    // sent, pending (to be tried again at Next) or dead
	Next   time.Time // the next attempt, when pending
	Error  string    // why it failed
}

// FinishDelivery records an attempt on a delivery this worker claimed with
// token. It reports false (and records nothing) when the claim was lost —
// it ran out and another worker took the delivery.
func (s *Store) FinishDelivery(ctx context.Context, id uint64, token string, a Attempt) (bool, error) {
	now := s.now()
	var sentAt *time.Time
	next := utc(a.Next)
	if a.Status == models.DeliverySent {
		sentAt, next = &now, now
	}
	if a.Status == models.DeliveryDead {
		next = now
	}
	if len(a.Error) > 1000 {
		a.Error = a.Error[:1000]
	}
	n, err := s.execRetrying(ctx, `UPDATE deliveries SET status = ?, attempts = attempts + 1, last_attempt_at = ?,
		sent_at = ?, next_attempt_at = ?, last_error = ?, claim_token = '', claimed_by = '', claim_until = NULL, updated_at = ?
		WHERE id = ? AND claim_token = ?`, a.Status, now, sentAt, next, a.Error, now, id, token)
	if err != nil {
		return false, fmt.Errorf("record delivery %d: %w", id, err)
	}
	return n == 1, nil
}

// DeliveryFilter selects deliveries, newest first; zero fields do not filter.
type DeliveryFilter struct {
	Status   string
	Channel  string
	NoticeID uint64
	Before   uint64 // keyset cursor: ids below it
	Limit    int
}

// ListDeliveries returns deliveries matching f.
func (s *Store) ListDeliveries(ctx context.Context, f DeliveryFilter) ([]models.Delivery, error) {
	q := s.DB.WithContext(ctx).Model(&models.Delivery{})
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.Channel != "" {
		q = q.Where("channel = ?", f.Channel)
	}
	if f.NoticeID > 0 {
		q = q.Where("notice_id = ?", f.NoticeID)
	}
	if f.Before > 0 {
		q = q.Where("id < ?", f.Before)
	}
	var out []models.Delivery
	err := q.Order("id DESC").Limit(limit(f.Limit)).Find(&out).Error
	return out, err
}

// RetryDeliveries puts deliveries that are not sent — dead letters, or
// pending ones waiting out a backoff — back in line to be sent now, with a
// fresh retry budget. It returns the ids it did not retry because they do
// not exist or were sent already.
func (s *Store) RetryDeliveries(ctx context.Context, ids []uint64) (skipped []uint64, err error) {
	now := s.now()
	err = s.transact(ctx, func(tx *gorm.DB) error {
		skipped = nil
		for _, id := range ids {
			res := tx.Exec(`UPDATE deliveries SET status = ?, next_attempt_at = ?, retry_from = ?, claim_token = '',
				claimed_by = '', claim_until = NULL, updated_at = ? WHERE id = ? AND status <> ?`,
				models.DeliveryPending, now, now, now, id, models.DeliverySent)
			if res.Error != nil {
				return fmt.Errorf("retry delivery %d: %w", id, res.Error)
			}
			if res.RowsAffected == 0 {
				skipped = append(skipped, id)
			}
		}
		return nil
	})
	return skipped, err
}

// DeadDeliveryIDs lists the dead letters, of one channel when channel is set.
func (s *Store) DeadDeliveryIDs(ctx context.Context, channel string) ([]uint64, error) {
	q := s.DB.WithContext(ctx).Model(&models.Delivery{}).Where("status = ?", models.DeliveryDead)
	if channel != "" {
		q = q.Where("channel = ?", channel)
	}
	var ids []uint64
	err := q.Order("id").Pluck("id", &ids).Error
	return ids, err
}

// DeliveryBacklog is how many deliveries of a channel wait, and since when.
type DeliveryBacklog struct {
	Channel string    `json:"channel"`
	Status  string    `json:"status"`
	Count   int64     `json:"count"`
	Oldest  time.Time `json:"oldest"`
}

// DeliveryBacklogs counts the pending and dead deliveries per channel (sent
// ones are history, not backlog).
func (s *Store) DeliveryBacklogs(ctx context.Context) ([]DeliveryBacklog, error) {
	rows, err := s.SQL.QueryContext(ctx, `SELECT channel, status, COUNT(*), MIN(created_at) FROM deliveries
		WHERE status IN (?, ?) GROUP BY channel, status ORDER BY channel, status`, models.DeliveryPending, models.DeliveryDead)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []DeliveryBacklog
	for rows.Next() {
		var b DeliveryBacklog
		var oldest timeScanner
		if err := rows.Scan(&b.Channel, &b.Status, &b.Count, &oldest); err != nil {
			return nil, err
		}
		b.Oldest = oldest.t
		out = append(out, b)
	}
	return out, rows.Err()
}

// UndispatchedCount counts the outbox messages not yet fanned out.
func (s *Store) UndispatchedCount(ctx context.Context) (int64, error) {
	var n int64
	err := s.DB.WithContext(ctx).Model(&models.Outbox{}).Where("dispatched_at IS NULL").Count(&n).Error
	return n, err
}

// UnitNames maps unit codes to names.
func (s *Store) UnitNames(ctx context.Context) (map[string]string, error) {
	var units []models.Unit
	if err := s.DB.WithContext(ctx).Select("code", "name").Find(&units).Error; err != nil {
		return nil, err
	}
	out := make(map[string]string, len(units))
	for _, u := range units {
		out[u.Code] = u.Name
	}
	return out, nil
}

// timeScanner reads a time from an aggregate such as MIN(t): MySQL gives a
// time, SQLite (which knows no type for an aggregate) the stored text.
type timeScanner struct{ t time.Time }

func (ts *timeScanner) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		ts.t = time.Time{}
	case time.Time:
		ts.t = x.UTC()
	case string:
		return ts.parse(x)
	case []byte:
		return ts.parse(string(x))
	default:
		return fmt.Errorf("cannot read %T as a time", v)
	}
	return nil
}

func (ts *timeScanner) parse(s string) error {
	for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999", time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			ts.t = t.UTC()
			return nil
		}
	}
	return fmt.Errorf("cannot read %q as a time", s)
}

// LatestSendings returns, per notice, the number of its latest sending in
// the outbox.
func (s *Store) LatestSendings(ctx context.Context, noticeIDs []uint64) (map[uint64]int, error) {
	out := make(map[uint64]int, len(noticeIDs))
	for start := 0; start < len(noticeIDs); start += 500 {
		type row struct {
			NoticeID uint64
			Seq      int
		}
		var rows []row
		err := s.DB.WithContext(ctx).Model(&models.Outbox{}).Select("notice_id, MAX(send_seq) AS seq").
			Where("notice_id IN ?", noticeIDs[start:min(start+500, len(noticeIDs))]).Group("notice_id").Scan(&rows).Error
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[r.NoticeID] = r.Seq
		}
	}
	return out, nil
}
