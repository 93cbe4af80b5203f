package store

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"duban/models"
)

// Notice returns the notice with the given id.
func (s *Store) Notice(ctx context.Context, id uint64) (*models.Notice, error) {
	var n models.Notice
	if err := s.DB.WithContext(ctx).Where("id = ?", id).Take(&n).Error; err != nil {
		return nil, notFound(err, "notice %d", id)
	}
	return &n, nil
}

// Flag returns the flag with the given id.
func (s *Store) Flag(ctx context.Context, id uint64) (*models.Flag, error) {
	var f models.Flag
	if err := s.DB.WithContext(ctx).Where("id = ?", id).Take(&f).Error; err != nil {
		return nil, notFound(err, "flag %d", id)
	}
	return &f, nil
}

// AccountabilityEntry returns the accountability log entry with the given
// sequence number.
func (s *Store) AccountabilityEntry(ctx context.Context, seq int64) (*models.AccountabilityRecord, error) {
	var r models.AccountabilityRecord
	if err := s.DB.WithContext(ctx).Where("seq = ?", seq).Take(&r).Error; err != nil {
		return nil, notFound(err, "accountability record %d", seq)
	}
	return &r, nil
}

func notFound(err error, format string, args ...any) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return fmt.Errorf(format+": %w", append(args, ErrNotFound)...)
	}
	return err
}
