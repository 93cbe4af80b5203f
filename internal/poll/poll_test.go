package poll

import "testing"

// Until returns as soon as the condition holds, having checked it until then.
func TestUntilReturnsOnceTheConditionHolds(t *testing.T) {
	for _, after := range []int{1, 3} {
		calls := 0
		Until(t, "the condition", func() bool { calls++; return calls >= after })
		if calls != after {
			t.Errorf("holding at call %d: checked %d times", after, calls)
		}
	}
}
