package web

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/url"
	"strings"
	"time"

	"duban/access"
	"duban/auth"
	"duban/keys"
	"duban/models"
)

func (w *Web) funcs() template.FuncMap {
	loc := w.svc.Location
	return template.FuncMap{
		"datetime": func(v any) string {
			t, ok := timeOf(v)
			if !ok {
				return "—"
			}
			return t.In(loc).Format("2006-01-02 15:04")
		},
		"date": func(v any) string {
			t, ok := timeOf(v)
			if !ok {
				return "—"
			}
			return t.In(loc).Format("2006-01-02")
		},
		"isoDate": func(v any) string {
			t, ok := timeOf(v)
			if !ok {
				return ""
			}
			return t.In(loc).Format("2006-01-02")
		},
		"roleName": auth.RoleName,
		"schedule": describeSchedule,
		"contains": strings.Contains,
		// roleShown is the role to show beside a display name: none when
		// the name already says it ("督查组 张伟", "系统管理员").
		"roleShown": func(p *auth.Principal) string {
			if role := auth.RoleName(p.Role); !strings.Contains(p.Name, role) {
				return role
			}
			return ""
		},
		"noticeStatus": access.NoticeStatusName,
		"decisionName": access.DecisionName,
		"kindName":     access.KindName,
		"caseStatus":   caseStatusName,
		"eventName":    eventName,
		"stepName":     stepName,
		"channelName":  channelName,
		"subjectName":  subjectName,
		"eventDetail":  func(d string) string { return eventDetail(d, loc) },
		"levelClass": func(level string) string {
			switch level {
			case "督办":
				return "lv-3"
			case "催办":
				return "lv-2"
			}
			return "lv-1"
		},
		"can": func(p *auth.Principal, perm string) bool { return p.Can(auth.Perm(perm)) },
		"pct": func(r *float64) string {
			if r == nil {
				return "—"
			}
			return fmt.Sprintf("%.1f%%", *r*100)
		},
		// caseLink is a case page's address, its number escaped as a path
		// segment: every link to a case is built here.
		"caseLink": func(caseNo string) string { return keys.Path("/cases", caseNo) },
		"query":    func(kv ...string) template.URL { return template.URL(access.QueryString(kv...)) },
		"setq": func(v url.Values, kv ...string) template.URL {
			out := url.Values{}
			for k, vs := range v {
				out[k] = vs
			}
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i+1] == "" {
					out.Del(kv[i])
				} else {
					out.Set(kv[i], kv[i+1])
				}
			}
			return template.URL(out.Encode())
		},
		"json": func(v any) (template.JS, error) {
			b, err := json.Marshal(v)
			return template.JS(b), err
		},
		"levels": func() []string { return models.NoticeLevels },
		"labels": func() []string { return []string{models.FlagRepeat, models.FlagEscalated, models.FlagGroup} },
		"add":    func(a, b int) int { return a + b },
		"deref": func(p *float64) float64 {
			if p == nil {
				return 0
			}
			return *p
		},
	}
}

func timeOf(v any) (time.Time, bool) {
	switch t := v.(type) {
	case time.Time:
		return t, !t.IsZero()
	case *time.Time:
		if t == nil {
			return time.Time{}, false
		}
		return *t, !t.IsZero()
	}
	return time.Time{}, false
}

func caseStatusName(s string) string {
	switch s {
	case models.StatusReceived:
		return "已登记"
	case models.StatusAccepted:
		return "已受理"
	case models.StatusAssigned:
		return "已交办"
	case models.StatusClosed:
		return "已办结"
	case models.StatusRejected:
		return "不予受理"
	}
	return s
}

// eventName names a timeline event kind.
func eventName(k string) string {
	switch k {
	case "received":
		return "登记"
	case "accepted":
		return "受理"
	case "assigned":
		return "交办"
	case "deadline":
		return "调整期限"
	case "extended":
		return "延期"
	case "closed":
		return "办结"
	case "rejected":
		return "不予受理"
	case "return_visit":
		return "回访"
	case "updated":
		return "修改"
	case "note":
		return "进展"
	}
	return k
}

// stepName names a step a person records.
func stepName(k string) string {
	switch k {
	case "accept":
		return "受理"
	case "assign":
		return "交办"
	case "extend":
		return "批准延期"
	case "reject":
		return "不予受理"
	case "close":
		return "办结"
	case "return_visit":
		return "回访"
	case "note":
		return "报告进展"
	}
	return k
}

func channelName(c string) string {
	switch c {
	case "visit":
		return "来访"
	case "letter":
		return "来信"
	case "online":
		return "网上信访"
	case "phone":
		return "电话"
	case "leader_reception":
		return "领导接访"
	}
	return c
}

// eventDetail shows the details the timeline records in Chinese: the
// deadlines and channel that imports note ("due 2026-02-13T15:59:59Z",
// "extended to …", "channel=phone") and, after them, what people wrote.
func eventDetail(d string, loc *time.Location) string {
	d = strings.TrimSpace(d)
	for _, p := range []struct{ prefix, label string }{{"extended to ", "延期至 "}, {"due ", "办理期限 "}} {
		if rest, ok := strings.CutPrefix(d, p.prefix); ok {
			stamp, more, _ := strings.Cut(rest, " ")
			if t, err := time.Parse(time.RFC3339, stamp); err == nil {
				return strings.TrimSpace(p.label + t.In(loc).Format("2006-01-02") + " " + more)
			}
		}
	}
	if rest, ok := strings.CutPrefix(d, "channel="); ok {
		ch, more, _ := strings.Cut(rest, " ")
		return strings.TrimSpace("渠道：" + channelName(ch) + " " + more)
	}
	return d
}

func subjectName(k string) string {
	switch k {
	case models.SubjectCase:
		return "信访件"
	case models.SubjectPetitioner:
		return "信访人"
	case models.SubjectSlot:
		return "接访排班"
	}
	return k
}
