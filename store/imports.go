package store

import (
	"context"
	"fmt"
	"strings"
	"time"

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
// updating cases whose case_no exists, and records in each case's timeline
// what changed.
func (s *Store) UpsertCases(ctx context.Context, cases []models.Case, petitioners []models.Petitioner) (ImportResult, error) {
	var res ImportResult
	now := s.now()
	for i := range cases {
		normaliseCase(&cases[i])
	}
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		existing := make(map[string]models.Case, len(cases))
		for start := 0; start < len(cases); start += 500 {
			chunk := cases[start:min(start+500, len(cases))]
			nos := make([]string, len(chunk))
			for i, c := range chunk {
				nos[i] = c.CaseNo
			}
			var found []models.Case
			if err := tx.Where("case_no IN ?", nos).Find(&found).Error; err != nil {
				return err
			}
			for _, c := range found {
				existing[c.CaseNo] = c
			}
		}
		var events []models.CaseEvent
		for i := range cases {
			c := &cases[i]
			old, ok := existing[c.CaseNo]
			if ok {
				res.Updated++
				events = append(events, caseChanges(&old, c, now)...)
			} else {
				res.Created++
				events = append(events, caseChanges(nil, c, now)...)
			}
		}
		if err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "case_no"}},
			DoUpdates: clause.AssignmentColumns(caseUpdateColumns)}).CreateInBatches(cases, 500).Error; err != nil {
			return fmt.Errorf("cases: %w", err)
		}
		if len(events) > 0 {
			if err := tx.CreateInBatches(events, 500).Error; err != nil {
				return fmt.Errorf("case events: %w", err)
			}
		}
		return upsertPetitioners(tx, petitioners)
	})
	return res, err
}

func normaliseCase(c *models.Case) {
	c.ReceivedAt = utc(c.ReceivedAt)
	c.AcceptedAt, c.AssignedAt, c.DueAt = utcPtr(c.AcceptedAt), utcPtr(c.AssignedAt), utcPtr(c.DueAt)
	c.ExtendedDueAt, c.ClosedAt, c.ReturnVisitAt = utcPtr(c.ExtendedDueAt), utcPtr(c.ClosedAt), utcPtr(c.ReturnVisitAt)
	if c.GroupSize < 1 {
		c.GroupSize = 1
	}
}

func upsertPetitioners(tx *gorm.DB, ps []models.Petitioner) error {
	if len(ps) == 0 {
		return nil
	}
	// Keep what is known: an import without a phone number does not erase one.
	existing := map[string]models.Petitioner{}
	for start := 0; start < len(ps); start += 500 {
		keys := make([]string, 0, 500)
		for _, p := range ps[start:min(start+500, len(ps))] {
			keys = append(keys, p.Key)
		}
		var found []models.Petitioner
		if err := tx.Where("petitioner_key IN ?", keys).Find(&found).Error; err != nil {
			return err
		}
		for _, p := range found {
			existing[p.Key] = p
		}
	}
	for i := range ps {
		if old, ok := existing[ps[i].Key]; ok {
			ps[i].Name = orElse(ps[i].Name, old.Name)
			ps[i].IDNumber = orElse(ps[i].IDNumber, old.IDNumber)
			ps[i].Phone = orElse(ps[i].Phone, old.Phone)
		}
	}
	return tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "petitioner_key"}},
		DoUpdates: clause.AssignmentColumns([]string{"name", "id_number", "phone", "updated_at"})}).
		CreateInBatches(ps, 500).Error
}

func orElse(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// caseChanges derives timeline events from what changed between old (nil
// for a new case) and c.
func caseChanges(old, c *models.Case, now time.Time) []models.CaseEvent {
	var out []models.CaseEvent
	add := func(kind string, at *time.Time, unit, detail string) {
		when := now
		if at != nil {
			when = *at
		}
		out = append(out, models.CaseEvent{CaseNo: c.CaseNo, Kind: kind, At: when, UnitCode: unit, Detail: detail, CreatedAt: now})
	}
	changed := func(a, b *time.Time) bool {
		if a == nil || b == nil {
			return (a == nil) != (b == nil)
		}
		return !a.Equal(*b)
	}
	var prev models.Case
	if old != nil {
		prev = *old
	} else {
		add("received", &c.ReceivedAt, "", fmt.Sprintf("channel=%s", c.Channel))
	}
	if changed(prev.AcceptedAt, c.AcceptedAt) && c.AcceptedAt != nil {
		add("accepted", c.AcceptedAt, "", "")
	}
	if (changed(prev.AssignedAt, c.AssignedAt) || prev.AssignedUnit != c.AssignedUnit) && c.AssignedAt != nil {
		detail := ""
		if c.DueAt != nil {
			detail = "due " + c.DueAt.Format(time.RFC3339)
		}
		add("assigned", c.AssignedAt, c.AssignedUnit, detail)
	} else if changed(prev.DueAt, c.DueAt) && c.DueAt != nil && old != nil {
		add("deadline", nil, c.AssignedUnit, "due "+c.DueAt.Format(time.RFC3339))
	}
	if changed(prev.ExtendedDueAt, c.ExtendedDueAt) && c.ExtendedDueAt != nil {
		add("extended", nil, c.AssignedUnit, "extended to "+c.ExtendedDueAt.Format(time.RFC3339))
	}
	if changed(prev.ClosedAt, c.ClosedAt) && c.ClosedAt != nil && c.Status == models.StatusClosed {
		add("closed", c.ClosedAt, c.AssignedUnit, "")
	}
	if c.Status == models.StatusRejected && prev.Status != models.StatusRejected {
		add("rejected", c.ClosedAt, "", "")
	}
	if changed(prev.ReturnVisitAt, c.ReturnVisitAt) && c.ReturnVisitAt != nil {
		add("return_visit", c.ReturnVisitAt, c.AssignedUnit, "")
	}
	if old != nil && len(out) == 0 {
		var fields []string
		if prev.Status != c.Status {
			fields = append(fields, "status "+prev.Status+"→"+c.Status)
		}
		if prev.Category != c.Category {
			fields = append(fields, "category")
		}
		if prev.Summary != c.Summary {
			fields = append(fields, "summary")
		}
		if prev.GroupSize != c.GroupSize || prev.Escalated != c.Escalated || prev.LawRelated != c.LawRelated {
			fields = append(fields, "flags")
		}
		if len(fields) > 0 {
			add("updated", nil, "", strings.Join(fields, ", "))
		}
	}
	return out
}
