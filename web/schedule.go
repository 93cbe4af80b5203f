package web

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// describeSchedule says a rule's schedule in Chinese for the shapes rule
// files use: "@every 1h" (每 1 小时), a daily, weekday or hourly cron
// ("0 8 * * *" → 每天 08:00), the descriptors (@daily, @hourly …). Any
// other spec is shown as it is written.
func describeSchedule(spec string) string {
	spec = strings.TrimSpace(spec)
	// The zone prefix is the rule set's own (shown on the page once).
	if f := strings.Fields(spec); len(f) > 1 && (strings.HasPrefix(f[0], "CRON_TZ=") || strings.HasPrefix(f[0], "TZ=")) {
		spec = strings.Join(f[1:], " ")
	}
	switch spec {
	case "@hourly":
		return "每小时整点"
	case "@daily", "@midnight":
		return "每天 00:00"
	case "@weekly":
		return "每周日 00:00"
	case "@monthly":
		return "每月 1 日 00:00"
	case "@yearly", "@annually":
		return "每年 1 月 1 日 00:00"
	}
	if rest, ok := strings.CutPrefix(spec, "@every "); ok {
		if d, err := time.ParseDuration(strings.TrimSpace(rest)); err == nil && d > 0 {
			return "每 " + durationWords(d)
		}
		return spec
	}
	f := strings.Fields(spec)
	if len(f) != 5 || f[3] != "*" {
		return spec
	}
	minute, hour, dom, dow := f[0], f[1], f[2], f[4]
	m, mErr := strconv.Atoi(minute)
	if mErr != nil || m < 0 || m > 59 {
		if every, ok := strings.CutPrefix(minute, "*/"); ok && hour == "*" && dom == "*" && dow == "*" {
			if n, err := strconv.Atoi(every); err == nil && n > 0 {
				return fmt.Sprintf("每 %d 分钟", n)
			}
		}
		return spec
	}
	if hour == "*" && dom == "*" && dow == "*" {
		return fmt.Sprintf("每小时第 %d 分", m)
	}
	var times []string
	for _, h := range strings.Split(hour, ",") {
		n, err := strconv.Atoi(h)
		if err != nil || n < 0 || n > 23 {
			return spec
		}
		times = append(times, fmt.Sprintf("%02d:%02d", n, m))
	}
	at := strings.Join(times, "、")
	switch {
	case dom == "*" && dow == "*":
		return "每天 " + at
	case dom == "*" && (dow == "1-5" || dow == "MON-FRI"):
		return "每周一至周五 " + at
	case dom == "*":
		if d, err := strconv.Atoi(dow); err == nil && d >= 0 && d <= 7 {
			return "每" + weekdayNames[d%7] + " " + at
		}
	case dow == "*":
		if d, err := strconv.Atoi(dom); err == nil && d >= 1 && d <= 31 {
			return fmt.Sprintf("每月 %d 日 %s", d, at)
		}
	}
	return spec
}

var weekdayNames = [7]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}

// durationWords says a duration in Chinese units: 1 小时, 30 分钟, 1 小时 30 分钟.
func durationWords(d time.Duration) string {
	var parts []string
	if days := d / (24 * time.Hour); days > 0 && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%d 天", days)
	}
	if h := d / time.Hour; h > 0 {
		parts = append(parts, fmt.Sprintf("%d 小时", h))
		d -= h * time.Hour
	}
	if m := d / time.Minute; m > 0 {
		parts = append(parts, fmt.Sprintf("%d 分钟", m))
		d -= m * time.Minute
	}
	if s := d / time.Second; s > 0 || len(parts) == 0 {
		parts = append(parts, fmt.Sprintf("%d 秒", s))
	}
	return strings.Join(parts, " ")
}
