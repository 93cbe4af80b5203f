package web

import "testing"

func TestDescribeSchedule(t *testing.T) {
	for _, tc := range []struct{ spec, want string }{
		{"0 8 * * *", "每天 08:00"},
		{"30 17 * * *", "每天 17:30"},
		{"0 8,14 * * *", "每天 08:00、14:00"},
		{"0 9 * * 1-5", "每周一至周五 09:00"},
		{"0 9 * * 1", "每周一 09:00"},
		{"0 9 1 * *", "每月 1 日 09:00"},
		{"15 * * * *", "每小时第 15 分"},
		{"*/15 * * * *", "每 15 分钟"},
		{"@every 1h", "每 1 小时"},
		{"@every 90m", "每 1 小时 30 分钟"},
		{"@every 24h", "每 1 天"},
		{"@hourly", "每小时整点"},
		{"@daily", "每天 00:00"},
		{"CRON_TZ=Asia/Shanghai 0 8 * * *", "每天 08:00"},
		// Shapes without a description are shown as written.
		{"0 8 1-7 * 1", "0 8 1-7 * 1"},
		{"0 8 * 3 *", "0 8 * 3 *"},
		{"@every soon", "@every soon"},
	} {
		if got := describeSchedule(tc.spec); got != tc.want {
			t.Errorf("describeSchedule(%q) = %q, want %q", tc.spec, got, tc.want)
		}
	}
}
