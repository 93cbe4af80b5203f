package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"duban/clock"
	"duban/engine"
	"duban/models"
	"duban/rules"
	"duban/store"
)

// HistoryDays is how many days before "now" the demo runs as daily ticks,
// so that the board, the trends and the ledgers have a past.
const HistoryDays = 14

// AsOf is the county's cases as they stood at t: those received by then,
// without the steps taken after it.
func (c *County) AsOf(t time.Time) []models.Case {
	var out []models.Case
	before := func(p *time.Time) *time.Time {
		if p != nil && !p.After(t) {
			return p
		}
		return nil
	}
	for _, cs := range c.Cases {
		if cs.ReceivedAt.After(t) {
			continue
		}
		cs.AcceptedAt, cs.AssignedAt, cs.ClosedAt, cs.ReturnVisitAt =
			before(cs.AcceptedAt), before(cs.AssignedAt), before(cs.ClosedAt), before(cs.ReturnVisitAt)
		switch {
		case cs.ClosedAt != nil:
		case cs.AssignedAt != nil:
			cs.Status = models.StatusAssigned
		case cs.AcceptedAt != nil:
			cs.Status, cs.AssignedUnit, cs.DueAt, cs.ExtendedDueAt = models.StatusAccepted, "", nil, nil
		default:
			cs.Status, cs.AssignedUnit, cs.DueAt, cs.ExtendedDueAt = models.StatusReceived, "", nil, nil
		}
		if cs.ClosedAt == nil && cs.AssignedAt == nil && cs.ExtendedDueAt != nil {
			cs.ExtendedDueAt = nil
		}
		out = append(out, cs)
	}
	return out
}

// History loads the county as it stood HistoryDays days before now and runs
// the rules at 08:00 of every day up to yesterday, loading each day's cases
// first; units acknowledge most notices the day they arrive and inspectors
// review most accountability records. It leaves the store's clock as it
// found it. The caller loads the cases as of now and ticks at now.
func History(ctx context.Context, s *store.Store, e *engine.Engine, rs *rules.RuleSet, c *County, now time.Time, seed uint64) error {
	rnd := rand.New(rand.NewPCG(seed, seed^0x5bd1e995))
	loc := rs.Location
	realClock := s.Clock
	unitNames := map[string]string{}
	for _, u := range c.Units {
		unitNames[u.Code] = u.Name
	}
	defer func() { s.Clock = realClock }()
	for back := HistoryDays; back >= 1; back-- {
		day := c.calDay(now, -back, loc)
		at := day.Add(8 * time.Hour)
		if _, err := s.UpsertCases(ctx, c.AsOf(at), c.Pets); err != nil {
			return fmt.Errorf("demo history %s: %w", day.Format(time.DateOnly), err)
		}
		if _, err := e.Tick(ctx, rs, at, engine.TickOptions{}); err != nil {
			return err
		}
		// The day's reactions, in office hours.
		s.Clock = clock.NewFixed(day.Add(10*time.Hour + time.Duration(rnd.IntN(300))*time.Minute))
		ns, err := s.ListNotices(ctx, store.NoticeFilter{Status: models.NoticeOpen, Since: at, Until: at.Add(time.Second), Limit: 10000})
		if err != nil {
			return err
		}
		for _, n := range ns {
			if rnd.IntN(10) < 6 {
				by := ackers[n.UnitCode]
				if by == "" {
					by = unitNames[n.UnitCode] + " 信访联络员"
				}
				if _, err := s.AckNotice(ctx, n.ID, by, ackComments[rnd.IntN(len(ackComments))]); err != nil {
					return fmt.Errorf("demo history: ack notice %d: %w", n.ID, err)
				}
			}
		}
		rs2, err := s.ListAccountability(ctx, store.AccountFilter{Kind: models.AccountRecord, Limit: 10000})
		if err != nil {
			return err
		}
		for _, r := range rs2 {
			if !r.CreatedAt.Equal(at) || rnd.IntN(3) == 0 {
				continue
			}
			decision, reason := "confirm", "经核查，超期属实，予以确认"
			if rnd.IntN(4) == 0 {
				decision, reason = "dismiss", "已批准延期，不予追责"
			}
			if _, err := s.AppendReview(ctx, r.Seq, decision, reason, "纪检组 刘芳"); err != nil {
				return fmt.Errorf("demo history: review %d: %w", r.Seq, err)
			}
		}
		s.Clock = realClock
	}
	return nil
}

// ackers acknowledge the notices addressed to groups rather than units.
var ackers = map[string]string{"信访局": "县信访局 受理科", "督查组": "督查组 张伟"}

var ackComments = []string{"已签收，正在办理", "已部署整改，按期办结", "已联系信访人，正在核实", "已签收"}

// calDay is 00:00 of the date n days from now, in loc.
func (c *County) calDay(now time.Time, n int, loc *time.Location) time.Time {
	d := now.In(loc).AddDate(0, 0, n)
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
}

// Standing is what each rule has standing after the history and the tick
// at now, to compare with what the demo planted: its notices not resolved,
// its flags, and its accountability records against cases still open (a
// case closed late was recorded while overdue; that record is history).
func Standing(ctx context.Context, s *store.Store, rs *rules.RuleSet) (map[string]*Expected, error) {
	out := map[string]*Expected{}
	for _, r := range rs.Rules {
		out[r.ID] = &Expected{}
	}
	type count struct {
		RuleID string
		N      int
	}
	db := s.DB.WithContext(ctx)
	var notices, flags, records []count
	if err := db.Model(&models.Notice{}).Select("rule_id, count(*) AS n").Where("status <> ?", models.NoticeResolved).
		Group("rule_id").Scan(&notices).Error; err != nil {
		return nil, err
	}
	if err := db.Model(&models.Flag{}).Select("rule_id, count(*) AS n").Group("rule_id").Scan(&flags).Error; err != nil {
		return nil, err
	}
	if err := db.Model(&models.AccountabilityRecord{}).Select("rule_id, count(*) AS n").
		Where("kind = ? AND case_no IN (?)", models.AccountRecord,
			db.Model(&models.Case{}).Select("case_no").Where("status IN ?", models.OpenStatuses)).
		Group("rule_id").Scan(&records).Error; err != nil {
		return nil, err
	}
	for _, set := range []struct {
		counts []count
		add    func(*Expected, int)
	}{
		{notices, func(e *Expected, n int) { e.Notices = n }},
		{flags, func(e *Expected, n int) { e.Flags = n }},
		{records, func(e *Expected, n int) { e.Accountability = n }},
	} {
		for _, c := range set.counts {
			if e := out[c.RuleID]; e != nil {
				set.add(e, c.N)
			}
		}
	}
	return out, nil
}
