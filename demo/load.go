package demo

import (
	"context"
	"fmt"

	"duban/store"
)

// SettingKey marks a database the demo built, so that it may rebuild it.
const SettingKey = "demo.seed"

// Load writes the county into the store.
func Load(ctx context.Context, s *store.Store, c *County, seed uint64) error {
	if _, err := s.UpsertUnits(ctx, c.Units); err != nil {
		return fmt.Errorf("demo units: %w", err)
	}
	if err := s.DB.WithContext(ctx).CreateInBatches(c.People, 200).Error; err != nil {
		return fmt.Errorf("demo people: %w", err)
	}
	if _, err := s.UpsertSlots(ctx, c.Slots); err != nil {
		return fmt.Errorf("demo roster: %w", err)
	}
	if _, err := s.UpsertCases(ctx, c.Cases, c.Pets); err != nil {
		return fmt.Errorf("demo cases: %w", err)
	}
	return s.SetSetting(ctx, SettingKey, fmt.Sprint(seed))
}
