package importer

import (
	"context"
	"duban/keys"
	"slices"
	"time"

	"duban/models"
	"duban/store"
)

// StoredFields renders a stored case and its petitioner in the import
// format: what a row of a file would say to leave the case as it is.
func StoredFields(c *models.Case, p *models.Petitioner, loc *time.Location) map[string]any {
	f := map[string]any{
		"case_no": c.CaseNo, "channel": c.Channel, "status": c.Status, "group_size": c.GroupSize,
		"received_at": c.ReceivedAt.In(loc).Format(time.RFC3339Nano), "escalated": c.Escalated, "law_related": c.LawRelated,
	}
	set := func(k, v string) {
		if v != "" {
			f[k] = v
		}
	}
	set("petitioner_id", c.PetitionerKey)
	set("petitioner_name", c.PetitionerName)
	set("category", c.Category)
	set("summary", c.Summary)
	set("reception_leader", c.ReceptionLeader)
	set("assigned_unit", c.AssignedUnit)
	if p != nil && p.Key == c.PetitionerKey {
		set("petitioner_id_number", p.IDNumber)
		set("petitioner_phone", p.Phone)
	}
	for k, t := range map[string]*time.Time{"accepted_at": c.AcceptedAt, "assigned_at": c.AssignedAt, "due_at": c.DueAt,
		"extended_due_at": c.ExtendedDueAt, "closed_at": c.ClosedAt, "return_visit_at": c.ReturnVisitAt} {
		if t != nil && !t.IsZero() {
			f[k] = t.In(loc).Format(time.RFC3339Nano)
		}
	}
	return f
}

// mergeStored lays each record of a case that exists over the stored case:
// a field the record leaves out (a column the file does not have, an empty
// cell) keeps its stored value, so a partial row changes only what it
// names; a JSON null clears it, as in the API's PATCH. A row that moves a closed or rejected case back to an open
// status is refused unless the import allows reopening. It returns the
// records to check, the problems found, and the updated_at of each stored
// case merged, for the writer to see that none changed in between.
func mergeStored(ctx context.Context, w *store.CaseWriter, recs []Record, opts Options) ([]Record, []*RowError, map[string]time.Time, error) {
	var nos []string
	for _, rec := range recs {
		if no := caseKey(rec); no != "" {
			nos = append(nos, no)
		}
	}
	cases, pets, err := w.Stored(ctx, nos)
	if err != nil {
		return nil, nil, nil, err
	}
	stored := make(map[string]time.Time, len(cases))
	var errs []*RowError
	out := make([]Record, len(recs))
	for i, rec := range recs {
		out[i] = rec
		no := caseKey(rec)
		c, ok := cases[no]
		if !ok {
			continue
		}
		stored[no] = c.UpdatedAt.UTC()
		var p *models.Petitioner
		if q, ok := pets[c.PetitionerKey]; ok {
			p = &q
		}
		f := StoredFields(&c, p, opts.Location)
		for k, v := range rec.Fields {
			if v == nil {
				delete(f, k) // JSON null: the file says the field is empty
			} else {
				f[k] = v
			}
		}
		status, _ := stringValue(f["status"])
		if (c.Status == models.StatusClosed || c.Status == models.StatusRejected) && slices.Contains(models.OpenStatuses, status) {
			if !opts.AllowReopen {
				errs = append(errs, &RowError{Line: rec.Line, Field: "status", Message: "case " + no + " is " + c.Status +
					"; the row moves it back to " + status + ", which would reopen it: refused (import with --allow-reopen to reopen it)"})
				continue
			}
			// Reopening clears the closing: a reopened case is not closed.
			if _, given := rec.Fields["closed_at"]; !given {
				delete(f, "closed_at")
			}
		}
		// The petitioner's number and phone are not the case's row: name
		// their change on the case's event.
		if key, _ := stringValue(f["petitioner_id"]); normalisedOr(keys.Petitioner, key) == c.PetitionerKey {
			var was models.Petitioner
			if p != nil {
				was = *p
			}
			for _, pf := range []struct{ field, was string }{{"petitioner_id_number", was.IDNumber}, {"petitioner_phone", was.Phone}} {
				if v, ok := stringValue(rec.Fields[pf.field]); ok && v != "" && v != pf.was {
					w.NoteChange(no, pf.field)
				}
			}
		}
		out[i] = Record{Line: rec.Line, Fields: f}
	}
	return out, errs, stored, nil
}

// caseKey is the row's case number as the store keys it (keys.CaseNo), so
// that a look-alike of a stored number (full-width, padded) finds its case.
// A number that is no key stays as written; the checks refuse it.
func caseKey(rec Record) string {
	no, _ := stringValue(rec.Fields["case_no"])
	return normalisedOr(keys.CaseNo, no)
}

// normalisedOr is v normalised, or v itself when it is no valid key.
func normalisedOr(normalise func(string) (string, error), v string) string {
	if k, err := normalise(v); err == nil {
		return k
	}
	return v
}
