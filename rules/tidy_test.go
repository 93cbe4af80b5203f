package rules

import "testing"

func TestTidyCJK(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"办理期限为 2026-03-09， 现已超期未办结。 请限期办结。", "办理期限为 2026-03-09，现已超期未办结。请限期办结。"},
		{"周红 于 2026-12-03 接访", "周红 于 2026-12-03 接访"},
		{"（邻里纠纷）  最近", "（邻里纠纷）最近"},
		{"ok, fine. Next", "ok, fine. Next"},
	} {
		if got := tidyCJK(tc.in); got != tc.want {
			t.Errorf("tidyCJK(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
