package store

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"duban/models"
)

// Setting returns a stored setting, or "" when unset.
func (s *Store) Setting(ctx context.Context, key string) (string, error) {
	var st models.Setting
	err := s.DB.WithContext(ctx).Where("name = ?", key).Take(&st).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return "", nil
	}
	return st.Value, err
}

// SetSetting stores a setting.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	return s.DB.WithContext(ctx).Clauses(clause.OnConflict{UpdateAll: true}).
		Create(&models.Setting{Key: key, Value: value, UpdatedAt: s.now()}).Error
}

// Counts returns how many rows the main tables hold.
func (s *Store) Counts(ctx context.Context) (map[string]int64, error) {
	out := map[string]int64{}
	for name, m := range map[string]any{"units": &models.Unit{}, "cases": &models.Case{}, "notices": &models.Notice{},
		"flags": &models.Flag{}, "accountability_records": &models.AccountabilityRecord{}, "reception_slots": &models.ReceptionSlot{}} {
		var n int64
		if err := s.DB.WithContext(ctx).Model(m).Count(&n).Error; err != nil {
			return nil, err
		}
		out[name] = n
	}
	return out, nil
}

// Reset deletes every row of every table, keeping the schema. The demo uses
// it to rebuild its county; nothing else should.
func (s *Store) Reset(ctx context.Context) error {
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, m := range models.All() {
			if err := tx.Session(&gorm.Session{AllowGlobalUpdate: true}).Delete(m).Error; err != nil {
				return fmt.Errorf("reset: %w", err)
			}
		}
		return tx.Create(&models.AuditHead{ID: 1, UpdatedAt: s.now()}).Error
	})
}
