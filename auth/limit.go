package auth

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"
)

// Failed credentials per client address: bearer tokens and session cookies
// that match nobody (not ones that existed and ended: see ErrEnded), and
// failed sign-ins (counted per address as well as per username, so that one
// address trying a password on many usernames is stopped). After AddrFailures within AddrWindow the address is refused —
// 429 with Retry-After, the credential not even checked — until the oldest
// of those failures leaves the window. Successes reset nothing: an attacker
// holding one valid account must not be able to wipe its count.
const (
	AddrFailures = 20
	AddrWindow   = 15 * time.Minute
	// addrEntries bounds the memory: past it, the address whose last
	// failure is oldest is forgotten.
	addrEntries = 10000
)

// ErrThrottled is a request refused because of too many recent failures.
var ErrThrottled = errors.New("too many failed attempts")

// Throttled is ErrThrottled with how long until a try is checked again.
type Throttled struct {
	Wait time.Duration
	// Who is what was throttled: "address 203.0.113.7" or "username li".
	Who string
}

func (e *Throttled) Error() string {
	return fmt.Sprintf("%v from %s: try again in %s", ErrThrottled, e.Who, e.Wait.Round(time.Second))
}

func (e *Throttled) Is(target error) bool { return target == ErrThrottled }

// RetryAfter is the Retry-After header's value for a wait: whole seconds,
// rounded up.
func RetryAfter(wait time.Duration) string {
	return strconv.FormatInt(int64((wait+time.Second-1)/time.Second), 10)
}

// limiter counts failures per key within a window. It is per process:
// replicas count separately, which multiplies an attacker's rate by their
// number at most.
type limiter struct {
	max    int
	window time.Duration
	size   int // at most this many keys

	mu    sync.Mutex
	fails map[string][]time.Time // per key, the recent failures, oldest first, at most max
}

func newLimiter(max int, window time.Duration, size int) *limiter {
	return &limiter{max: max, window: window, size: size, fails: map[string][]time.Time{}}
}

// recent drops key's failures that left the window.
func (l *limiter) recent(key string, now time.Time) []time.Time {
	fs := l.fails[key]
	i := 0
	for i < len(fs) && now.Sub(fs[i]) >= l.window {
		i++
	}
	if i == len(fs) {
		delete(l.fails, key)
		return nil
	}
	fs = fs[i:]
	l.fails[key] = fs
	return fs
}

// blocked says how long key is still refused (0: not refused).
func (l *limiter) blocked(key string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	fs := l.recent(key, now)
	if len(fs) < l.max {
		return 0
	}
	return l.window - now.Sub(fs[len(fs)-l.max])
}

// fail counts a failure of key and reports whether key is now refused.
func (l *limiter) fail(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	fs := l.recent(key, now)
	if fs == nil && len(l.fails) >= l.size {
		l.evict(now)
	}
	fs = append(fs, now)
	if len(fs) > l.max {
		fs = fs[len(fs)-l.max:] // only the last max decide when the refusal ends
	}
	l.fails[key] = fs
	return len(fs) >= l.max
}

// evict makes room for a new key: keys whose failures all left the window
// go; if none did, the key whose last failure is oldest.
func (l *limiter) evict(now time.Time) {
	var oldest string
	var at time.Time
	for k, fs := range l.fails {
		last := fs[len(fs)-1]
		if now.Sub(last) >= l.window {
			delete(l.fails, k)
			continue
		}
		if oldest == "" || last.Before(at) {
			oldest, at = k, last
		}
	}
	if len(l.fails) >= l.size {
		delete(l.fails, oldest)
	}
}

func (l *limiter) reset(key string) {
	l.mu.Lock()
	delete(l.fails, key)
	l.mu.Unlock()
}

func (l *limiter) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.fails)
}
