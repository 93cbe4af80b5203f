// Package bench builds a synthetic province deterministically and measures
// duban against it: a full tick against the floor of plainly reading the same
// rows and against the same rules written as hand-made SQL, a steady-state
// tick, import throughput and notice-list latency.
package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"duban/calendar"
	"duban/store"
)

// Size is how big the province is.
type Size struct {
	Cases       int
	Open        int
	Petitioners int
	Units       int
	Seed        uint64
}

// Province is the full-size benchmark: a provincial petition system.
var Province = Size{Cases: 3_000_000, Open: 1_000_000, Petitioners: 300_000, Units: 2_000, Seed: 1}

// Scaled returns the province shrunk to n cases, keeping its proportions.
func Scaled(n int) Size {
	f := float64(n) / float64(Province.Cases)
	return Size{Cases: n, Open: int(float64(Province.Open) * f), Petitioners: max(100, int(float64(Province.Petitioners)*f)),
		Units: max(40, int(float64(Province.Units)*f)), Seed: 1}
}

func (z Size) String() string {
	return fmt.Sprintf("%d cases (%d open), %d petitioners, %d units", z.Cases, z.Open, z.Petitioners, z.Units)
}

var categories = []string{"征地拆迁", "劳资纠纷", "社会保障", "房屋质量", "城乡建设", "环境污染", "医疗卫生", "教育",
	"涉法涉诉", "农村土地", "交通出行", "市场监管", "物业管理", "邻里纠纷", "民政救助"}

var caseCols = []string{"case_no", "petitioner_key", "petitioner_name", "channel", "category", "summary", "group_size",
	"received_at", "reception_leader", "accepted_at", "assigned_unit", "assigned_at", "due_at", "extended_due_at",
	"closed_at", "return_visit_at", "status", "escalated", "law_related", "created_at", "updated_at"}

// Generate writes the province into an empty store. now anchors every date.
func Generate(ctx context.Context, s *store.Store, cal *calendar.Calendar, z Size, now time.Time) error {
	rnd := rand.New(rand.NewPCG(z.Seed, 0xd1b54a32d192ed03))
	now = now.UTC().Truncate(time.Second)
	day := 24 * time.Hour
	// The rows were written before today: a tick at now finds nothing "just changed".
	written := now.Add(-day)

	// Units: a province, its cities and counties, and departments below them.
	type unit struct{ code, name, parent string }
	units := []unit{{"sheng", "省信访局", ""}}
	var counties []string
	for c := 0; len(units) < z.Units; c++ {
		city := fmt.Sprintf("c%02d", c)
		units = append(units, unit{city, fmt.Sprintf("第%d市信访局", c+1), "sheng"})
		for k := 0; k < 10 && len(units) < z.Units; k++ {
			county := fmt.Sprintf("%s-x%d", city, k)
			counties = append(counties, county)
			units = append(units, unit{county, fmt.Sprintf("第%d市第%d县", c+1, k+1), city})
			for d := 0; d < 11 && len(units) < z.Units; d++ {
				units = append(units, unit{fmt.Sprintf("%s-d%d", county, d), fmt.Sprintf("第%d市第%d县第%d局", c+1, k+1, d+1), county})
			}
		}
	}
	if err := bulkInsert(ctx, s.SQL, "units", []string{"code", "name", "parent_code", "created_at", "updated_at"}, len(units),
		func(i int, v []any) {
			v[0], v[1], v[2], v[3], v[4] = units[i].code, units[i].name, units[i].parent, now, now
		}); err != nil {
		return err
	}
	if err := bulkInsert(ctx, s.SQL, "petitioners", []string{"petitioner_key", "name", "id_number", "phone", "created_at", "updated_at"}, z.Petitioners,
		func(i int, v []any) {
			v[0], v[1] = fmt.Sprintf("P%07d", i), fmt.Sprintf("信访人%d", i)
			v[2], v[3], v[4], v[5] = fmt.Sprintf("41010219800101%04d", i%10000), fmt.Sprintf("138%08d", i), written, written
		}); err != nil {
		return err
	}

	openLeft := z.Open
	err := bulkInsert(ctx, s.SQL, "cases", caseCols, z.Cases, func(i int, v []any) {
		// Cases arrive over three years, oldest first; open ones are the
		// last two years' unfinished work.
		age := time.Duration(float64(3*365*day) * (1 - float64(i)/float64(z.Cases)))
		received := now.Add(-age - time.Duration(rnd.IntN(3600))*time.Second)
		// Of the last two years' cases, pick the open ones evenly so that
		// exactly z.Open end up open.
		open := i >= z.Cases/3 && openLeft > 0 && rnd.IntN(z.Cases-i) < openLeft
		unitIdx := 1 + rnd.IntN(len(units)-1)
		pet := rnd.IntN(z.Petitioners)
		channel := "online"
		switch r := rnd.IntN(100); {
		case r < 5:
			channel = "leader_reception"
		case r < 35:
			channel = "visit"
		case r < 55:
			channel = "letter"
		case r < 65:
			channel = "phone"
		}
		leader := ""
		if channel == "leader_reception" {
			leader = fmt.Sprintf("领导%d", rnd.IntN(8))
		}
		group := 1
		switch r := rnd.IntN(1000); {
		case r < 5:
			group = 5 + rnd.IntN(40)
		case r < 25:
			group = 2 + rnd.IntN(3)
		}
		var accepted, assigned, due, extended, closed, revisited any
		status, unitCode := "assigned", units[unitIdx].code
		if open {
			openLeft--
			// Where the deadline stands decides what the rules raise: 3%
			// overdue, 4% within the warning window, the rest well ahead.
			var until time.Duration
			switch r := rnd.IntN(100); {
			case r < 3:
				until = -time.Duration(1+rnd.IntN(60)) * day
			case r < 7:
				until = time.Duration(rnd.IntN(6)) * day
			default:
				until = time.Duration(6+rnd.IntN(200)) * day
			}
			dueAt := now.Add(until).Truncate(day).Add(16*time.Hour - time.Second)
			if received.After(dueAt.Add(-30 * day)) {
				received = dueAt.Add(-60 * day)
			}
			switch r := rnd.IntN(100); {
			case r < 3:
				status, unitCode = "received", ""
				if rnd.IntN(3) > 0 {
					received = now.Add(-time.Duration(rnd.IntN(14*24)) * time.Hour) // still within the 15 days
				}
			case r < 10:
				status, unitCode = "accepted", ""
				accepted = received.Add(day)
				if rnd.IntN(20) > 0 {
					received = now.Add(-time.Duration(1+rnd.IntN(40)) * day)
					accepted = received.Add(day)
				}
			default:
				accepted, assigned, due = received.Add(day), received.Add(day+time.Hour), dueAt
				if rnd.IntN(50) == 0 {
					extended = dueAt.Add(time.Duration(5+rnd.IntN(25)) * day)
				}
			}
		} else {
			accepted, assigned, due = received.Add(day), received.Add(day+time.Hour), received.Add(60*day)
			c := received.Add(time.Duration(10+rnd.IntN(50)) * day)
			if c.After(now.Add(-day)) {
				c = now.Add(-day)
			}
			closed, status = c, "closed"
			if rnd.IntN(200) > 0 {
				revisited = c.Add(time.Duration(1+rnd.IntN(10)) * day)
				if revisited.(time.Time).After(now) {
					revisited = now.Add(-time.Hour)
				}
			}
			if rnd.IntN(20) == 0 {
				status, unitCode, accepted, assigned, due, revisited = "rejected", "", nil, nil, nil, nil
			}
		}
		v[0], v[1], v[2], v[3] = fmt.Sprintf("XF%08d", i+1), fmt.Sprintf("P%07d", pet), fmt.Sprintf("信访人%d", pet), channel
		v[4], v[5], v[6], v[7] = categories[rnd.IntN(len(categories))], "", group, received
		v[8], v[9], v[10], v[11] = leader, accepted, unitCode, assigned
		v[12], v[13], v[14], v[15] = due, extended, closed, revisited
		v[16], v[17], v[18], v[19], v[20] = status, rnd.IntN(100) == 0, rnd.IntN(50) == 0, written, written
	})
	if err != nil {
		return err
	}

	// A year of reception days in every county: two leaders a day, one in a
	// hundred away, most of those with a substitute.
	type slot struct {
		date, leader, substitute string
		available                bool
	}
	var slots []slot
	for _, county := range counties {
		for d := -300; d <= 65; d++ {
			t := now.Add(time.Duration(d) * day)
			if !cal.IsWorkday(t) {
				continue
			}
			for k := 0; k < 2; k++ {
				sl := slot{date: t.In(cal.Location()).Format("2006-01-02"), leader: fmt.Sprintf("%s-领导%d", county, (d+k)%8+8), available: true}
				if rnd.IntN(100) == 0 {
					sl.available = false
					if rnd.IntN(3) > 0 {
						sl.substitute = fmt.Sprintf("%s-领导%d", county, (d+k+4)%8+8)
					}
				}
				slots = append(slots, sl)
			}
		}
	}
	return bulkInsert(ctx, s.SQL, "reception_slots", []string{"date", "leader", "leader_available", "substitute", "location", "created_at", "updated_at"}, len(slots),
		func(i int, v []any) {
			sl := slots[i]
			v[0], v[1], v[2], v[3], v[4], v[5], v[6] = sl.date, sl.leader, sl.available, sl.substitute, "信访接待中心", written, written
		})
}
