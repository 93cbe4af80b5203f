package demo

import (
	"testing"
	"time"

	"duban/models"
	"duban/rules"
)

var shanghai = func() *time.Location { l, _ := time.LoadLocation("Asia/Shanghai"); return l }()

// nows are demo days a user might pick: a working morning, the day after
// the National Day week, inside the Spring Festival, a Saturday, a Monday
// before office hours.
var nows = []time.Time{
	time.Date(2026, 11, 25, 9, 0, 0, 0, shanghai),
	time.Date(2026, 10, 8, 7, 30, 0, 0, shanghai),
	time.Date(2026, 2, 22, 12, 0, 0, 0, shanghai),
	time.Date(2026, 12, 5, 6, 0, 0, 0, shanghai),
	time.Date(2027, 1, 4, 8, 0, 0, 0, shanghai),
}

// TestCasesMoveInOfficeHours: a case page shows 受理 and 交办 at times a
// petition office works, not 23:00 and 01:00.
func TestCasesMoveInOfficeHours(t *testing.T) {
	rs, err := rules.Load(rules.Defaults(), rules.Options{Now: nows[0]})
	if err != nil {
		t.Fatal(err)
	}
	cal := rs.Calendar
	for _, now := range nows {
		for _, seed := range []uint64{1, 7} {
			county := Generate(cal, Options{Seed: seed, Now: now})
			bad := 0
			for _, c := range county.Cases {
				for name, at := range map[string]*time.Time{"received": &c.ReceivedAt, "accepted": c.AcceptedAt,
					"assigned": c.AssignedAt, "closed": c.ClosedAt, "return visit": c.ReturnVisitAt} {
					if at == nil {
						continue
					}
					local := at.In(shanghai)
					clock := local.Hour()*60 + local.Minute()
					if !cal.IsWorkday(local) || clock < 8*60+30 || clock > 17*60+30 {
						if bad++; bad <= 5 {
							t.Errorf("now %s seed %d: %s %s at %s (%s), outside office hours", now.Format(time.DateTime), seed, c.CaseNo, name,
								local.Format("2006-01-02 15:04"), local.Weekday())
						}
					}
					if at.After(now) {
						t.Errorf("now %s: %s %s at %s, after now", now.Format(time.DateTime), c.CaseNo, name, local)
					}
				}
			}
		}
	}
}

// TestSomeCasesCloseLate: the scorecard's 按期办结率 is not 100 % everywhere.
func TestSomeCasesCloseLate(t *testing.T) {
	rs, err := rules.Load(rules.Defaults(), rules.Options{Now: nows[0]})
	if err != nil {
		t.Fatal(err)
	}
	county := Generate(rs.Calendar, Options{Seed: 1, Now: nows[0]})
	closed, late := 0, 0
	for _, c := range county.Cases {
		if c.Status != models.StatusClosed || c.DueAt == nil {
			continue
		}
		closed++
		if c.ClosedAt.After(*c.DueAt) {
			late++
		}
	}
	if share := float64(late) / float64(closed); share < 0.05 || share > 0.25 {
		t.Errorf("%d of %d closed cases closed late (%.0f %%), want between 5 and 25 %%", late, closed, 100*share)
	}
}

func TestShowcaseCase(t *testing.T) {
	rs, err := rules.Load(rules.Defaults(), rules.Options{Now: nows[0]})
	if err != nil {
		t.Fatal(err)
	}
	for _, now := range nows {
		county := Generate(rs.Calendar, Options{Seed: 1, Now: now})
		n := 0
		for _, c := range county.Cases {
			if c.CaseNo == ShowcaseCaseNo {
				n++
				if c.Status != models.StatusAssigned || c.DueAt == nil || !c.DueAt.Before(now) || c.AssignedUnit != "zjj" {
					t.Errorf("now %s: showcase %+v is not an overdue case of zjj", now, c)
				}
			}
		}
		if n != 1 || county.Showcase != ShowcaseCaseNo {
			t.Errorf("now %s: %d showcase cases, Showcase %q", now, n, county.Showcase)
		}
	}
}
