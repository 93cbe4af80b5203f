package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"duban/models"
)

// Cases as people read and change them through the API and pages. A change
// records what an import would (changeEvents) and, because the row cannot say
// who did it, each milestone it sets (accepted, assigned, closed, ...) as an
// event with the person who made it.

// CaseByNo loads one case.
func (s *Store) CaseByNo(ctx context.Context, caseNo string) (*models.Case, error) {
	var c models.Case
	err := s.DB.WithContext(ctx).Where("case_no = ?", caseNo).Take(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("case %s: %w", caseNo, ErrNotFound)
	}
	return &c, err
}

// PetitionerByKey loads a petitioner; a case without one gives ErrNotFound.
func (s *Store) PetitionerByKey(ctx context.Context, key string) (*models.Petitioner, error) {
	var p models.Petitioner
	err := s.DB.WithContext(ctx).Where("petitioner_key = ?", key).Take(&p).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("petitioner %s: %w", key, ErrNotFound)
	}
	return &p, err
}

// CaseEvents returns a case's timeline, oldest first (see CaseTimeline).
func (s *Store) CaseEvents(ctx context.Context, caseNo string) ([]models.CaseEvent, error) {
	return s.CaseTimeline(ctx, caseNo)
}

// CaseFilter selects cases, newest first after the keyset cursor Before (an
// id). Scope, when not nil, is the set of units the reader may see: a case
// is in it when assigned to one of them, or when it is not assigned yet and
// a notice about it is addressed to one of them. Zero fields do not filter.
type CaseFilter struct {
	Scope   []string
	Unit    string
	Status  string
	Open    bool
	CaseNo  string // exact case number
	CaseNos []string
	Label   string // flagged with this label
	Before  uint64
	Limit   int
}

// scopeWhere renders a reader's scope over the cases table (aliased c).
func scopeWhere(units []string) (string, []any) {
	if len(units) == 0 {
		return "1=0", nil
	}
	return "(c.assigned_unit IN ? OR ((c.assigned_unit IS NULL OR c.assigned_unit = '') AND c.case_no IN " +
		"(SELECT n.case_no FROM notices n WHERE n.unit_code IN ? AND n.case_no IS NOT NULL)))", []any{units, units}
}

// ListCases returns cases matching f.
func (s *Store) ListCases(ctx context.Context, f CaseFilter) ([]models.Case, error) {
	q := s.DB.WithContext(ctx).Table("cases AS c").Select("c.*")
	if f.Scope != nil {
		w, args := scopeWhere(f.Scope)
		q = q.Where(w, args...)
	}
	if f.Unit != "" {
		q = q.Where("c.assigned_unit = ?", f.Unit)
	}
	if f.Status != "" {
		q = q.Where("c.status = ?", f.Status)
	}
	if f.Open {
		q = q.Where("c.status IN ?", models.OpenStatuses)
	}
	if f.CaseNo != "" {
		q = q.Where("c.case_no = ?", f.CaseNo)
	}
	if f.CaseNos != nil {
		if len(f.CaseNos) == 0 {
			return nil, nil
		}
		q = q.Where("c.case_no IN ?", f.CaseNos)
	}
	if f.Label != "" {
		q = q.Where("c.case_no IN (SELECT fl.case_no FROM flags fl WHERE fl.label = ?)", f.Label)
	}
	if f.Before > 0 {
		q = q.Where("c.id < ?", f.Before)
	}
	var out []models.Case
	err := q.Order("c.id DESC").Limit(limit(f.Limit)).Find(&out).Error
	return out, err
}

// CaseInScope reports whether a reader with the given units may see the case.
func (s *Store) CaseInScope(ctx context.Context, caseNo string, units []string) (bool, error) {
	w, args := scopeWhere(units)
	var n int64
	err := s.DB.WithContext(ctx).Table("cases AS c").Where("c.case_no = ?", caseNo).Where(w, args...).Count(&n).Error
	return n > 0, err
}

// ErrCaseExists is returned when creating a case whose number is taken.
var ErrCaseExists = errors.New("case already exists")

// CreateCase stores a new case and its petitioner, with the timeline an
// import would give it, each event recorded as done by actor.
func (s *Store) CreateCase(ctx context.Context, c *models.Case, p *models.Petitioner, actor string) error {
	normaliseCase(c)
	now := s.now()
	return s.transact(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&models.Case{}).Where("case_no = ?", c.CaseNo).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("case %s: %w", c.CaseNo, ErrCaseExists)
		}
		c.ID = 0
		if err := tx.Create(c).Error; err != nil {
			if isDuplicateKey(err) {
				return fmt.Errorf("case %s: %w", c.CaseNo, ErrCaseExists)
			}
			return err
		}
		// Its receipt, with who registered it (the row cannot say).
		ev := models.CaseEvent{CaseNo: c.CaseNo, Kind: "received", At: c.ReceivedAt, Actor: actor,
			Detail: "channel=" + c.Channel, CreatedAt: now}
		if err := tx.Create(&ev).Error; err != nil {
			return fmt.Errorf("case events: %w", err)
		}
		if p != nil && p.Key != "" {
			return savePetitioner(tx, p, now)
		}
		return nil
	})
}

// CaseChange is what a person's change to a case did, for the caller's answer.
type CaseChange struct {
	Case   models.Case
	Events []models.CaseEvent
}

// ChangeCase applies change to the stored case and its petitioner inside
// one transaction (the row locked on MySQL; SQLite takes the write lock at
// BEGIN), derives the timeline events from what changed, as an import would,
// and records actor on them. note, when change returns one, is added to the
// events' detail, or is an event of its own (kind "note") when nothing else
// changed. A change that alters nothing and has no note writes nothing.
func (s *Store) ChangeCase(ctx context.Context, caseNo, actor string,
	change func(c *models.Case, p *models.Petitioner) (note string, err error)) (*CaseChange, error) {
	var out *CaseChange
	err := s.transact(ctx, func(tx *gorm.DB) error {
		q := tx.Where("case_no = ?", caseNo)
		if s.Dialect == MySQL {
			q = q.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		var old models.Case
		if err := q.Take(&old).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return fmt.Errorf("case %s: %w", caseNo, ErrNotFound)
			}
			return err
		}
		var pet models.Petitioner
		if old.PetitionerKey != "" {
			if err := tx.Where("petitioner_key = ?", old.PetitionerKey).Take(&pet).Error; err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
				return err
			}
		}
		oldPet := pet
		c := old
		note, err := change(&c, &pet)
		if err != nil {
			return err
		}
		if c.CaseNo != old.CaseNo || c.ID != old.ID {
			return fmt.Errorf("%w: a case's number cannot change", ErrInvalid)
		}
		normaliseCase(&c)
		now := s.now()
		events := append(milestoneEvents(&old, &c, now), changeEvents(&old, &c, now)...)
		note = strings.TrimSpace(note)
		if note != "" {
			if len(events) == 0 {
				events = append(events, models.CaseEvent{CaseNo: c.CaseNo, Kind: "note", At: utc(now), UnitCode: c.AssignedUnit, CreatedAt: now})
			}
			for i := range events {
				events[i].Detail = strings.TrimSpace(strings.TrimSpace(events[i].Detail) + " " + note)
			}
		}
		petChanged := pet.Key != "" && (pet.Key != oldPet.Key || pet.Name != oldPet.Name || pet.IDNumber != oldPet.IDNumber || pet.Phone != oldPet.Phone)
		if len(events) == 0 && !petChanged {
			out = &CaseChange{Case: old}
			return nil
		}
		for i := range events {
			events[i].Actor = actor
		}
		c.UpdatedAt = utc(now)
		if err := tx.Model(&models.Case{}).Where("id = ?", c.ID).Select(caseUpdateColumns).Updates(&c).Error; err != nil {
			return fmt.Errorf("case %s: %w", caseNo, err)
		}
		if len(events) > 0 {
			if err := tx.Create(&events).Error; err != nil {
				return fmt.Errorf("case events: %w", err)
			}
		}
		if petChanged {
			if err := savePetitioner(tx, &pet, now); err != nil {
				return err
			}
		}
		if old.PetitionerKey != "" && old.PetitionerKey != c.PetitionerKey {
			// The petitioner the case leaves changed too (see CaseWriter.Write).
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&models.PendingCheck{
				SubjectKind: models.SubjectPetitioner, SubjectKey: old.PetitionerKey, At: utc(now)}).Error; err != nil {
				return err
			}
		}
		out = &CaseChange{Case: c, Events: events}
		return nil
	})
	return out, err
}

// ListUnits returns every unit, by code.
func (s *Store) ListUnits(ctx context.Context) ([]models.Unit, error) {
	var out []models.Unit
	err := s.DB.WithContext(ctx).Order("code").Find(&out).Error
	return out, err
}

// UnitAndBelow returns code and the codes of every unit under it, from a
// list of all units (ListUnits). An unknown code gives just itself.
func UnitAndBelow(units []models.Unit, code string) []string {
	children := map[string][]string{}
	for _, u := range units {
		if u.ParentCode != "" {
			children[u.ParentCode] = append(children[u.ParentCode], u.Code)
		}
	}
	out := []string{code}
	seen := map[string]bool{code: true}
	for i := 0; i < len(out); i++ {
		for _, c := range children[out[i]] {
			if !seen[c] {
				seen[c] = true
				out = append(out, c)
			}
		}
	}
	return out
}

// FlagsOfCase returns a case's flags, oldest first.
func (s *Store) FlagsOfCase(ctx context.Context, caseNo string) ([]models.Flag, error) {
	var out []models.Flag
	err := s.DB.WithContext(ctx).Where("case_no = ?", caseNo).Order("set_at, id").Find(&out).Error
	return out, err
}

// ListFlagsInScope is ListFlags limited to the cases a reader with the given
// units may see (see CaseFilter.Scope).
func (s *Store) ListFlagsInScope(ctx context.Context, f FlagFilter, units []string) ([]models.Flag, error) {
	w, args := scopeWhere(units)
	q := s.DB.WithContext(ctx).Table("flags AS f").Select("f.*").
		Where("f.case_no IN (SELECT c.case_no FROM cases c WHERE "+w+")", args...)
	if f.Label != "" {
		q = q.Where("f.label = ?", f.Label)
	}
	if f.CaseNo != "" {
		q = q.Where("f.case_no = ?", f.CaseNo)
	}
	if f.Before > 0 {
		q = q.Where("f.id < ?", f.Before)
	}
	var out []models.Flag
	err := q.Order("f.id DESC").Limit(limit(f.Limit)).Find(&out).Error
	return out, err
}

// savePetitioner writes what a person entered about a petitioner.
func savePetitioner(tx *gorm.DB, p *models.Petitioner, now time.Time) error {
	p.UpdatedAt = utc(now)
	if p.CreatedAt.IsZero() {
		p.CreatedAt = utc(now)
	}
	return tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "petitioner_key"}},
		DoUpdates: clause.AssignmentColumns([]string{"name", "id_number", "phone", "updated_at"})}).Create(p).Error
}
