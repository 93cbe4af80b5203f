package suggest

import "testing"

func TestClosest(t *testing.T) {
	fields := []string{"case_no", "received_at", "status"}
	for _, tc := range []struct{ in, want string }{
		{"case_number", "case_no"}, {"caseno", "case_no"}, {"recieved_at", "received_at"}, {"Status", "status"}, {"xyz", ""},
	} {
		if got := Closest(tc.in, fields); got != tc.want {
			t.Errorf("Closest(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
