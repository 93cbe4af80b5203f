package scheduler

import (
	"strings"
	"time"

	"duban/rules"
)

// every returns the interval of an "@every D" schedule.
func every(spec string) (time.Duration, bool) {
	spec = strings.TrimSpace(spec)
	if strings.HasPrefix(spec, "TZ=") || strings.HasPrefix(spec, "CRON_TZ=") {
		_, spec, _ = strings.Cut(spec, " ")
	}
	rest, ok := strings.CutPrefix(strings.TrimSpace(spec), "@every ")
	if !ok {
		return 0, false
	}
	d, err := time.ParseDuration(strings.TrimSpace(rest))
	if err != nil {
		return 0, false
	}
	// As robfig/cron does: whole seconds, at least one.
	d = max(d.Truncate(time.Second), time.Second)
	return d, true
}

// next is the first instant after t at which r is due. "@every D" rules are
// due at the multiples of D (from Go's zero time, so @every 1h is on the
// hour and @every 8h at 00:00, 08:00 and 16:00 UTC): every replica, and every
// restart, agrees on the instants, unlike cron's "D after the start".
func next(r *rules.Rule, t time.Time) time.Time {
	if d, ok := every(r.Schedule); ok {
		return t.Truncate(d).Add(d)
	}
	return r.Next(t)
}

// prev is the latest instant at or before t at which r was due, or zero if
// there was none in the last five years.
func prev(r *rules.Rule, t time.Time) time.Time {
	if d, ok := every(r.Schedule); ok {
		return t.Truncate(d)
	}
	for _, back := range []time.Duration{2 * time.Hour, 49 * time.Hour, 32 * 24 * time.Hour, 367 * 24 * time.Hour, 5 * 367 * 24 * time.Hour} {
		var p time.Time
		for n := r.Next(t.Add(-back)); !n.IsZero() && !n.After(t); n = r.Next(n) {
			p = n
		}
		if !p.IsZero() {
			return p
		}
	}
	return time.Time{}
}
