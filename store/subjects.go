package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"duban/rules"
)

// The hot read path of a tick. It scans rows with database/sql straight into
// the rule env's types — no gorm reflection — page by page on an index, so
// memory stays flat however many cases there are.

var caseColumns = map[string]string{
	"Status": "status", "Channel": "channel", "Category": "category", "AssignedUnit": "assigned_unit",
	"ReceptionLeader": "reception_leader", "PetitionerID": "petitioner_key",
	"Escalated": "escalated", "LawRelated": "law_related", "GroupSize": "group_size",
	"AcceptedAt": "accepted_at", "AssignedAt": "assigned_at", "DueAt": "due_at",
	"ExtendedDueAt": "extended_due_at", "ClosedAt": "closed_at", "ReturnVisitAt": "return_visit_at",
}

var slotColumns = map[string]string{
	"Leader": "leader", "Substitute": "substitute", "Location": "location", "LeaderAvailable": "leader_available",
}

// whereScopes renders the union of scopes (any may match) as SQL. An empty
// scope in the list, or no list, matches everything and gives "".
func whereScopes(scopes []rules.Scope, columns map[string]string) (string, []any, error) {
	if len(scopes) == 0 {
		return "", nil, nil
	}
	var alts []string
	var args []any
	seen := map[string]bool{}
	for _, sc := range scopes {
		if len(sc) == 0 {
			return "", nil, nil
		}
		var parts []string
		var partArgs []any
		for _, c := range sc {
			col, ok := columns[c.Field]
			if !ok {
				return "", nil, fmt.Errorf("scope: no column for field %s", c.Field)
			}
			switch c.Op {
			case "is null", "is not null":
				parts = append(parts, col+" "+strings.ToUpper(c.Op))
			case "in", "not in":
				if len(c.Values) == 0 {
					if c.Op == "in" {
						parts = append(parts, "1=0")
					}
					continue
				}
				parts = append(parts, fmt.Sprintf("%s %s (%s)", col, strings.ToUpper(c.Op), placeholders(len(c.Values))))
				partArgs = append(partArgs, c.Values...)
			case "=", "!=", "<", "<=", ">", ">=":
				op := c.Op
				if op == "!=" {
					op = "<>"
				}
				parts = append(parts, col+" "+op+" ?")
				partArgs = append(partArgs, c.Values[0])
			default:
				return "", nil, fmt.Errorf("scope: unknown operator %q", c.Op)
			}
		}
		alt := "(" + strings.Join(parts, " AND ") + ")"
		key := fmt.Sprint(alt, partArgs)
		if seen[key] {
			continue
		}
		seen[key] = true
		alts = append(alts, alt)
		args = append(args, partArgs...)
	}
	return "(" + strings.Join(alts, " OR ") + ")", args, nil
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

// caseSelect reads cases as rules see them. On SQLite the datetime columns
// are read as text and parsed by parseSQLiteTime, the tick's hottest cost.
func (s *Store) caseSelect() string {
	t := s.textTimes
	return `SELECT id, case_no, petitioner_key, petitioner_name, channel, category, group_size,
	` + t("received_at") + `, reception_leader, ` + t("accepted_at") + `, assigned_unit, ` + t("assigned_at") + `, ` +
		t("due_at") + `, ` + t("extended_due_at") + `, ` + t("closed_at") + `, ` + t("return_visit_at") + `,
	status, escalated, law_related FROM cases`
}

// textTimes reads a datetime column so that textTime can scan it.
func (s *Store) textTimes(col string) string {
	if s.Dialect == SQLite {
		return "CAST(" + col + " AS TEXT)"
	}
	return col
}

// caseRow scans one case row; its holders are reused between rows.
type caseRow struct {
	id                                                               int64
	received, accepted, assigned, due, extended, closed, returnVisit textTime
	petitionerKey, petitionerName, category, receptionLeader, unit   sql.NullString
}

func (r *caseRow) scan(rows *sql.Rows, c *rules.Case) error {
	err := rows.Scan(&r.id, &c.CaseNo, &r.petitionerKey, &r.petitionerName, &c.Channel, &r.category, &c.GroupSize,
		&r.received, &r.receptionLeader, &r.accepted, &r.unit, &r.assigned, &r.due, &r.extended,
		&r.closed, &r.returnVisit, &c.Status, &c.Escalated, &c.LawRelated)
	if err != nil {
		return err
	}
	c.ReceivedAt = r.received.Time
	c.PetitionerID, c.PetitionerName, c.Category = r.petitionerKey.String, r.petitionerName.String, r.category.String
	c.ReceptionLeader, c.AssignedUnit = r.receptionLeader.String, r.unit.String
	c.AcceptedAt, c.AssignedAt, c.DueAt = r.accepted.Time, r.assigned.Time, r.due.Time
	c.ExtendedDueAt, c.ClosedAt, c.ReturnVisitAt = r.extended.Time, r.closed.Time, r.returnVisit.Time
	c.Fill()
	return nil
}

// StreamCases calls fn with pages of the cases that match any of scopes, in
// id order. Each page is a new slice that fn may keep.
func (s *Store) StreamCases(ctx context.Context, scopes []rules.Scope, pageSize int, fn func([]rules.Case) error) error {
	where, args, err := whereScopes(scopes, caseColumns)
	if err != nil {
		return err
	}
	q := s.caseSelect() + " WHERE id > ?"
	if where != "" {
		q += " AND " + where
	}
	q += " ORDER BY id LIMIT ?"
	stmt, err := s.SQL.PrepareContext(ctx, q)
	if err != nil {
		return err
	}
	defer stmt.Close()
	var row caseRow
	last := int64(0)
	for {
		page := make([]rules.Case, pageSize)
		qargs := append(append([]any{last}, args...), pageSize)
		rows, err := stmt.QueryContext(ctx, qargs...)
		if err != nil {
			return err
		}
		n := 0
		for rows.Next() {
			page[n] = rules.Case{}
			if err := row.scan(rows, &page[n]); err != nil {
				rows.Close()
				return err
			}
			last = row.id
			n++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if n > 0 {
			if err := fn(page[:n]); err != nil {
				return err
			}
		}
		if n < pageSize {
			return nil
		}
	}
}

// CaseSubject loads one case as rules see it.
func (s *Store) CaseSubject(ctx context.Context, caseNo string) (*rules.Case, error) {
	rows, err := s.SQL.QueryContext(ctx, s.caseSelect()+" WHERE case_no = ?", caseNo)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("case %s: %w", caseNo, ErrNotFound)
	}
	var c rules.Case
	var row caseRow
	if err := row.scan(rows, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

func (s *Store) petitionerSelect() string {
	return `SELECT petitioner_key, petitioner_name, case_no, category, channel, status,
	assigned_unit, ` + s.textTimes("received_at") + `, escalated, group_size FROM cases`
}

// StreamPetitioners calls fn with pages of petitioners, each with their cases
// received at or after since (all when since is zero), oldest first. It reads
// the cases in one ordered pass on the (petitioner, received_at) index, never
// one query per petitioner. Petitioners with no case in the window are skipped.
func (s *Store) StreamPetitioners(ctx context.Context, since time.Time, pageSize int, fn func([]rules.Petitioner) error) error {
	q := s.petitionerSelect() + " WHERE petitioner_key > ? AND petitioner_key IS NOT NULL AND received_at >= ?" +
		" ORDER BY petitioner_key, received_at, id LIMIT ?"
	stmt, err := s.SQL.PrepareContext(ctx, q)
	if err != nil {
		return err
	}
	defer stmt.Close()
	// Cases of one petitioner can straddle two pages; rows are fetched in
	// pages of rowLimit and the last petitioner of a full page is read again
	// with the next page.
	rowLimit := pageSize * 4
	after := ""
	var out []rules.Petitioner
	for {
		ps, lastComplete, n, err := s.petitionerPage(ctx, stmt, after, utc(since), rowLimit)
		if err != nil {
			return err
		}
		full := n == rowLimit
		if full && len(ps) == 1 {
			// One petitioner fills a whole page: read them alone.
			p, err := s.onePetitioner(ctx, ps[0].ID, since)
			if err != nil {
				return err
			}
			ps, lastComplete = []rules.Petitioner{*p}, p.ID
		} else if full {
			ps = ps[:len(ps)-1]
			lastComplete = ps[len(ps)-1].ID
		}
		for _, p := range ps {
			out = append(out, p)
			if len(out) == pageSize {
				if err := fn(out); err != nil {
					return err
				}
				out = nil
			}
		}
		if !full {
			break
		}
		after = lastComplete
	}
	if len(out) > 0 {
		return fn(out)
	}
	return nil
}

func (s *Store) petitionerPage(ctx context.Context, stmt *sql.Stmt, after string, since time.Time, limit int) ([]rules.Petitioner, string, int, error) {
	rows, err := stmt.QueryContext(ctx, after, since, limit)
	if err != nil {
		return nil, "", 0, err
	}
	defer rows.Close()
	return scanPetitioners(rows)
}

func (s *Store) onePetitioner(ctx context.Context, key string, since time.Time) (*rules.Petitioner, error) {
	rows, err := s.SQL.QueryContext(ctx, s.petitionerSelect()+" WHERE petitioner_key = ? AND received_at >= ? ORDER BY received_at, id", key, utc(since))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ps, _, _, err := scanPetitioners(rows)
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, fmt.Errorf("petitioner %s: %w", key, ErrNotFound)
	}
	return &ps[0], nil
}

// PetitionerSubject loads one petitioner with the cases received since.
func (s *Store) PetitionerSubject(ctx context.Context, key string, since time.Time) (*rules.Petitioner, error) {
	return s.onePetitioner(ctx, key, since)
}

func scanPetitioners(rows *sql.Rows) ([]rules.Petitioner, string, int, error) {
	var out []rules.Petitioner
	var name, category, unit sql.NullString
	var received textTime
	n := 0
	for rows.Next() {
		var key string
		var c rules.CaseBrief
		if err := rows.Scan(&key, &name, &c.CaseNo, &category, &c.Channel, &c.Status, &unit,
			&received, &c.Escalated, &c.GroupSize); err != nil {
			return nil, "", 0, err
		}
		c.ReceivedAt = received.Time
		n++
		c.Category, c.AssignedUnit = category.String, unit.String
		c.Open = c.Status == "received" || c.Status == "accepted" || c.Status == "assigned"
		if len(out) == 0 || out[len(out)-1].ID != key {
			out = append(out, rules.Petitioner{ID: key})
		}
		p := &out[len(out)-1]
		if name.String != "" {
			p.Name = name.String
		}
		p.Cases = append(p.Cases, c)
	}
	if err := rows.Err(); err != nil {
		return nil, "", 0, err
	}
	for i := range out {
		out[i].Summarise()
	}
	last := ""
	if len(out) > 0 {
		last = out[len(out)-1].ID
	}
	return out, last, n, nil
}

const slotSelect = "SELECT id, date, leader, leader_available, substitute, location FROM reception_slots"

// StreamSlots calls fn with pages of reception slots matching any of scopes.
// Slot dates are civil dates; loc turns them into the start of that day.
func (s *Store) StreamSlots(ctx context.Context, scopes []rules.Scope, loc *time.Location, pageSize int, fn func([]rules.Slot) error) error {
	where, args, err := whereScopes(scopes, slotColumns)
	if err != nil {
		return err
	}
	q := slotSelect + " WHERE id > ?"
	if where != "" {
		q += " AND " + where
	}
	q += " ORDER BY id LIMIT ?"
	last := int64(0)
	for {
		rows, err := s.SQL.QueryContext(ctx, q, append(append([]any{last}, args...), pageSize)...)
		if err != nil {
			return err
		}
		page, lastID, err := scanSlots(rows, loc)
		rows.Close()
		if err != nil {
			return err
		}
		if len(page) > 0 {
			last = lastID
			if err := fn(page); err != nil {
				return err
			}
		}
		if len(page) < pageSize {
			return nil
		}
	}
}

// SlotSubject loads one slot by its key (date/leader).
func (s *Store) SlotSubject(ctx context.Context, key string, loc *time.Location) (*rules.Slot, error) {
	date, leader, ok := strings.Cut(key, "/")
	if !ok {
		return nil, fmt.Errorf("slot %q: want date/leader, as in 2026-03-10/王建国", key)
	}
	rows, err := s.SQL.QueryContext(ctx, slotSelect+" WHERE date = ? AND leader = ?", date, leader)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	page, _, err := scanSlots(rows, loc)
	if err != nil {
		return nil, err
	}
	if len(page) == 0 {
		return nil, fmt.Errorf("slot %s: %w", key, ErrNotFound)
	}
	return &page[0], nil
}

func scanSlots(rows *sql.Rows, loc *time.Location) ([]rules.Slot, int64, error) {
	var out []rules.Slot
	var id int64
	var substitute, location sql.NullString
	for rows.Next() {
		var sl rules.Slot
		var date string
		if err := rows.Scan(&id, &date, &sl.Leader, &sl.LeaderAvailable, &substitute, &location); err != nil {
			return nil, 0, err
		}
		d, err := time.ParseInLocation("2006-01-02", date, loc)
		if err != nil {
			return nil, 0, fmt.Errorf("reception slot %d: date %q: %w", id, date, err)
		}
		sl.Date, sl.Substitute, sl.Location = d, substitute.String, location.String
		sl.Key = date + "/" + sl.Leader
		out = append(out, sl)
	}
	return out, id, rows.Err()
}

// CaseScopeSQL renders the union of scopes as the WHERE clause the case pass
// uses ("" for every case), for tools that read the same rows another way.
func CaseScopeSQL(scopes []rules.Scope) (string, []any, error) {
	return whereScopes(scopes, caseColumns)
}
