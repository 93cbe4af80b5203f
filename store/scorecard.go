package store

import (
	"context"
	"database/sql"
	"sort"
	"time"

	"duban/calendar"
	"duban/models"
	"duban/rules"
)

// The unit scorecard (综合评价): per responsible unit and month, how many
// cases it was handed, how many it closed and how many of those on time, how
// many were overdue, how many were repeat petitions, and the notices and
// accountability records addressed to it. Deadlines are the rules' own
// (rules.DueDate), so the scorecard and the notices never disagree.

// Scorecard metrics, also the drill-down keys of ScorecardCases.
const (
	MetricAssigned = "assigned" // handed to the unit in the month (交办)
	MetricClosed   = "closed"   // closed in the month (办结)
	MetricOnTime   = "ontime"   // closed in the month by the deadline
	MetricLate     = "late"     // closed in the month after the deadline
	MetricOverdue  = "overdue"  // past the deadline at some point of the month and not closed by then (超期)
	MetricRepeat   = "repeat"   // handed over in the month and flagged as a repeat petition (重复访)
)

// ScoreOptions say how to reckon a scorecard.
type ScoreOptions struct {
	Calendar         *calendar.Calendar
	HandlingDays     int // the rules' handling_days (60)
	MaxExtensionDays int // the rules' max_extension_days (30)
	// Now bounds the current month: nothing after it has happened yet.
	Now time.Time
	// Units limits the scorecard to these units; nil means every unit.
	Units []string
}

// UnitScore is one unit's scorecard for one month.
type UnitScore struct {
	Unit           string         `json:"unit"`
	Month          string         `json:"month"` // 2026-03
	Assigned       int            `json:"assigned"`
	Closed         int            `json:"closed"`
	ClosedOnTime   int            `json:"closed_on_time"`
	OnTimeRate     *float64       `json:"on_time_rate"` // nil when nothing was closed
	Overdue        int            `json:"overdue"`
	Repeat         int            `json:"repeat"`
	RepeatRate     *float64       `json:"repeat_rate"` // nil when nothing was handed over
	Notices        int            `json:"notices"`
	NoticesByLevel map[string]int `json:"notices_by_level"`
	Accountability int            `json:"accountability"`
}

// MonthBounds returns the first instant of month (any instant in it) and of
// the month after, in loc.
func MonthBounds(month time.Time, loc *time.Location) (time.Time, time.Time) {
	m := month.In(loc)
	start := time.Date(m.Year(), m.Month(), 1, 0, 0, 0, 0, loc)
	return start, start.AddDate(0, 1, 0)
}

// Scorecard reckons every unit's scorecard for the month holding month.
// Units with nothing to show are left out.
func (s *Store) Scorecard(ctx context.Context, month time.Time, opts ScoreOptions) ([]UnitScore, error) {
	start, end := MonthBounds(month, opts.Calendar.Location())
	label := start.Format("2006-01")
	byUnit := map[string]*UnitScore{}
	get := func(unit string) *UnitScore {
		u := byUnit[unit]
		if u == nil {
			u = &UnitScore{Unit: unit, Month: label, NoticesByLevel: map[string]int{}}
			byUnit[unit] = u
		}
		return u
	}
	err := s.scoreCases(ctx, start, end, opts, func(unit, metric, _ string) {
		u := get(unit)
		switch metric {
		case MetricAssigned:
			u.Assigned++
		case MetricClosed:
			u.Closed++
		case MetricOnTime:
			u.ClosedOnTime++
		case MetricOverdue:
			u.Overdue++
		case MetricRepeat:
			u.Repeat++
		}
	})
	if err != nil {
		return nil, err
	}
	in := unitSet(opts.Units)
	rows, err := s.SQL.QueryContext(ctx, `SELECT unit_code, level, COUNT(*) FROM notices
		WHERE raised_at >= ? AND raised_at < ? GROUP BY unit_code, level`, utc(start), utc(end))
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var unit sql.NullString
		var level string
		var n int
		if err := rows.Scan(&unit, &level, &n); err != nil {
			rows.Close()
			return nil, err
		}
		if in != nil && !in[unit.String] {
			continue
		}
		u := get(unit.String)
		u.Notices += n
		u.NoticesByLevel[level] += n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = s.SQL.QueryContext(ctx, `SELECT unit_code, COUNT(*) FROM accountability_records
		WHERE kind = ? AND created_at >= ? AND created_at < ? GROUP BY unit_code`, models.AccountRecord, utc(start), utc(end))
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var unit sql.NullString
		var n int
		if err := rows.Scan(&unit, &n); err != nil {
			rows.Close()
			return nil, err
		}
		if in != nil && !in[unit.String] {
			continue
		}
		get(unit.String).Accountability += n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]UnitScore, 0, len(byUnit))
	for _, u := range byUnit {
		if u.Closed > 0 {
			r := float64(u.ClosedOnTime) / float64(u.Closed)
			u.OnTimeRate = &r
		}
		if u.Assigned > 0 {
			r := float64(u.Repeat) / float64(u.Assigned)
			u.RepeatRate = &r
		}
		out = append(out, *u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Unit < out[j].Unit })
	return out, nil
}

// ScorecardCases lists the case numbers behind one figure of one unit's
// scorecard: the drill-down from a number to its cases.
func (s *Store) ScorecardCases(ctx context.Context, month time.Time, unit, metric string, opts ScoreOptions) ([]string, error) {
	start, end := MonthBounds(month, opts.Calendar.Location())
	opts.Units = []string{unit}
	var out []string
	err := s.scoreCases(ctx, start, end, opts, func(u, m, caseNo string) {
		if u == unit && m == metric {
			out = append(out, caseNo)
		}
	})
	return out, err
}

func unitSet(units []string) map[string]bool {
	if units == nil {
		return nil
	}
	m := make(map[string]bool, len(units))
	for _, u := range units {
		m[u] = true
	}
	return m
}

// scoreCases reads, in one pass, the cases that can count in the month —
// handed over before it ended and not closed before it began — and reports
// each (unit, metric, case) they count for.
func (s *Store) scoreCases(ctx context.Context, start, end time.Time, opts ScoreOptions, count func(unit, metric, caseNo string)) error {
	cutoff := end
	if !opts.Now.IsZero() && opts.Now.Before(cutoff) {
		cutoff = opts.Now
	}
	q := `SELECT c.case_no, c.assigned_unit, c.status, c.received_at, c.accepted_at, c.assigned_at, c.due_at,
		c.extended_due_at, c.closed_at,
		EXISTS (SELECT 1 FROM flags f WHERE f.case_no = c.case_no AND f.label = ?)
		FROM cases c
		WHERE c.assigned_unit IS NOT NULL AND c.assigned_unit <> '' AND c.assigned_at < ?
		AND (c.closed_at IS NULL OR c.closed_at >= ?)`
	args := []any{models.FlagRepeat, utc(end), utc(start)}
	if opts.Units != nil {
		if len(opts.Units) == 0 {
			return nil
		}
		q += " AND c.assigned_unit IN (" + placeholders(len(opts.Units)) + ")"
		for _, u := range opts.Units {
			args = append(args, u)
		}
	}
	rows, err := s.SQL.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var accepted, assigned, due, extended, closed sql.NullTime
	for rows.Next() {
		var c rules.Case
		var repeat bool
		if err := rows.Scan(&c.CaseNo, &c.AssignedUnit, &c.Status, &c.ReceivedAt, &accepted, &assigned, &due,
			&extended, &closed, &repeat); err != nil {
			return err
		}
		c.AcceptedAt, c.AssignedAt, c.DueAt = accepted.Time, assigned.Time, due.Time
		c.ExtendedDueAt, c.ClosedAt = extended.Time, closed.Time
		c.Fill()
		unit := c.AssignedUnit
		if !c.AssignedAt.Before(start) {
			count(unit, MetricAssigned, c.CaseNo)
			if repeat {
				count(unit, MetricRepeat, c.CaseNo)
			}
		}
		deadline := rules.DueDate(opts.Calendar, &c, opts.HandlingDays, opts.MaxExtensionDays)
		closedIn := c.Status == models.StatusClosed && !c.ClosedAt.IsZero() && !c.ClosedAt.Before(start) && c.ClosedAt.Before(end)
		if closedIn {
			count(unit, MetricClosed, c.CaseNo)
			if deadline.IsZero() || !c.ClosedAt.After(deadline) {
				count(unit, MetricOnTime, c.CaseNo)
			} else {
				count(unit, MetricLate, c.CaseNo)
			}
		}
		// Overdue in the month: the deadline passed before the month (so
		// far) was over, and the case was still open after the deadline and
		// after the month began.
		if c.Status != models.StatusRejected && !deadline.IsZero() && deadline.Before(cutoff) &&
			(c.ClosedAt.IsZero() || (c.ClosedAt.After(deadline) && !c.ClosedAt.Before(start))) {
			count(unit, MetricOverdue, c.CaseNo)
		}
	}
	return rows.Err()
}
