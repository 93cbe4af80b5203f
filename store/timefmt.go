package store

import (
	"fmt"
	"time"
)

// sqliteTime formats an instant exactly as the SQLite driver would
// (_time_format=sqlite, _timezone=UTC: "2006-01-02 15:04:05.999999999-07:00"
// in UTC), without its per-call layout parsing. Stored times compare as text,
// so the bytes must be identical: TestSQLiteTimeMatchesTheDriver checks it.
func sqliteTime(t time.Time) string {
	t = t.UTC()
	var b [35]byte
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	put := func(i, v, width int) {
		for j := width - 1; j >= 0; j-- {
			b[i+j] = byte('0' + v%10)
			v /= 10
		}
	}
	put(0, y, 4)
	b[4] = '-'
	put(5, int(mo), 2)
	b[7] = '-'
	put(8, d, 2)
	b[10] = ' '
	put(11, h, 2)
	b[13] = ':'
	put(14, mi, 2)
	b[16] = ':'
	put(17, s, 2)
	n := 19
	if ns := t.Nanosecond(); ns != 0 {
		b[n] = '.'
		put(n+1, ns, 9)
		n += 10
		for b[n-1] == '0' {
			n--
		}
	}
	copy(b[n:], "+00:00")
	return string(b[:n+6])
}

// timeArg is an instant as a query argument: preformatted text for SQLite,
// the time itself for MySQL.
func (s *Store) timeArg(t time.Time) any {
	t = utc(t)
	if s.Dialect == SQLite && t.Year() >= 1000 && t.Year() <= 9999 {
		return sqliteTime(t)
	}
	return t
}

// nullTimeArg is timeArg, or NULL for an unset instant.
func (s *Store) nullTimeArg(t *time.Time) any {
	if t == nil || t.IsZero() {
		return nil
	}
	return s.timeArg(*t)
}

// parseSQLiteTime reads what sqliteTime writes. It is the hot read path's
// parser: the tick reads SQLite's datetime columns as text and parses them
// here, far faster than the driver's general parser, which it falls back to
// for anything written in another form.
func parseSQLiteTime(s string) (time.Time, error) {
	n := len(s)
	if n >= 25 && s[4] == '-' && s[7] == '-' && s[10] == ' ' && s[13] == ':' && s[16] == ':' && s[n-6:] == "+00:00" {
		num := func(a, b int) (int, bool) {
			v := 0
			for i := a; i < b; i++ {
				c := s[i]
				if c < '0' || c > '9' {
					return 0, false
				}
				v = v*10 + int(c-'0')
			}
			return v, true
		}
		y, ok1 := num(0, 4)
		mo, ok2 := num(5, 7)
		d, ok3 := num(8, 10)
		h, ok4 := num(11, 13)
		mi, ok5 := num(14, 16)
		sec, ok6 := num(17, 19)
		ns := 0
		ok7 := true
		if frac := s[19 : n-6]; frac != "" {
			if frac[0] != '.' || len(frac) > 10 || len(frac) < 2 {
				ok7 = false
			} else {
				v, ok := num(20, n-6)
				for i := len(frac) - 1; i < 9; i++ {
					v *= 10
				}
				ns, ok7 = v, ok
			}
		}
		if ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7 {
			return time.Date(y, time.Month(mo), d, h, mi, sec, ns, time.UTC), nil
		}
	}
	for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", "2006-01-02T15:04:05.999999999-07:00",
		"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time", s)
}

// textTime scans a datetime column read as text (SQLite) or as a time (MySQL).
type textTime struct {
	Time  time.Time
	Valid bool
}

// Scan implements sql.Scanner.
func (t *textTime) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		t.Time, t.Valid = time.Time{}, false
		return nil
	case time.Time:
		t.Time, t.Valid = x, true
		return nil
	case string:
		p, err := parseSQLiteTime(x)
		t.Time, t.Valid = p, err == nil
		return err
	case []byte:
		p, err := parseSQLiteTime(string(x))
		t.Time, t.Valid = p, err == nil
		return err
	}
	return fmt.Errorf("cannot read %T as a time", v)
}
