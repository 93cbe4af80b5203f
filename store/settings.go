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
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, m := range models.All() {
			if err := tx.Session(&gorm.Session{AllowGlobalUpdate: true}).Delete(m).Error; err != nil {
				return fmt.Errorf("reset: %w", err)
			}
		}
		if err := tx.Create(&models.AuditHead{ID: 1, UpdatedAt: s.now()}).Error; err != nil {
			return err
		}
		// Ids start at 1 again, so that a rebuilt demo numbers its notices
		// as the first build did (the README's tour names some). Only the
		// models' tables: the migrations' bookkeeping keeps its own.
		if s.Dialect == SQLite {
			var has int64
			if err := tx.Raw("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_sequence'").Scan(&has).Error; err != nil || has == 0 {
				return err
			}
			var tables []string
			for _, m := range models.All() {
				stmt := &gorm.Statement{DB: tx}
				if err := stmt.Parse(m); err != nil {
					return err
				}
				tables = append(tables, stmt.Schema.Table)
			}
			return tx.Exec("DELETE FROM sqlite_sequence WHERE name IN ?", tables).Error
		}
		return nil
	})
	if err != nil || s.Dialect != MySQL {
		return err
	}
	// ALTER TABLE commits implicitly: after the transaction, on empty tables
	// (AUTO_INCREMENT = 1 moves the counter to the largest id + 1).
	for _, m := range models.All() {
		stmt := &gorm.Statement{DB: s.DB}
		if err := stmt.Parse(m); err != nil {
			return err
		}
		if stmt.Schema.PrioritizedPrimaryField == nil || !stmt.Schema.PrioritizedPrimaryField.AutoIncrement {
			continue
		}
		if err := s.DB.WithContext(ctx).Exec("ALTER TABLE " + stmt.Schema.Table + " AUTO_INCREMENT = 1").Error; err != nil {
			return fmt.Errorf("reset %s: %w", stmt.Schema.Table, err)
		}
	}
	return nil
}
