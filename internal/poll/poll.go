// Package poll waits in tests for a condition that something running
// concurrently makes true. The wait is bounded only so that a hang fails
// instead of stalling the suite: the bound is far beyond what a busy
// machine needs, so whether a test passes never depends on its speed.
package poll

import (
	"testing"
	"time"
)

// Bound is how long Until waits before it calls the condition hung.
const Bound = 2 * time.Minute

// every is how often the condition is checked.
const every = 20 * time.Millisecond

// Until checks cond until it holds, and fails the test if it still does not
// after Bound. what says what was awaited, for the failure.
func Until(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(Bound)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("still not so after %s: %s", Bound, what)
		}
		time.Sleep(every)
	}
}
