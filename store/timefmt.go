package store

import "time"

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
