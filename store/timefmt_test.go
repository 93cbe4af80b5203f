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

func TestParseSQLiteTimeReadsWhatWeWrite(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 100000 {
		want := time.Unix(r.Int64N(4e9), r.Int64N(1e9)).UTC()
		if r.IntN(2) == 0 {
			want = want.Truncate(time.Millisecond)
		}
		got, err := parseSQLiteTime(sqliteTime(want))
		if err != nil || !got.Equal(want) {
			t.Fatalf("parseSQLiteTime(%q) = %v, %v; want %v", sqliteTime(want), got, err, want)
		}
	}
	// Other writers' forms still read.
	for _, s := range []string{"2026-03-01 08:00:00+08:00", "2026-03-01T00:00:00+00:00", "2026-03-01 00:00:00", "2026-03-01"} {
		if got, err := parseSQLiteTime(s); err != nil || got.IsZero() {
			t.Errorf("parseSQLiteTime(%q) = %v, %v", s, got, err)
		}
	}
	if got, _ := parseSQLiteTime("2026-03-01 08:00:00+08:00"); !got.Equal(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("offset ignored: %v", got)
	}
}
