package store

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestSQLiteTimeMatchesTheDriver(t *testing.T) {
	const layout = "2006-01-02 15:04:05.999999999-07:00" // the driver's "sqlite" format
	r := rand.New(rand.NewPCG(1, 2))
	cases := []time.Time{time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 1, 0, 0, 0, 100_000_000, time.UTC),
		time.Date(1999, 12, 31, 23, 59, 59, 999_000_000, time.UTC), time.Date(2026, 3, 1, 8, 0, 0, 0, time.FixedZone("CST", 8*3600))}
	for range 100000 {
		cases = append(cases, time.Unix(r.Int64N(4e9), r.Int64N(1e9)).Truncate(time.Duration(1+r.IntN(3))*time.Millisecond))
	}
	for _, c := range cases {
		if got, want := sqliteTime(c), c.UTC().Format(layout); got != want {
			t.Fatalf("sqliteTime(%v) = %q, want %q", c, got, want)
		}
	}
}
