package store

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"duban/models"
)

// AccountabilityBySeq loads one entry of the accountability log.
func (s *Store) AccountabilityBySeq(ctx context.Context, seq int64) (*models.AccountabilityRecord, error) {
	var r models.AccountabilityRecord
	err := s.DB.WithContext(ctx).Where("seq = ?", seq).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("accountability record %d: %w", seq, ErrNotFound)
	}
	return &r, err
}

// ReviewsOf returns the reviews of the given records, oldest first, by the
// sequence number of the record they review.
func (s *Store) ReviewsOf(ctx context.Context, seqs []int64) (map[int64][]models.AccountabilityRecord, error) {
	out := map[int64][]models.AccountabilityRecord{}
	for start := 0; start < len(seqs); start += 500 {
		var page []models.AccountabilityRecord
		err := s.DB.WithContext(ctx).Where("kind = ? AND ref_seq IN ?", models.AccountReview, seqs[start:min(start+500, len(seqs))]).
			Order("seq").Find(&page).Error
		if err != nil {
			return nil, err
		}
		for _, r := range page {
			out[r.RefSeq] = append(out[r.RefSeq], r)
		}
	}
	return out, nil
}

// CountAccountability counts the entries of the log (records and reviews)
// against the given units.
func (s *Store) CountAccountability(ctx context.Context, units []string) (int64, error) {
	if len(units) == 0 {
		return 0, nil
	}
	var n int64
	err := s.DB.WithContext(ctx).Model(&models.AccountabilityRecord{}).Where("unit_code IN ?", units).Count(&n).Error
	return n, err
}
