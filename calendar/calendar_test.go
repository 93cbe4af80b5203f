package calendar

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var shanghai = mustLoc("Asia/Shanghai")

func mustLoc(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

func TestOfficialHolidaysAndAdjustedWeekends(t *testing.T) {
	c := Official(shanghai)
	cases := []struct {
		day  string
		work bool
		why  string
	}{
		{"2026-01-01 10:00", false, "元旦"},
		{"2026-01-04 10:00", true, "Sunday worked for 元旦 (调休)"},
		{"2026-02-14 10:00", true, "Saturday worked before 春节"},
		{"2026-02-17 10:00", false, "春节"},
		{"2026-02-23 10:00", false, "last day of 春节 break, a Monday"},
		{"2026-02-24 10:00", true, "first working day after 春节"},
		{"2026-03-02 10:00", true, "ordinary Monday"},
		{"2026-03-07 10:00", false, "ordinary Saturday"},
		{"2026-10-01 10:00", false, "国庆"},
		{"2026-10-10 10:00", true, "Saturday worked after 国庆"},
	}
	for _, tc := range cases {
		if got := c.IsWorkday(at(tc.day)); got != tc.work {
			t.Errorf("IsWorkday(%s) = %v, want %v (%s)", tc.day, got, tc.work, tc.why)
		}
	}
	if first, last := c.KnownYears(); first > 2002 || last < 2026 {
		t.Errorf("KnownYears = %d..%d, want to cover 2002..2026", first, last)
	}
}

func TestWorkdaysBetweenDoesNotCountFirstDay(t *testing.T) {
	c := Official(shanghai)
	cases := []struct {
		a, b string
		want int
	}{
		{"2026-03-02 09:00", "2026-03-02 18:00", 0}, // same day
		{"2026-03-02 09:00", "2026-03-03 08:00", 1}, // Mon -> Tue
		{"2026-03-06 09:00", "2026-03-09 08:00", 1}, // Fri -> Mon, weekend skipped
		{"2026-03-02 09:00", "2026-03-16 09:00", 10},
		{"2026-03-03 09:00", "2026-03-02 09:00", -1},
		// 2026-02-13 (Fri) -> 2026-02-24 (Tue): 14th (Sat) is worked, 15-23 is 春节, 24th works.
		{"2026-02-13 09:00", "2026-02-24 09:00", 2},
	}
	for _, tc := range cases {
		if got := c.WorkdaysBetween(at(tc.a), at(tc.b)); got != tc.want {
			t.Errorf("WorkdaysBetween(%s, %s) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestAddWorkdaysSkipsHolidaysAndUsesAdjustedSaturday(t *testing.T) {
	c := Official(shanghai)
	cases := []struct {
		from string
		n    int
		want string
	}{
		{"2026-03-06 10:00", 1, "2026-03-09 10:00"},  // Fri + 1 -> Mon
		{"2026-02-13 10:00", 1, "2026-02-14 10:00"},  // Fri + 1 -> adjusted working Saturday
		{"2026-02-14 10:00", 1, "2026-02-24 10:00"},  // across 春节
		{"2026-09-30 16:00", 1, "2026-10-08 16:00"},  // across 国庆
		{"2026-03-09 10:00", -1, "2026-03-06 10:00"}, // backwards
		{"2026-03-09 10:00", 0, "2026-03-09 10:00"},
	}
	for _, tc := range cases {
		if got := c.AddWorkdays(at(tc.from), tc.n); !got.Equal(at(tc.want)) {
			t.Errorf("AddWorkdays(%s, %d) = %s, want %s", tc.from, tc.n, got, tc.want)
		}
	}
}

func TestPeriodEndMovesOffHolidays(t *testing.T) {
	c := Official(shanghai)
	// 15 days from 2026-09-16 is 2026-10-01, in the 国庆 break: the period runs
	// to the end of the first working day after it, 2026-10-08.
	got := c.PeriodEnd(at("2026-09-16 10:00"), 15)
	want := at("2026-10-09 00:00").Add(-time.Nanosecond)
	if !got.Equal(want) {
		t.Errorf("PeriodEnd across 国庆 = %s, want %s", got, want)
	}
	// An ordinary period ends at the end of its last day.
	got = c.PeriodEnd(at("2026-03-02 10:00"), 15)
	want = at("2026-03-18 00:00").Add(-time.Nanosecond)
	if !got.Equal(want) {
		t.Errorf("PeriodEnd = %s, want %s", got, want)
	}
}

func TestDaysAndDayBoundariesUseTheCalendarZone(t *testing.T) {
	c := Official(shanghai)
	// 23:30 UTC on the 1st is 07:30 on the 2nd in Shanghai.
	utc := time.Date(2026, 3, 1, 23, 30, 0, 0, time.UTC)
	if got := c.StartOfDay(utc); !got.Equal(at("2026-03-02 00:00")) {
		t.Errorf("StartOfDay = %s", got)
	}
	if got := c.DaysBetween(at("2026-03-02 23:00"), at("2026-03-03 01:00")); got != 1 {
		t.Errorf("DaysBetween across midnight = %d, want 1", got)
	}
	if got := c.AddDays(at("2026-03-31 08:00"), 1); !got.Equal(at("2026-04-01 08:00")) {
		t.Errorf("AddDays = %s", got)
	}
}

func TestCalendarFileAddsLocalHolidaysAndYears(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "local.yaml")
	os.WriteFile(path, []byte(`years: [2031]
holidays:
  - {date: 2026-03-03, name: 县庆}
  - {from: 2031-01-01, to: 2031-01-03, name: 元旦}
workdays:
  - {date: 2026-03-07, name: 县庆调休}
`), 0o644)
	c, err := LoadFile(Official(shanghai), path)
	if err != nil {
		t.Fatal(err)
	}
	if c.IsWorkday(at("2026-03-03 10:00")) || !c.IsWorkday(at("2026-03-07 10:00")) {
		t.Error("local holiday or adjusted Saturday not applied")
	}
	if c.HolidayName(at("2026-03-03 10:00")) != "县庆" {
		t.Errorf("name = %q", c.HolidayName(at("2026-03-03 10:00")))
	}
	if c.IsWorkday(at("2031-01-02 10:00")) {
		t.Error("2031-01-02 should be a holiday from the file")
	}
	if _, last := c.KnownYears(); last != 2031 {
		t.Errorf("last known year = %d, want 2031", last)
	}
	// The official calendar is not changed by deriving a local one.
	if !Official(shanghai).IsWorkday(at("2026-03-03 10:00")) {
		t.Error("official calendar changed")
	}
}

func TestCalendarFileErrorsNameTheLine(t *testing.T) {
	cases := []struct{ src, want string }{
		{"holidays:\n  - {date: 2026-13-01}\n", "x.yaml:2: holidays[0]: date \"2026-13-01\" is not a date"},
		{"holiday: []\n", "x.yaml: 1:1: unknown field \"holiday\""},
		{"workdays:\n  - {name: x}\n", "x.yaml:2: workdays[0]: give either date, or from and to"},
	}
	for _, tc := range cases {
		_, err := Parse(Official(shanghai), "x.yaml", []byte(tc.src))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) error = %v, want it to contain %q", tc.src, err, tc.want)
		}
	}
}

func TestFarDatesAndHugeArgumentsStayCheap(t *testing.T) {
	c := Official(shanghai)
	a := time.Date(1200, 1, 1, 0, 0, 0, 0, shanghai)
	b := time.Date(2900, 1, 1, 23, 0, 0, 0, shanghai)
	// Counted in pieces (before the table, the table, after it) it must agree
	// with counting day by day.
	slow := 0
	// Step by noons: Shanghai's 1940s summer time makes some midnights repeat.
	for d := a.Add(36 * time.Hour); d.Before(b); d = d.AddDate(0, 0, 1) {
		if c.IsWorkday(d) {
			slow++
		}
	}
	if got := c.WorkdaysBetween(a, b); got != slow {
		t.Errorf("WorkdaysBetween over 1700 years = %d, day by day %d", got, slow)
	}
	got := c.AddWorkdays(at("2026-03-02 10:00"), 1_000_000_000)
	if got.Year() > 2070 {
		t.Errorf("AddWorkdays with a huge n went to %s; it should be capped", got)
	}
}

// go-yaml's decoder panics on a tag where a list belongs (found by
// FuzzParse; the input is kept in testdata/fuzz/FuzzParse): a calendar file
// like it is an error naming the file, not a crash of the service that
// reloads it.
func TestMalformedYAMLIsAnErrorNotAPanic(t *testing.T) {
	_, err := Parse(Official(time.UTC), "local.calendar.yaml", []byte("holidays:\n  ! 0000000000000000\n00000008:\n0000"))
	if err == nil || !strings.HasPrefix(err.Error(), "local.calendar.yaml") {
		t.Errorf("got %v", err)
	}
}
