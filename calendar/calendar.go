// Package calendar answers working-day questions on China's official holiday
// calendar: statutory holidays and the adjusted working weekends (调休) from
// github.com/6tail/lunar-go, plus local holidays and later years from calendar
// files. Dates are civil dates in the calendar's time zone.
package calendar

import (
	"fmt"
	"sort"
	"time"

	"github.com/6tail/lunar-go/HolidayUtil"
)

// Calendar is immutable after construction and safe for concurrent use.
type Calendar struct {
	loc *time.Location
	// override holds days whose working status differs from the Monday-Friday
	// default: true for an adjusted working day, false for a holiday.
	override map[day]bool
	names    map[day]string
	// first and last year the official data (or a calendar file) covers.
	firstKnown, lastKnown int
	// tableStart is the first day of the precomputed table; prefix[i] counts
	// working days in [tableStart, tableStart+i).
	tableStart day
	work       []bool
	prefix     []int32
}

// day is a civil date as the number of days since 1970-01-01.
type day int32

func dayOf(y int, m time.Month, d int) day {
	return day(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

func (d day) date() (int, time.Month, int) {
	return time.Unix(int64(d)*86400, 0).UTC().Date()
}

func (d day) String() string {
	y, m, dd := d.date()
	return fmt.Sprintf("%04d-%02d-%02d", y, m, dd)
}

// weekdayWork is the default: Monday to Friday are working days.
func (d day) weekdayWork() bool {
	// 1970-01-01 was a Thursday.
	wd := (int(d)%7 + 7 + 4) % 7 // 0 = Sunday
	return wd != 0 && wd != 6
}

// tableYears bounds the precomputed table; outside it the answers are the same,
// only computed day by day.
const tableFirstYear, tableLastYear = 2000, 2070

// Official returns the calendar of China's statutory holidays as published by
// the State Council, in loc.
func Official(loc *time.Location) *Calendar {
	c := &Calendar{loc: loc, override: map[day]bool{}, names: map[day]string{}}
	for y := 2001; y <= 2100; y++ {
		l := HolidayUtil.GetHolidaysByYear(y)
		if l.Len() == 0 {
			continue
		}
		if c.firstKnown == 0 {
			c.firstKnown = y
		}
		c.lastKnown = y
		for e := l.Front(); e != nil; e = e.Next() {
			h := e.Value.(*HolidayUtil.Holiday)
			t, err := time.Parse("2006-01-02", h.GetDay())
			if err != nil {
				continue
			}
			d := dayOf(t.Date())
			c.override[d] = h.IsWork()
			c.names[d] = h.GetName()
		}
	}
	c.build()
	return c
}

// Weekdays returns a calendar with no holidays at all: Monday to Friday work.
// Tests use it where holidays would only get in the way.
func Weekdays(loc *time.Location) *Calendar {
	c := &Calendar{loc: loc, override: map[day]bool{}, names: map[day]string{}}
	c.build()
	return c
}

func (c *Calendar) build() {
	c.tableStart = dayOf(tableFirstYear, 1, 1)
	end := dayOf(tableLastYear+1, 1, 1)
	n := int(end - c.tableStart)
	c.work = make([]bool, n)
	c.prefix = make([]int32, n+1)
	for i := 0; i < n; i++ {
		c.work[i] = c.isWork(c.tableStart + day(i))
		c.prefix[i+1] = c.prefix[i]
		if c.work[i] {
			c.prefix[i+1]++
		}
	}
}

func (c *Calendar) isWork(d day) bool {
	if w, ok := c.override[d]; ok {
		return w
	}
	return d.weekdayWork()
}

func (c *Calendar) work1(d day) bool {
	if i := int(d - c.tableStart); i >= 0 && i < len(c.work) {
		return c.work[i]
	}
	return c.isWork(d)
}

// Location is the calendar's time zone.
func (c *Calendar) Location() *time.Location { return c.loc }

// KnownYears is the range of years whose holidays the calendar knows; before
// and after it only weekends are days off.
func (c *Calendar) KnownYears() (first, last int) { return c.firstKnown, c.lastKnown }

func (c *Calendar) dayOfTime(t time.Time) day {
	return dayOf(t.In(c.loc).Date())
}

// IsWorkday reports whether t falls on a working day.
func (c *Calendar) IsWorkday(t time.Time) bool { return c.work1(c.dayOfTime(t)) }

// HolidayName names the holiday or adjusted working day t falls on, or "".
func (c *Calendar) HolidayName(t time.Time) string { return c.names[c.dayOfTime(t)] }

// countWork counts working days in the half-open range [from, to).
func (c *Calendar) countWork(from, to day) int {
	if to <= from {
		return 0
	}
	lo, hi := int(from-c.tableStart), int(to-c.tableStart)
	if lo >= 0 && hi <= len(c.work) {
		return int(c.prefix[hi] - c.prefix[lo])
	}
	// Outside the table there are no holidays, only weekends: whole weeks
	// count five days each, so far-off dates cost no more than near ones.
	tableEnd := c.tableStart + day(len(c.work))
	n := 0
	if from < c.tableStart {
		n += weekdaysIn(from, min(to, c.tableStart))
		from = c.tableStart
	}
	if to > tableEnd {
		n += weekdaysIn(max(from, tableEnd), to)
		to = tableEnd
	}
	if from < to {
		n += c.countWork(from, to)
	}
	return n
}

// weekdaysIn counts Monday-Friday days in [from, to).
func weekdaysIn(from, to day) int {
	if to <= from {
		return 0
	}
	weeks := int(to-from) / 7
	n := weeks * 5
	for d := from + day(weeks*7); d < to; d++ {
		if d.weekdayWork() {
			n++
		}
	}
	return n
}

// WorkdaysBetween counts the working days after a's date up to and including
// b's date: the first day is not counted (民法典 第二百零一条). It is negative
// when b is before a.
func (c *Calendar) WorkdaysBetween(a, b time.Time) int {
	da, db := c.dayOfTime(a), c.dayOfTime(b)
	if db >= da {
		return c.countWork(da+1, db+1)
	}
	return -c.countWork(db+1, da+1)
}

// MaxWorkdays bounds AddWorkdays: about forty years of working days.
const MaxWorkdays = 10000

// AddWorkdays moves t to the n-th working day after its date (before it when n
// is negative), keeping the time of day. n = 0 returns t; |n| is capped at
// MaxWorkdays so that no argument can keep it busy.
func (c *Calendar) AddWorkdays(t time.Time, n int) time.Time {
	n = max(-MaxWorkdays, min(n, MaxWorkdays))
	d := c.dayOfTime(t)
	step := day(1)
	if n < 0 {
		step, n = -1, -n
	}
	for n > 0 {
		d += step
		if c.work1(d) {
			n--
		}
	}
	return c.onDay(t, d)
}

// onDay returns t's local time of day on civil date d.
func (c *Calendar) onDay(t time.Time, d day) time.Time {
	lt := t.In(c.loc)
	y, m, dd := d.date()
	return time.Date(y, m, dd, lt.Hour(), lt.Minute(), lt.Second(), lt.Nanosecond(), c.loc)
}

// StartOfDay is 00:00 of t's date.
func (c *Calendar) StartOfDay(t time.Time) time.Time {
	y, m, d := t.In(c.loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, c.loc)
}

// EndOfDay is the last instant of t's date.
func (c *Calendar) EndOfDay(t time.Time) time.Time {
	y, m, d := t.In(c.loc).Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, c.loc).Add(-time.Nanosecond)
}

// DaysBetween counts calendar days from a's date to b's date (negative when b
// is earlier).
func (c *Calendar) DaysBetween(a, b time.Time) int {
	return int(c.dayOfTime(b) - c.dayOfTime(a))
}

// AddDays moves t by n calendar days, keeping the local time of day.
func (c *Calendar) AddDays(t time.Time, n int) time.Time {
	return c.onDay(t, c.dayOfTime(t)+day(n))
}

// PeriodEnd is the end of a period of n calendar days that starts on t's date,
// counted the civil-code way: the first day is not counted, and a period whose
// last day is not a working day ends on the first working day after it. The
// result is the last instant of that day.
func (c *Calendar) PeriodEnd(t time.Time, n int) time.Time {
	n = max(-366000, min(n, 366000))
	last := c.dayOfTime(t) + day(n)
	for !c.work1(last) {
		last++
	}
	return c.EndOfDay(c.onDay(t, last))
}

// Entry is one day a calendar file changes.
type Entry struct {
	Date time.Time // midnight UTC of the civil date
	Work bool
	Name string
}

// With returns a copy of c with entries applied over it and the known range
// widened to years.
func (c *Calendar) With(entries []Entry, years []int) *Calendar {
	n := &Calendar{loc: c.loc, override: make(map[day]bool, len(c.override)+len(entries)),
		names: make(map[day]string, len(c.names)), firstKnown: c.firstKnown, lastKnown: c.lastKnown}
	for k, v := range c.override {
		n.override[k] = v
	}
	for k, v := range c.names {
		n.names[k] = v
	}
	for _, e := range entries {
		d := dayOf(e.Date.Date())
		n.override[d] = e.Work
		if e.Name != "" {
			n.names[d] = e.Name
		}
	}
	for _, y := range years {
		if n.firstKnown == 0 || y < n.firstKnown {
			n.firstKnown = y
		}
		if y > n.lastKnown {
			n.lastKnown = y
		}
	}
	n.build()
	return n
}

// Overrides lists the days whose status differs from Monday-Friday, in order;
// for documentation and `duban calendar` output.
func (c *Calendar) Overrides() []Entry {
	out := make([]Entry, 0, len(c.override))
	for d, w := range c.override {
		y, m, dd := d.date()
		out = append(out, Entry{Date: time.Date(y, m, dd, 0, 0, 0, 0, time.UTC), Work: w, Name: c.names[d]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Date.Before(out[j].Date) })
	return out
}
