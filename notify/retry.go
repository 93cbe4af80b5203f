package notify

import (
	"math/rand/v2"
	"time"
)

// Retry is the delivery retry policy: exponential backoff from Initial,
// doubling up to Max, until GiveUpAfter has passed since the delivery was
// created (or last re-sent by hand); then it is a dead letter.
type Retry struct {
	Initial     time.Duration
	Max         time.Duration
	GiveUpAfter time.Duration
}

// DefaultRetry keeps trying for a day, at most every ten minutes once the
// receiver has been down a while: a robot that is down for an hour gets
// everything within minutes of coming back.
var DefaultRetry = Retry{Initial: 10 * time.Second, Max: 10 * time.Minute, GiveUpAfter: 24 * time.Hour}

// Next returns when to try again after the given number of failed attempts,
// or dead when the budget that started at from is spent. The wait varies by
// ±20% so that many deliveries failing together do not retry in lockstep.
func (r Retry) Next(attempts int, now, from time.Time) (next time.Time, dead bool) {
	end := from.Add(r.GiveUpAfter)
	if !now.Before(end) {
		return time.Time{}, true
	}
	wait := r.Initial
	for i := 1; i < attempts && wait < r.Max; i++ {
		wait *= 2
	}
	wait = min(wait, r.Max)
	wait = time.Duration(float64(wait) * (0.8 + 0.4*rand.Float64()))
	next = now.Add(wait)
	if next.After(end) {
		next = end // one last try when the budget ends
	}
	return next, false
}
