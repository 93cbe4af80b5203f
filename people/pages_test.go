package people_test

import (
	"context"
	"html"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"duban/models"
)

var (
	scriptOrStyle = regexp.MustCompile(`(?s)<(script|style)\b.*?</(script|style)>`)
	anyTag        = regexp.MustCompile(`(?s)<[^>]*>`)
	spaces        = regexp.MustCompile(`\s+`)
)

// visible is the text a person reads on a page: no tags, attributes or scripts.
func visible(page string) string {
	s := scriptOrStyle.ReplaceAllString(page, " ")
	s = anyTag.ReplaceAllString(s, " ")
	return strings.TrimSpace(spaces.ReplaceAllString(html.UnescapeString(s), " "))
}

// between is the visible text of page from the element with id on, up to
// the next closing tag of kind.
func section(t *testing.T, page, start, end string) string {
	t.Helper()
	i := strings.Index(page, start)
	if i < 0 {
		t.Fatalf("the page has no %q", start)
	}
	rest := page[i:]
	if j := strings.Index(rest, end); j >= 0 {
		rest = rest[:j]
	}
	return visible(rest)
}

// TestPagesSayItInChinese reads the pages of issue 16 as each role and
// checks that what a person reads holds no English error line, no raw cron
// and no code where a name belongs.
func TestPagesSayItInChinese(t *testing.T) {
	e := sqliteEnv(t)
	browsers := map[string]*browser{}
	for _, role := range roles {
		browsers[role] = e.signIn(role)
	}
	english := regexp.MustCompile(`\b(not found|may not|forbidden|the role|invalid|ms)\b`)

	t.Run("refusals", func(t *testing.T) {
		for _, tc := range []struct {
			role, path string
			status     int
			want       string
		}{
			{models.RoleSupervisor, "/rules", http.StatusForbidden, "您的账号（督查组）无权查看规则。"},
			{models.RoleUnit, "/rules", http.StatusForbidden, "您的账号（责任单位）无权查看规则。"},
			{models.RoleSupervisor, "/notices/999999", http.StatusNotFound, "未找到该记录，或您无权查看。"},
			{models.RoleUnit, "/notices/" + strconv.FormatUint(e.foreign.NoticeID, 10), http.StatusNotFound, "未找到该记录，或您无权查看。"},
			{models.RoleUnit, "/cases/" + e.foreign.CaseNo, http.StatusNotFound, "未找到该记录，或您无权查看。"},
		} {
			status, page := browsers[tc.role].get(tc.path)
			text := visible(page)
			if status != tc.status || !strings.Contains(text, tc.want) {
				t.Errorf("%s %s: %d, want %d saying %q:\n%s", tc.role, tc.path, status, tc.status, tc.want, text)
			}
			if m := english.FindString(text); m != "" {
				t.Errorf("%s %s says %q in English:\n%s", tc.role, tc.path, m, text)
			}
		}
	})

	t.Run("header", func(t *testing.T) {
		for _, role := range roles {
			_, page := browsers[role].get("/")
			who := section(t, page, `<div class="who">`, `<form`)
			if n := strings.Count(who, "测试"+roleName(role)) + strings.Count(who, roleName(role)); n != 2 {
				// "测试督查组" holds the role once: it must not be said again.
				t.Errorf("%s: the header says %q: the role repeated or missing", role, who)
			}
			if role == models.RoleUnit && (strings.Contains(who, e.own.Unit) || !strings.Contains(who, e.unitName(e.own.Unit))) {
				t.Errorf("the unit user's header %q shows its unit's code, not its name %s", who, e.unitName(e.own.Unit))
			}
		}
	})

	t.Run("rules", func(t *testing.T) {
		_, page := browsers[models.RoleAdmin].get("/rules")
		table := section(t, page, `<table class="list" id="rules">`, `</table>`)
		for _, raw := range []string{"0 8 * * *", "@every", " ms"} {
			if strings.Contains(table, raw) {
				t.Errorf("the rules table shows %q", raw)
			}
		}
		if !strings.Contains(table, "每天 08:00") {
			t.Errorf("the rules table does not say 每天 08:00:\n%s", table)
		}
		files := section(t, page, "规则文件：", "<br>")
		if strings.Contains(files, "_test.yaml") || !strings.Contains(files, "deadline.yaml") {
			t.Errorf("the rule files listed are %q: a test file among them, or deadline.yaml missing", files)
		}
	})

	t.Run("accountability", func(t *testing.T) {
		for _, role := range roles {
			_, page := browsers[role].get("/accountability?limit=500")
			table := section(t, page, `<table class="list" id="records">`, `</table>`)
			for _, r := range e.rs.Rules {
				if strings.Contains(table, r.ID) {
					t.Errorf("%s: the accountability table shows the rule id %s where its name %s belongs", role, r.ID, r.Name)
				}
			}
			if !strings.Contains(table, "超期") {
				t.Errorf("%s: the accountability table names no deadline rule:\n%.400s", role, table)
			}
			rows := strings.Count(page, `<tr id="record-`)
			m := regexp.MustCompile(`共 (\d+) 条`).FindStringSubmatch(visible(page))
			if m == nil || m[1] != strconv.Itoa(rows) {
				t.Errorf("%s: the accountability page counts %v over %d rows", role, m, rows)
			}
		}
	})

	t.Run("notice", func(t *testing.T) {
		for _, role := range roles {
			_, page := browsers[role].get("/notices/" + strconv.FormatUint(e.own.NoticeID, 10))
			to := section(t, page, "<dt>送达</dt>", "</dd>")
			if strings.Contains(to, e.own.Unit) || !strings.Contains(to, e.unitName(e.own.Unit)) {
				t.Errorf("%s: 送达 %q shows a unit's code, not its name %s", role, to, e.unitName(e.own.Unit))
			}
		}
	})

	t.Run("board subjects", func(t *testing.T) {
		_, page := browsers[models.RoleSupervisor].get("/?limit=500&status=")
		for _, row := range strings.Split(page, `<tr id="notice-`)[1:] {
			cells := strings.Split(row, "<td")
			if len(cells) < 5 {
				continue
			}
			subject := visible("<td" + cells[4])
			if strings.HasPrefix(subject, "P") && !strings.HasPrefix(subject, "信访人") {
				t.Errorf("a notice's 信访件 / 对象 cell says %q: a petitioner's key without saying it is one", subject)
			}
		}
	})
}

func roleName(role string) string {
	switch role {
	case models.RoleAdmin:
		return "系统管理员"
	case models.RoleSupervisor:
		return "督查组"
	case models.RoleUnit:
		return "责任单位"
	}
	return "纪检监察"
}

func (e *env) unitName(code string) string {
	names, err := e.s.UnitNames(context.Background())
	if err != nil || names[code] == "" {
		e.t.Fatalf("no unit %s (%v)", code, err)
	}
	return names[code]
}
