// Package casework changes cases on people's behalf — registering one,
// correcting its fields, recording a step of its handling (accept, assign
// with a deadline, extend, close, return visit, note) — with exactly the
// checks an import makes (importer.ParseCases) and the timeline an import
// writes, each event naming who did it.
package casework

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"duban/clock"
	"duban/importer"
	"duban/keys"
	"duban/models"
	"duban/store"
)

// Event kinds people record.
const (
	Accept      = "accept"       // 受理
	Assign      = "assign"       // 交办, with a deadline
	Extend      = "extend"       // 延期 (approved)
	Reject      = "reject"       // 不予受理
	Close       = "close"        // 办结
	ReturnVisit = "return_visit" // 回访
	Note        = "note"         // 进展 (progress report)
)

// IntakeKinds are the steps the petition office takes (registering,
// accepting, handing over, approving extensions); HandlingKinds are those
// of the unit handling the case.
var (
	IntakeKinds   = []string{Accept, Assign, Extend, Reject}
	HandlingKinds = []string{Close, ReturnVisit, Note}
	Kinds         = append(slices.Clone(IntakeKinds), HandlingKinds...)
)

// Service changes cases.
type Service struct {
	Store    *store.Store
	Clock    clock.Clock
	Location *time.Location // reads times given without a zone
}

// FieldError is one problem with one field.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Invalid lists every problem with a change; nothing was written.
type Invalid struct{ Errors []FieldError }

func (e *Invalid) Error() string {
	parts := make([]string, len(e.Errors))
	for i, f := range e.Errors {
		if f.Field != "" {
			parts[i] = f.Field + ": " + f.Message
		} else {
			parts[i] = f.Message
		}
	}
	return strings.Join(parts, "; ")
}

func invalid(field, format string, args ...any) *Invalid {
	return &Invalid{Errors: []FieldError{{Field: field, Message: fmt.Sprintf(format, args...)}}}
}

// parse checks one case in the import format.
func (s *Service) parse(ctx context.Context, fields map[string]any) (*models.Case, *models.Petitioner, error) {
	units, err := s.Store.UnitCodes(ctx)
	if err != nil {
		return nil, nil, err
	}
	ci, errs := importer.ParseCases([]importer.Record{{Line: 1, Fields: fields}}, units, s.Location)
	if len(errs) > 0 {
		inv := &Invalid{}
		for _, e := range errs {
			inv.Errors = append(inv.Errors, FieldError{Field: e.Field, Message: e.Message})
		}
		return nil, nil, inv
	}
	c := ci.Cases[0]
	var p *models.Petitioner
	if len(ci.Petitioners) > 0 {
		p = &ci.Petitioners[0]
	}
	return &c, p, nil
}

// Create registers a new case given in the import format.
func (s *Service) Create(ctx context.Context, fields map[string]any, actor string) (*models.Case, error) {
	c, p, err := s.parse(ctx, fields)
	if err != nil {
		return nil, err
	}
	if err := s.Store.CreateCase(ctx, c, p, actor); err != nil {
		if errors.Is(err, store.ErrCaseExists) {
			return nil, invalid("case_no", "case %s already exists; change it with PATCH instead", c.CaseNo)
		}
		return nil, err
	}
	return s.Store.CaseByNo(ctx, c.CaseNo)
}

// Update corrects a case: patch holds the import-format fields to change
// (null clears one). The result is checked as a whole, as an import would
// check the row.
func (s *Service) Update(ctx context.Context, caseNo string, patch map[string]any, actor string) (*store.CaseChange, error) {
	for k := range patch {
		if !slices.Contains(importer.CaseFields, k) {
			return nil, invalid(k, "unknown field; the fields are %s", strings.Join(importer.CaseFields, ", "))
		}
	}
	if v, ok := patch["case_no"]; ok {
		if s, _ := v.(string); keyOr(keys.CaseNo, s) != caseNo {
			return nil, invalid("case_no", "a case's number cannot change")
		}
	}
	return s.change(ctx, caseNo, actor, func(fields map[string]any) (string, error) {
		for k, v := range patch {
			if v == nil {
				delete(fields, k)
			} else {
				fields[k] = v
			}
		}
		return "", nil
	})
}

// Event is one step of a case's handling.
type Event struct {
	Kind string `json:"kind"`
	// At is when it happened; empty means now.
	At *time.Time `json:"at,omitempty"`
	// Unit is the responsible unit (assign).
	Unit string `json:"unit,omitempty"`
	// DueAt is the deadline set when handing over (assign).
	DueAt *time.Time `json:"due_at,omitempty"`
	// ExtendedDueAt is the approved new deadline (extend).
	ExtendedDueAt *time.Time `json:"extended_due_at,omitempty"`
	Comment       string     `json:"comment,omitempty"`
}

// Apply records one step of a case's handling: the case's fields change as
// the step says, the result is checked as an import would check it, and the
// timeline gets the step, with the comment, as done by actor.
func (s *Service) Apply(ctx context.Context, caseNo string, ev Event, actor string) (*store.CaseChange, error) {
	if !slices.Contains(Kinds, ev.Kind) {
		return nil, invalid("kind", "%q is not one of %s", ev.Kind, strings.Join(Kinds, ", "))
	}
	now := s.Clock.Now()
	at := now
	if ev.At != nil && !ev.At.IsZero() {
		at = *ev.At
		if at.After(now.Add(5 * time.Minute)) {
			return nil, invalid("at", "%s is in the future; record a step once it has happened", at.In(s.Location).Format(time.RFC3339))
		}
	}
	comment := strings.TrimSpace(ev.Comment)
	if len([]rune(comment)) > 1000 {
		return nil, invalid("comment", "longer than 1000 characters")
	}
	stamp := at.In(s.Location).Format(time.RFC3339Nano)
	return s.change(ctx, caseNo, actor, func(f map[string]any) (string, error) {
		status, _ := f["status"].(string)
		open := slices.Contains(models.OpenStatuses, status)
		switch ev.Kind {
		case Accept:
			if status != models.StatusReceived {
				return "", invalid("kind", "case %s is %s; only a received case can be accepted", caseNo, statusName(status))
			}
			f["accepted_at"], f["status"] = stamp, models.StatusAccepted
		case Assign:
			if !open {
				return "", invalid("kind", "case %s is %s; only an open case can be handed over", caseNo, statusName(status))
			}
			if ev.Unit == "" {
				return "", invalid("unit", "name the responsible unit (its code)")
			}
			if ev.DueAt == nil || ev.DueAt.IsZero() {
				return "", invalid("due_at", "give the deadline the unit must finish by")
			}
			if !ev.DueAt.After(at) {
				return "", invalid("due_at", "the deadline must be after the handover")
			}
			if _, ok := f["accepted_at"]; !ok {
				f["accepted_at"] = stamp // handing over is forwarding (转送/交办): the case is taken in
			}
			f["assigned_unit"], f["assigned_at"], f["status"] = ev.Unit, stamp, models.StatusAssigned
			f["due_at"] = ev.DueAt.In(s.Location).Format(time.RFC3339Nano)
			delete(f, "extended_due_at")
		case Extend:
			if status != models.StatusAssigned {
				return "", invalid("kind", "case %s is %s; only a case handed to a unit can be extended", caseNo, statusName(status))
			}
			if ev.ExtendedDueAt == nil || ev.ExtendedDueAt.IsZero() {
				return "", invalid("extended_due_at", "give the approved new deadline")
			}
			if due, ok := f["due_at"].(string); ok {
				if d, err := time.Parse(time.RFC3339Nano, due); err == nil && !ev.ExtendedDueAt.After(d) {
					return "", invalid("extended_due_at", "the new deadline must be after the current one (%s)", d.In(s.Location).Format("2006-01-02"))
				}
			}
			f["extended_due_at"] = ev.ExtendedDueAt.In(s.Location).Format(time.RFC3339Nano)
		case Reject:
			if status != models.StatusReceived && status != models.StatusAccepted {
				return "", invalid("kind", "case %s is %s; only a case not yet handed over can be rejected", caseNo, statusName(status))
			}
			if comment == "" {
				return "", invalid("comment", "say why the case is not accepted")
			}
			f["closed_at"], f["status"] = stamp, models.StatusRejected
		case Close:
			if status != models.StatusAssigned && status != models.StatusAccepted {
				return "", invalid("kind", "case %s is %s; only a case being handled can be closed", caseNo, statusName(status))
			}
			f["closed_at"], f["status"] = stamp, models.StatusClosed
		case ReturnVisit:
			if status != models.StatusClosed {
				return "", invalid("kind", "case %s is %s; a return visit follows closing", caseNo, statusName(status))
			}
			f["return_visit_at"] = stamp
		case Note:
			if comment == "" {
				return "", invalid("comment", "a progress note needs its text")
			}
		}
		return comment, nil
	})
}

// change runs edit on the case's import-format fields inside the store's
// transaction, checks the result as an import would, and writes it.
func (s *Service) change(ctx context.Context, caseNo, actor string, edit func(fields map[string]any) (string, error)) (*store.CaseChange, error) {
	units, err := s.Store.UnitCodes(ctx)
	if err != nil {
		return nil, err
	}
	res, err := s.Store.ChangeCase(ctx, caseNo, actor, func(c *models.Case, p *models.Petitioner) (string, error) {
		fields := Fields(c, p, s.Location)
		note, err := edit(fields)
		if err != nil {
			return "", err
		}
		ci, errs := importer.ParseCases([]importer.Record{{Line: 1, Fields: fields}}, units, s.Location)
		if len(errs) > 0 {
			inv := &Invalid{}
			for _, e := range errs {
				inv.Errors = append(inv.Errors, FieldError{Field: e.Field, Message: e.Message})
			}
			return "", inv
		}
		id, created := c.ID, c.CreatedAt
		*c = ci.Cases[0]
		c.ID, c.CreatedAt = id, created
		if len(ci.Petitioners) > 0 {
			*p = ci.Petitioners[0]
		}
		return note, nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	return res, err
}

// Fields renders a case and its petitioner in the import format.
func Fields(c *models.Case, p *models.Petitioner, loc *time.Location) map[string]any {
	return importer.StoredFields(c, p, loc)
}

// keyOr is s normalised, or s itself when it is not a valid key.
func keyOr(normalise func(string) (string, error), s string) string {
	if k, err := normalise(s); err == nil {
		return k
	}
	return s
}

func statusName(s string) string {
	switch s {
	case models.StatusReceived:
		return "received (已登记)"
	case models.StatusAccepted:
		return "accepted (已受理)"
	case models.StatusAssigned:
		return "assigned (已交办)"
	case models.StatusClosed:
		return "closed (已办结)"
	case models.StatusRejected:
		return "rejected (不予受理)"
	}
	return s
}
