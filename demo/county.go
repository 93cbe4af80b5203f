// Package demo builds a realistic county deterministically from a seed:
// units in a hierarchy, leaders with a reception roster, and about six
// months of cases with the mix a county sees — on time, nearly due, overdue,
// unassigned leader-reception cases, repeat, group and escalated petitions.
// Each kind of case is placed with the working-day calendar, so the number
// of notices every rule should raise is known in advance for any "now".
package demo

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"duban/calendar"
	"duban/models"
)

// Options size the county.
type Options struct {
	Seed  uint64
	Now   time.Time
	Cases int // total cases, about 3000 by default
}

// County is the generated data and what the default rules should raise.
type County struct {
	Units   []models.Unit
	People  []models.Person
	Slots   []models.ReceptionSlot
	Cases   []models.Case
	Pets    []models.Petitioner
	Expect  map[string]Expected // by rule id
	Leaders []string
	// Showcase is the case number of an open case overdue by a working day
	// or so, the same whatever the day, for the README's tour to name.
	Showcase string
}

// ShowcaseCaseNo is the showcase case's number: outside the registry's
// series (XF + year + sequence) so that it stays the same on every day.
const ShowcaseCaseNo = "DEMO-1"

// Expected is what one rule should raise on a first tick at Now.
type Expected struct {
	Notices        int
	Flags          int
	Accountability int
}

type unitDef struct{ code, name, parent string }

var units = []unitDef{
	{"xw", "中共示范县委员会", ""},
	{"xzf", "示范县人民政府", ""},
	{"xfj", "县信访局", "xzf"},
	{"dcs", "县委县政府督查室", "xw"},
	{"zjj", "县住房和城乡建设局", "xzf"},
	{"rsj", "县人力资源和社会保障局", "xzf"},
	{"zrzyj", "县自然资源局", "xzf"},
	{"gaj", "县公安局", "xzf"},
	{"jyj", "县教育局", "xzf"},
	{"wjj", "县卫生健康局", "xzf"},
	{"mzj", "县民政局", "xzf"},
	{"scjgj", "县市场监督管理局", "xzf"},
	{"jtysj", "县交通运输局", "xzf"},
	{"nyncj", "县农业农村局", "xzf"},
	{"sthjj", "县生态环境局", "xzf"},
	{"cgj", "县城市管理局", "xzf"},
	{"sfj", "县司法局", "xzf"},
	{"ybj", "县医疗保障局", "xzf"},
	{"cgz", "城关镇人民政府", "xzf"},
	{"cgz-dj", "城关镇东街社区", "cgz"},
	{"cgz-xj", "城关镇西街社区", "cgz"},
	{"dgz", "东关镇人民政府", "xzf"},
	{"hsz", "河西镇人民政府", "xzf"},
	{"lqx", "柳泉乡人民政府", "xzf"},
	{"qsx", "青山乡人民政府", "xzf"},
	{"bmz", "白马镇人民政府", "xzf"},
	{"sjz", "三江镇人民政府", "xzf"},
	{"hpx", "和平乡人民政府", "xzf"},
	{"xhz", "新华镇人民政府", "xzf"},
	{"gyyq", "县工业园区管委会", "xzf"},
}

// handlers are the units cases are handed to, with the matters they handle.
var handlers = []struct {
	unit       string
	categories []string
}{
	{"zjj", []string{"房屋质量", "城乡建设", "物业管理"}},
	{"rsj", []string{"劳资纠纷", "社会保障"}},
	{"zrzyj", []string{"征地拆迁", "农村土地"}},
	{"gaj", []string{"治安管理"}},
	{"jyj", []string{"教育"}},
	{"wjj", []string{"医疗卫生"}},
	{"mzj", []string{"社会保障", "民政救助"}},
	{"scjgj", []string{"市场监管"}},
	{"jtysj", []string{"交通出行"}},
	{"nyncj", []string{"农村土地"}},
	{"sthjj", []string{"环境污染"}},
	{"cgj", []string{"城乡建设"}},
	{"sfj", []string{"涉法涉诉"}},
	{"ybj", []string{"社会保障"}},
	{"cgz", []string{"征地拆迁", "邻里纠纷"}},
	{"cgz-dj", []string{"邻里纠纷", "物业管理"}},
	{"cgz-xj", []string{"邻里纠纷"}},
	{"dgz", []string{"征地拆迁", "农村土地"}},
	{"hsz", []string{"农村土地", "环境污染"}},
	{"lqx", []string{"农村土地"}},
	{"qsx", []string{"环境污染"}},
	{"bmz", []string{"征地拆迁"}},
	{"sjz", []string{"劳资纠纷"}},
	{"hpx", []string{"邻里纠纷"}},
	{"xhz", []string{"农村土地"}},
	{"gyyq", []string{"劳资纠纷", "环境污染"}},
}

// Leaders who hold reception days (领导接访日), and their titles.
var leaders = []struct{ name, title string }{
	{"王建国", "县委书记"}, {"李明", "县长"}, {"赵强", "常务副县长"}, {"周红", "副县长"},
	{"孙伟", "副县长"}, {"吴静", "副县长"}, {"郑华", "县委副书记"}, {"陈刚", "政法委书记"},
}

var surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈")
var given = []string{"伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀兰", "霞",
	"平", "刚", "桂英", "建华", "文", "华", "金凤", "玉兰", "海", "志强", "红", "国庆", "春梅", "德胜", "长青", "晓东"}

// generator carries the random source and the calendar.
type generator struct {
	rnd    *rand.Rand
	cal    *calendar.Calendar
	now    time.Time
	county *County
	seq    int
	petSeq int
}

// Generate builds the county.
func Generate(cal *calendar.Calendar, opts Options) *County {
	if opts.Cases <= 0 {
		opts.Cases = 3000
	}
	g := &generator{rnd: rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15)), cal: cal, now: opts.Now,
		county: &County{Expect: map[string]Expected{}}}
	g.units()
	g.roster()
	g.cases(opts.Cases)
	sort.Slice(g.county.Cases, func(i, j int) bool { return g.county.Cases[i].ReceivedAt.Before(g.county.Cases[j].ReceivedAt) })
	seq := 0
	for i := range g.county.Cases {
		c := &g.county.Cases[i]
		if c.CaseNo == ShowcaseCaseNo {
			g.county.Showcase = c.CaseNo
			continue
		}
		// Case numbers follow receipt order, as a registry would issue them.
		seq++
		c.CaseNo = fmt.Sprintf("XF%s%05d", c.ReceivedAt.In(cal.Location()).Format("2006"), seq)
	}
	return g.county
}

func (g *generator) units() {
	for _, u := range units {
		g.county.Units = append(g.county.Units, models.Unit{Code: u.code, Name: u.name, ParentCode: u.parent})
	}
	for _, l := range leaders {
		g.county.People = append(g.county.People, models.Person{Name: l.name, Role: "leader", Title: l.title, UnitCode: "xzf"})
		g.county.Leaders = append(g.county.Leaders, l.name)
	}
	for _, h := range handlers {
		g.county.People = append(g.county.People, models.Person{Name: g.name(), Role: "handler", Title: "信访联络员", UnitCode: h.unit})
	}
}

func (g *generator) name() string {
	return string(surnames[g.rnd.IntN(len(surnames))]) + given[g.rnd.IntN(len(given))]
}

func (g *generator) expect(rule string, f func(*Expected)) {
	e := g.county.Expect[rule]
	f(&e)
	g.county.Expect[rule] = e
}

// day returns 00:00 of the date n calendar days from now.
func (g *generator) day(n int) time.Time { return g.cal.StartOfDay(g.cal.AddDays(g.now, n)) }

// Office hours: cases are received, accepted, handed over and closed on
// working days between 08:30 and 17:30.
const (
	officeOpen  = 8*time.Hour + 30*time.Minute
	officeClose = 17*time.Hour + 30*time.Minute
)

// at returns an office-hours time on the date n days from now, or on the
// working day before it when that date is a rest day.
func (g *generator) at(n int) time.Time {
	return g.office(g.day(n))
}

// office returns a random office-hours time on d's date, moved to the
// working day before when d is a rest day.
func (g *generator) office(d time.Time) time.Time {
	d = g.cal.StartOfDay(d)
	for i := 0; i < 10 && !g.cal.IsWorkday(d); i++ {
		d = g.cal.StartOfDay(g.cal.AddDays(d, -1))
	}
	return d.Add(officeOpen + time.Duration(g.rnd.IntN(int((officeClose-officeOpen)/time.Minute)))*time.Minute)
}

// nextOffice is the first office-hours instant at or after t.
func (g *generator) nextOffice(t time.Time) time.Time {
	day := g.cal.StartOfDay(t)
	if g.cal.IsWorkday(t) {
		if t.Before(day.Add(officeOpen)) {
			return day.Add(officeOpen)
		}
		if t.Before(day.Add(officeClose)) {
			return t
		}
	}
	return g.cal.StartOfDay(g.cal.AddWorkdays(day, 1)).Add(officeOpen)
}

// later is the first office-hours instant d after t; when that is not
// yet (t was the last working day), as soon as t's own office hours allow.
func (g *generator) later(t time.Time, d time.Duration) time.Time {
	next := g.nextOffice(t.Add(d))
	if latest := g.lastOffice(g.now.Add(-time.Hour)); next.After(latest) {
		closing := g.cal.StartOfDay(t).Add(officeClose)
		next = t.Add(max(0, min(d, closing.Sub(t)/2)))
		if next.After(g.now) {
			next = t
		}
	}
	return next
}

// lastOffice is the latest office-hours instant at or before t.
func (g *generator) lastOffice(t time.Time) time.Time {
	day := g.cal.StartOfDay(t)
	if g.cal.IsWorkday(t) && !t.Before(day.Add(officeOpen)) {
		if t.Before(day.Add(officeClose)) {
			return t
		}
		return day.Add(officeClose - time.Minute)
	}
	return g.cal.StartOfDay(g.cal.AddWorkdays(day, -1)).Add(officeClose - time.Minute)
}

// roster puts one leader on each working day from six months back to four
// weeks ahead; some are away, most of those with a substitute named.
func (g *generator) roster() {
	start := g.day(-185)
	gaps := 0
	for d, i := start, 0; !d.After(g.day(28)); d = g.cal.AddDays(d, 1) {
		if !g.cal.IsWorkday(d) {
			continue
		}
		leader := leaders[i%len(leaders)].name
		i++
		slot := models.ReceptionSlot{Date: d.In(g.cal.Location()).Format("2006-01-02"), Leader: leader,
			LeaderAvailable: true, Location: "县信访接待中心"}
		ahead := g.cal.DaysBetween(g.now, d)
		switch {
		case ahead >= 1 && ahead <= 6 && gaps < 2:
			// leader away, nobody named: a gap roster.gap must report
			slot.LeaderAvailable = false
			gaps++
			g.expect("roster.gap", func(e *Expected) { e.Notices++ })
		case ahead >= 1 && ahead <= 6 && gaps == 2:
			slot.LeaderAvailable, slot.Substitute = false, leaders[(i+3)%len(leaders)].name
			gaps++
		case ahead >= 12 && ahead <= 14 && gaps == 3:
			// too far ahead to report yet
			slot.LeaderAvailable = false
			gaps++
		case ahead < 0 && g.rnd.IntN(12) == 0:
			slot.LeaderAvailable, slot.Substitute = false, leaders[(i+5)%len(leaders)].name
		}
		g.county.Slots = append(g.county.Slots, slot)
	}
}

func (g *generator) newPetitioner() models.Petitioner {
	g.petSeq++
	p := models.Petitioner{Key: fmt.Sprintf("P%06d", g.petSeq), Name: g.name(),
		IDNumber: fmt.Sprintf("4101%02d19%02d%02d%02d%03d%d", g.rnd.IntN(30), 50+g.rnd.IntN(50), 1+g.rnd.IntN(12), 1+g.rnd.IntN(28), g.rnd.IntN(1000), g.rnd.IntN(10)),
		Phone:    fmt.Sprintf("1%d%d%08d", 3+g.rnd.IntN(6), g.rnd.IntN(10), g.rnd.IntN(100000000))}
	g.county.Pets = append(g.county.Pets, p)
	return p
}

func (g *generator) handler() (string, string) {
	h := handlers[g.rnd.IntN(len(handlers))]
	return h.unit, h.categories[g.rnd.IntN(len(h.categories))]
}

var channels = []string{"visit", "visit", "letter", "online", "online", "online", "phone"}

// base returns a new case received at t from a new petitioner.
func (g *generator) base(t time.Time) models.Case {
	p := g.newPetitioner()
	unit, cat := g.handler()
	c := models.Case{PetitionerKey: p.Key, PetitionerName: p.Name, Channel: channels[g.rnd.IntN(len(channels))],
		Category: cat, ReceivedAt: t.UTC(), GroupSize: 1, AssignedUnit: unit}
	c.Summary = fmt.Sprintf("反映%s问题，请求协调解决。", cat)
	return c
}

func ptr(t time.Time) *time.Time { u := t.UTC(); return &u }

// handled marks a case accepted within a working day of its receipt and
// handed over an hour or two later, in office hours, with a deadline.
func (g *generator) handled(c *models.Case, dueIn time.Time) {
	received := c.ReceivedAt.In(g.cal.Location())
	acc := g.later(received, time.Duration(60+g.rnd.IntN(24*60))*time.Minute)
	assigned := g.later(acc, time.Duration(30+g.rnd.IntN(150))*time.Minute)
	c.AcceptedAt = ptr(acc)
	c.AssignedAt = ptr(assigned)
	c.DueAt = ptr(g.cal.EndOfDay(dueIn))
	c.Status = models.StatusAssigned
}

func (g *generator) add(c models.Case) { g.county.Cases = append(g.county.Cases, c) }
