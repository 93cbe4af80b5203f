package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"duban/models"
)

// AcquireLease takes the named lease for holder until now+ttl, or renews it
// when holder has it already. It reports whether holder now holds the lease.
// Another holder's lease is taken only once it has expired, unless force is
// set — for a process that knows it is alone on the database (SQLite, under
// the file lock), so that a restart need not wait out its predecessor's lease.
func (s *Store) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration, force bool) (bool, error) {
	now := s.now()
	until := utc(now.Add(ttl))
	db := s.DB.WithContext(ctx)
	// Renewal. renewals+1 changes the row even when the times do not, since
	// MySQL counts changed rows, not matched ones.
	res := db.Exec(`UPDATE leases SET renewals = renewals + 1, renewed_at = ?, expires_at = ?
		WHERE name = ? AND holder = ?`, utc(now), until, name, holder)
	if res.Error != nil {
		return false, fmt.Errorf("renew lease %s: %w", name, res.Error)
	}
	if res.RowsAffected == 1 {
		return true, nil
	}
	// Take-over of an expired lease.
	q := `UPDATE leases SET holder = ?, epoch = epoch + 1, renewals = 0, acquired_at = ?, renewed_at = ?, expires_at = ?
		WHERE name = ? AND holder <> ?`
	args := []any{holder, utc(now), utc(now), until, name, holder}
	if !force {
		q += " AND expires_at < ?"
		args = append(args, utc(now))
	}
	res = db.Exec(q, args...)
	if res.Error != nil {
		return false, fmt.Errorf("take lease %s: %w", name, res.Error)
	}
	if res.RowsAffected == 1 {
		return true, nil
	}
	// The very first holder.
	l := models.Lease{Name: name, Holder: holder, Epoch: 1, AcquiredAt: utc(now), RenewedAt: utc(now), ExpiresAt: until}
	res = db.Clauses(clause.OnConflict{DoNothing: true}).Create(&l)
	if res.Error != nil {
		return false, fmt.Errorf("create lease %s: %w", name, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// ReleaseLease lets the lease go at once if holder has it, so that another
// replica need not wait for it to expire.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	past := utc(s.now().Add(-time.Second))
	return s.DB.WithContext(ctx).Exec(`UPDATE leases SET expires_at = ?, renewals = renewals + 1
		WHERE name = ? AND holder = ?`, past, name, holder).Error
}

// Lease returns the named lease, or nil when nobody has ever taken it.
func (s *Store) Lease(ctx context.Context, name string) (*models.Lease, error) {
	var l models.Lease
	err := s.DB.WithContext(ctx).Where("name = ?", name).Take(&l).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &l, nil
}
