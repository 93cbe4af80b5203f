package store

import (
	"context"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"duban/models"
)

// UnitCodes returns the code of every stored unit.
func (s *Store) UnitCodes(ctx context.Context) (map[string]bool, error) {
	var codes []string
	if err := s.DB.WithContext(ctx).Model(&models.Unit{}).Pluck("code", &codes).Error; err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(codes))
	for _, c := range codes {
		out[c] = true
	}
	return out, nil
}

// ImportResult counts what an import changed.
type ImportResult struct {
	Created int `json:"created"`
	Updated int `json:"updated"`
	// Unchanged counts rows of cases that exist and that they leave as stored.
	Unchanged int `json:"unchanged,omitempty"`
	// Encoding is the text encoding the file was read in (an importer's).
	Encoding string `json:"encoding,omitempty"`
	// Warnings are problems that did not stop the import, by line.
	Warnings []string `json:"warnings,omitempty"`
}

// UpsertUnits writes units, updating those whose code exists.
func (s *Store) UpsertUnits(ctx context.Context, units []models.Unit) (ImportResult, error) {
	var res ImportResult
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		existing, err := existingKeys(tx, &models.Unit{}, "code", unitCodes(units))
		if err != nil {
			return err
		}
		for _, u := range units {
			if existing[u.Code] {
				res.Updated++
			} else {
				res.Created++
			}
		}
		return tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "code"}},
			DoUpdates: clause.AssignmentColumns([]string{"name", "parent_code", "updated_at"})}).
			CreateInBatches(units, 500).Error
	})
	return res, err
}

func unitCodes(us []models.Unit) []string {
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = u.Code
	}
	return out
}

// existingKeys reports which of keys exist in column of model's table.
func existingKeys(tx *gorm.DB, model any, column string, keys []string) (map[string]bool, error) {
	out := map[string]bool{}
	for start := 0; start < len(keys); start += 500 {
		var found []string
		if err := tx.Model(model).Where(column+" IN ?", keys[start:min(start+500, len(keys))]).Pluck(column, &found).Error; err != nil {
			return nil, err
		}
		for _, k := range found {
			out[k] = true
		}
	}
	return out, nil
}

// UpsertSlots writes reception slots, updating those whose date and leader exist.
func (s *Store) UpsertSlots(ctx context.Context, slots []models.ReceptionSlot) (ImportResult, error) {
	var res ImportResult
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for i := range slots {
			var n int64
			if err := tx.Model(&models.ReceptionSlot{}).Where("date = ? AND leader = ?", slots[i].Date, slots[i].Leader).Count(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				res.Updated++
			} else {
				res.Created++
			}
		}
		return tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "date"}, {Name: "leader"}},
			DoUpdates: clause.AssignmentColumns([]string{"leader_available", "substitute", "location", "updated_at"})}).
			CreateInBatches(slots, 500).Error
	})
	return res, err
}

var caseUpdateColumns = []string{"petitioner_key", "petitioner_name", "channel", "category", "summary", "group_size",
	"received_at", "reception_leader", "accepted_at", "assigned_unit", "assigned_at", "due_at", "extended_due_at",
	"closed_at", "return_visit_at", "status", "escalated", "law_related", "updated_at"}

// UpsertCases writes cases and their petitioners in one transaction,
// updating cases whose case_no exists.
func (s *Store) UpsertCases(ctx context.Context, cases []models.Case, petitioners []models.Petitioner) (ImportResult, error) {
	w, err := s.BeginCaseImport(ctx)
	if err != nil {
		return ImportResult{}, err
	}
	for start := 0; start < len(cases); start += 2000 {
		if err := w.Write(ctx, cases[start:min(start+2000, len(cases))], nil); err != nil {
			w.Rollback()
			return ImportResult{}, err
		}
	}
	for _, p := range petitioners {
		w.pets[p.Key] = p
	}
	return w.Commit()
}

func normaliseCase(c *models.Case) {
	c.ReceivedAt = utc(c.ReceivedAt)
	c.AcceptedAt, c.AssignedAt, c.DueAt = utcPtr(c.AcceptedAt), utcPtr(c.AssignedAt), utcPtr(c.DueAt)
	c.ExtendedDueAt, c.ClosedAt, c.ReturnVisitAt = utcPtr(c.ExtendedDueAt), utcPtr(c.ClosedAt), utcPtr(c.ReturnVisitAt)
	if c.GroupSize < 1 {
		c.GroupSize = 1
	}
}
