package calendar

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzParse reads any bytes as a calendar file: a calendar that answers
// every question quickly, or an error naming the file, never a panic. CI
// runs it briefly (.ci/fuzz).
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.yaml")
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`holidays:
  - {date: 2026-05-04, name: 县庆}
  - {from: 2026-10-01, to: 2026-10-08, name: 国庆节}
workdays:
  - {date: 2026-10-10, name: 国庆调休}
years: [2028]
`))
	base := Official(time.UTC)
	days := []time.Time{time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC), time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2200, 12, 31, 0, 0, 0, 0, time.UTC)}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(base, "local.calendar.yaml", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "local.calendar.yaml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for _, a := range days {
			c.IsWorkday(a)
			c.PeriodEnd(a, 60)
			c.AddWorkdays(a, 10)
			c.AddWorkdays(a, -MaxWorkdays)
			for _, b := range days {
				c.WorkdaysBetween(a, b)
			}
		}
	})
}
