package demo

import (
	"time"

	"duban/models"
)

// cases generates the case mix. Every special kind is placed well inside the
// interval where its rule fires (or does not), never on a boundary, so the
// expected counts hold whatever day "now" is.
func (g *generator) cases(total int) {
	scale := func(n int) int { return max(1, n*total/3000) }
	start := len(g.county.Cases)

	// Leader-reception cases not handed over after the next working day.
	for range scale(5) {
		g.leaderCase(g.office(g.cal.AddWorkdays(g.now, -2)))
		g.expect("handoff.next_day", func(e *Expected) { e.Notices++ })
	}
	// ... and after more than three working days: accountability too.
	for range scale(3) {
		g.leaderCase(g.office(g.cal.AddWorkdays(g.now, -5)))
		g.expect("handoff.next_day", func(e *Expected) { e.Notices++ })
		g.expect("handoff.accountability", func(e *Expected) { e.Accountability++ })
	}
	// Leader-reception cases received at the last reception: not late yet
	// (due by the end of the next working day).
	for range scale(3) {
		g.leaderCase(g.lastOffice(g.now.Add(-30 * time.Minute)))
	}

	// Received more than a month ago and neither accepted nor handed over.
	for range scale(12) {
		g.unaccepted(g.at(-30 - g.rnd.IntN(16)))
		g.expect("acceptance.overdue", func(e *Expected) { e.Notices++ })
	}
	// Received in the last few days, within the 15 days.
	for range scale(30) {
		g.unaccepted(g.at(-1 - g.rnd.IntN(5)))
	}

	// Due within the next four days: a warning each.
	for range scale(45) {
		g.open(g.cal.AddDays(g.now, g.rnd.IntN(5)))
		g.expect("deadline.warning", func(e *Expected) { e.Notices++ })
	}
	// The showcase: handed to 住建局, overdue since the last working day.
	show := g.open(g.cal.AddWorkdays(g.now, -1))
	show.CaseNo, show.AssignedUnit, show.Category = ShowcaseCaseNo, "zjj", "房屋质量"
	show.Summary = "反映小区房屋墙体开裂、渗水问题，请求协调维修。"
	g.expect("deadline.breach", func(e *Expected) { e.Notices++ })
	// Overdue by at most eight working days: a breach notice each.
	for range scale(60) {
		g.open(g.cal.AddWorkdays(g.now, -1-g.rnd.IntN(8)))
		g.expect("deadline.breach", func(e *Expected) { e.Notices++ })
	}
	// Overdue by more than twelve working days: breach and accountability.
	for range scale(25) {
		g.open(g.cal.AddWorkdays(g.now, -13-g.rnd.IntN(28)))
		g.expect("deadline.breach", func(e *Expected) { e.Notices++ })
		g.expect("deadline.accountability", func(e *Expected) { e.Accountability++ })
	}
	// Past the leader's deadline but within an approved extension.
	for range scale(10) {
		c := g.open(g.cal.AddDays(g.now, -5))
		c.ExtendedDueAt = ptr(g.cal.EndOfDay(g.cal.AddDays(g.now, 15)))
	}
	// Accepted, not yet handed to a unit: 60 days from acceptance, far off.
	for range scale(15) {
		c := g.base(g.at(-3 - g.rnd.IntN(28)))
		c.AssignedUnit = ""
		c.AcceptedAt = ptr(g.later(c.ReceivedAt, 22*time.Hour))
		c.Status = models.StatusAccepted
		g.add(c)
	}

	// Closed more than three weeks ago and nobody revisited.
	for range scale(40) {
		g.closed(g.at(-25-g.rnd.IntN(45)), false)
		g.expect("return_visit.missing", func(e *Expected) { e.Notices++ })
	}
	// Closed in the last week, revisit not due yet.
	for range scale(60) {
		g.closed(g.at(-1-g.rnd.IntN(7)), false)
	}
	// Rejected (不予受理).
	for range scale(40) {
		c := g.base(g.at(-20 - g.rnd.IntN(150)))
		c.AssignedUnit = ""
		c.ClosedAt = ptr(g.later(c.ReceivedAt, 72*time.Hour))
		c.Status = models.StatusRejected
		g.add(c)
	}

	g.repeatPetitioners(scale(12))

	// The rest: most closed and revisited, some open and on time.
	for len(g.county.Cases)-start < total {
		if g.rnd.IntN(4) == 0 {
			g.open(g.cal.AddDays(g.now, 8+g.rnd.IntN(50)))
		} else {
			g.closed(g.at(-9-g.rnd.IntN(170)), true)
		}
	}

	// Group and escalated petitions, on distinct cases.
	perm := g.rnd.Perm(len(g.county.Cases))
	next := 0
	pick := func() *models.Case { c := &g.county.Cases[perm[next]]; next++; return c }
	for range scale(20) {
		pick().GroupSize = 5 + g.rnd.IntN(36)
		g.expect("abnormal.group", func(e *Expected) { e.Flags++ })
	}
	for range scale(30) {
		pick().GroupSize = 2 + g.rnd.IntN(3)
	}
	for range scale(35) {
		pick().Escalated = true
		g.expect("abnormal.escalated", func(e *Expected) { e.Flags++ })
	}
	for range scale(25) {
		pick().LawRelated = true
	}
}

// leaderCase is a case received at a leader's reception day and not yet
// handed to any unit.
func (g *generator) leaderCase(received time.Time) *models.Case {
	c := g.base(received)
	c.Channel = "leader_reception"
	c.ReceptionLeader = leaders[g.rnd.IntN(len(leaders))].name
	c.AssignedUnit = ""
	c.Status = models.StatusReceived
	g.add(c)
	return &g.county.Cases[len(g.county.Cases)-1]
}

func (g *generator) unaccepted(received time.Time) {
	c := g.base(received)
	c.AssignedUnit = ""
	c.Status = models.StatusReceived
	g.add(c)
}

// open is a case handed to a unit with its deadline at the end of due's date;
// it was received about 60 days before that, and at least two days ago.
func (g *generator) open(due time.Time) *models.Case {
	received := g.office(g.cal.AddDays(due, -55-g.rnd.IntN(6)))
	if limit := g.at(-2); received.After(limit) {
		received = limit
	}
	c := g.base(received)
	if g.rnd.IntN(12) == 0 {
		c.Channel, c.ReceptionLeader = "leader_reception", leaders[g.rnd.IntN(len(leaders))].name
	}
	g.handled(&c, due)
	g.add(c)
	return &g.county.Cases[len(g.county.Cases)-1]
}

// closed is a case closed at closedAt, revisited a few days later if
// revisited. About one in eight was closed after its deadline (60 days from
// receipt), by up to three weeks: the scorecard's 按期办结率 is not 100 %.
func (g *generator) closed(closedAt time.Time, revisited bool) {
	received := g.office(g.cal.AddDays(closedAt, -10-g.rnd.IntN(45)))
	if g.rnd.IntN(8) == 0 {
		received = g.office(g.cal.AddDays(closedAt, -63-g.rnd.IntN(20)))
	}
	c := g.base(received)
	if g.rnd.IntN(12) == 0 {
		c.Channel, c.ReceptionLeader = "leader_reception", leaders[g.rnd.IntN(len(leaders))].name
	}
	g.handled(&c, g.cal.AddDays(received, 60))
	c.ClosedAt = ptr(closedAt)
	c.Status = models.StatusClosed
	if revisited {
		rv := g.later(closedAt, time.Duration(48+g.rnd.IntN(150))*time.Hour)
		c.ReturnVisitAt = ptr(rv)
	}
	g.add(c)
}

// repeatPetitioners adds petitioners who come back on the same matter: n of
// them three or four times within 80 days (重复访), and near misses that the
// rule must leave alone — a first visit outside the 90 days, or only twice.
func (g *generator) repeatPetitioners(n int) {
	series := func(days []int, flag bool) {
		p := g.newPetitioner()
		unit, cat := g.handler()
		for i, d := range days {
			received := g.at(-d)
			c := models.Case{PetitionerKey: p.Key, PetitionerName: p.Name, Channel: channels[g.rnd.IntN(len(channels))],
				Category: cat, ReceivedAt: received.UTC(), GroupSize: 1, AssignedUnit: unit,
				Summary: "再次反映" + cat + "问题，对前次处理结果不满意。"}
			if i == len(days)-1 {
				// the latest visit is being handled, on time
				g.handled(&c, g.cal.AddDays(g.now, 20+g.rnd.IntN(30)))
			} else {
				g.handled(&c, g.cal.AddDays(received, 60))
				closed := g.later(received, time.Duration(5*24+g.rnd.IntN(48))*time.Hour)
				c.ClosedAt, c.Status = ptr(closed), models.StatusClosed
				c.ReturnVisitAt = ptr(g.later(closed, 72*time.Hour))
			}
			g.add(c)
		}
		if flag {
			g.expect("abnormal.repeat", func(e *Expected) { e.Notices++; e.Flags += len(days) - 1 })
		}
	}
	for i := range n {
		if i%3 == 0 {
			series([]int{78, 50, 24, 3}, true)
		} else {
			series([]int{70 - g.rnd.IntN(10), 40 - g.rnd.IntN(10), 2 + g.rnd.IntN(5)}, true)
		}
	}
	for range max(1, n/2) {
		series([]int{100 + g.rnd.IntN(20), 40, 3}, false)
		series([]int{60, 3}, false)
	}
}
