package web

import (
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"duban/access"
	"duban/auth"
	"duban/casework"
	"duban/keys"
	"duban/models"
	"duban/store"
)

// Routes is every page and form.
func (w *Web) Routes() []auth.Route {
	return []auth.Route{
		{Method: "GET", Path: "/static/{file...}", Perm: auth.PermPublic, Summary: "embedded assets (CSS, scripts, ECharts)", Handler: w.serveStatic},
		{Method: "GET", Path: "/login", Perm: auth.PermPublic, Summary: "sign-in page", Handler: w.loginPage},
		{Method: "POST", Path: "/login", Perm: auth.PermPublic, Summary: "sign in", Handler: w.login},
		{Method: "POST", Path: "/logout", Perm: auth.PermSignedIn, Summary: "sign out", Handler: w.logout},
		{Method: "GET", Path: "/{$}", Perm: auth.PermNoticesRead, Summary: "督办看板: open notices by level and unit", Handler: w.board},
		{Method: "GET", Path: "/notices/{id}", Perm: auth.PermNoticesRead, Summary: "a notice with its evidence", Handler: w.noticePage},
		{Method: "POST", Path: "/notices/{id}/ack", Perm: auth.PermNoticesAck, Summary: "acknowledge a notice", Handler: w.ack},
		{Method: "GET", Path: "/cases", Perm: auth.PermCasesRead, Summary: "case list and scorecard drill-down", Handler: w.casesPage},
		{Method: "GET", Path: "/cases/{case_no}", Perm: auth.PermCasesRead, Summary: "case detail: timeline, flags, notices with evidence", Handler: w.casePage},
		{Method: "POST", Path: "/cases/{case_no}/events", Perm: auth.PermCasesHandle, Summary: "record a step of a case", Handler: w.caseStep},
		{Method: "GET", Path: "/accountability", Perm: auth.PermAuditRead, Summary: "问责台账 with the chain's verification", Handler: w.recordsPage},
		{Method: "POST", Path: "/accountability/{seq}/review", Perm: auth.PermAuditReview, Summary: "review a record", Handler: w.review},
		{Method: "GET", Path: "/scorecard", Perm: auth.PermScoresRead, Summary: "综合评价 unit scorecards with charts", Handler: w.scorecardPage},
		{Method: "GET", Path: "/rules", Perm: auth.PermRulesRead, Summary: "规则: loaded rules, schedules, last runs, errors", Handler: w.rulesPage},
	}
}

func (w *Web) serveStatic(rw http.ResponseWriter, r *http.Request, _ *auth.Principal) {
	rw.Header().Set("Cache-Control", "public, max-age=3600")
	w.static.ServeHTTP(rw, r)
}

type loginData struct {
	CSRF, Next, Username, Error string
	// Notice says why the browser was sent here (its session ended).
	Notice string
}

func (w *Web) loginPage(rw http.ResponseWriter, r *http.Request, p *auth.Principal) {
	next := localTarget(r.URL.Query().Get("next"), "/")
	if p != nil {
		http.Redirect(rw, r, next, http.StatusSeeOther)
		return
	}
	d := loginData{CSRF: w.authn.LoginCSRF(rw, r), Next: next}
	if r.URL.Query().Has("ended") {
		d.Notice = "登录已过期或已退出，请重新登录。"
	}
	w.render(rw, r, http.StatusOK, "login", page{Title: "登录", Data: d})
}

func (w *Web) login(rw http.ResponseWriter, r *http.Request, _ *auth.Principal) {
	next := localTarget(r.PostFormValue("next"), "/")
	username := r.PostFormValue("username")
	fail := func(status int, msg string) {
		w.render(rw, r, status, "login", page{Title: "登录",
			Data: loginData{CSRF: w.authn.LoginCSRF(rw, r), Next: next, Username: username, Error: msg}})
	}
	if !auth.CheckLoginCSRF(r) {
		fail(http.StatusForbidden, "登录表单已过期，请重新输入。")
		return
	}
	p, err := w.authn.SignIn(rw, r, username, r.PostFormValue("password"))
	var th *auth.Throttled
	switch {
	case errors.As(err, &th):
		rw.Header().Set("Retry-After", auth.RetryAfter(th.Wait))
		fail(http.StatusTooManyRequests, "登录失败次数过多，"+tryAgainIn(th.Wait))
		return
	case errors.Is(err, auth.ErrBadCredentials):
		fail(http.StatusUnauthorized, "用户名或密码错误，或账号已停用。")
		return
	case err != nil:
		w.Failed(rw, r, err)
		return
	}
	if next == "/" && p.Role == models.RoleInspector {
		next = "/accountability"
	}
	http.Redirect(rw, r, next, http.StatusSeeOther)
}

func (w *Web) logout(rw http.ResponseWriter, r *http.Request, _ *auth.Principal) {
	if err := w.authn.SignOut(rw, r); err != nil {
		w.Failed(rw, r, err)
		return
	}
	http.Redirect(rw, r, "/login", http.StatusSeeOther)
}

// boardData is the supervision board.
type boardData struct {
	Query      access.NoticeQuery
	Filter     url.Values // the filter as on screen, for links and exports
	Counts     map[string]int64
	Total      int64
	ByUnit     []unitCounts
	Notices    *access.Page[access.Notice]
	Units      []models.Unit
	Rules      []ruleOption
	Since      string
	Until      string
	Back       string
	ExportXLSX string
	ExportCSV  string
}

type unitCounts struct {
	Unit, Name string
	Levels     map[string]int64
	Total      int64
}

type ruleOption struct{ ID, Name string }

func (w *Web) board(rw http.ResponseWriter, r *http.Request, p *auth.Principal) {
	ctx := r.Context()
	v := r.URL.Query()
	if _, ok := v["status"]; !ok {
		v.Set("status", models.NoticeOpen) // the board shows what awaits action unless told otherwise
	}
	q, err := access.ParseNoticeQuery(v, w.svc.Location)
	if err != nil {
		w.fail(rw, r, p, err)
		return
	}
	counts, err := w.svc.CountNotices(ctx, p, q)
	if err != nil {
		w.fail(rw, r, p, err)
		return
	}
	notices, err := w.svc.Notices(ctx, p, q)
	if err != nil {
		w.fail(rw, r, p, err)
		return
	}
	units, err := w.svc.Units(ctx, p)
	if err != nil {
		w.fail(rw, r, p, err)
		return
	}
	names := map[string]string{}
	for _, u := range units {
		names[u.Code] = u.Name
	}
	d := boardData{Query: q, Notices: notices, Units: units, Counts: map[string]int64{}, Back: r.URL.RequestURI()}
	byUnit := map[string]*unitCounts{}
	for _, c := range counts {
		d.Counts[c.Level] += c.Count
		d.Total += c.Count
		u := byUnit[c.UnitCode]
		if u == nil {
			u = &unitCounts{Unit: c.UnitCode, Name: names[c.UnitCode], Levels: map[string]int64{}}
			byUnit[c.UnitCode] = u
		}
		u.Levels[c.Level] += c.Count
		u.Total += c.Count
	}
	for _, u := range byUnit {
		d.ByUnit = append(d.ByUnit, *u)
	}
	sort.Slice(d.ByUnit, func(i, j int) bool {
		a, b := d.ByUnit[i], d.ByUnit[j]
		if a.Levels["督办"] != b.Levels["督办"] {
			return a.Levels["督办"] > b.Levels["督办"]
		}
		if a.Total != b.Total {
			return a.Total > b.Total
		}
		return a.Unit < b.Unit
	})
	if rs := w.svc.RuleSource.Current(); rs != nil {
		for _, rl := range rs.Rules {
			d.Rules = append(d.Rules, ruleOption{ID: rl.ID, Name: rl.Name})
		}
	}
	d.Filter = q.Values(w.svc.Location)
	if !q.Since.IsZero() {
		d.Since = q.Since.In(w.svc.Location).Format("2006-01-02")
	}
	if !q.Until.IsZero() {
		d.Until = q.Until.Add(-time.Second).In(w.svc.Location).Format("2006-01-02")
	}
	ex := q.Values(w.svc.Location)
	ex.Set("format", "xlsx")
	d.ExportXLSX = "/api/v1/notices/export?" + ex.Encode()
	ex.Set("format", "csv")
	d.ExportCSV = "/api/v1/notices/export?" + ex.Encode()
	w.render(rw, r, http.StatusOK, "board", page{Title: "督办看板", Nav: "board", P: p, Data: d})
}

func pathID(r *http.Request, name string) (uint64, error) {
	n, err := strconv.ParseUint(r.PathValue(name), 10, 64)
	if err != nil || n == 0 {
		return 0, access.ErrNotFound
	}
	return n, nil
}

func (w *Web) noticePage(rw http.ResponseWriter, r *http.Request, p *auth.Principal) {
	id, err := pathID(r, "id")
	if err == nil {
		var n *access.Notice
		if n, err = w.svc.Notice(r.Context(), p, id); err == nil {
			w.render(rw, r, http.StatusOK, "notice", page{Title: "督办通知 " + strconv.FormatUint(id, 10), Nav: "board", P: p,
				Data: struct {
					N    *access.Notice
					Back string
				}{n, r.URL.RequestURI()}})
			return
		}
	}
	w.fail(rw, r, p, err)
}

func (w *Web) ack(rw http.ResponseWriter, r *http.Request, p *auth.Principal) {
	id, err := pathID(r, "id")
	if err == nil {
		_, err = w.svc.Acknowledge(r.Context(), p, id, r.PostFormValue("comment"))
	}
	if msg := problem(err); err != nil && msg != "" && !errors.Is(err, access.ErrNotFound) {
		done(rw, r, "/", false, msg)
		return
	}
	if err != nil {
		w.fail(rw, r, p, err)
		return
	}
	done(rw, r, "/", true, "已签收督办通知 "+strconv.FormatUint(id, 10)+"。")
}

type casesData struct {
	Query    access.CaseQuery
	Filter   url.Values
	Cases    *access.Page[access.Case]
	Units    []models.Unit
	Metric   string
	Month    string
	Unit     string
	UnitName string
}

var metricNames = map[string]string{
	store.MetricAssigned: "交办件", store.MetricClosed: "办结件", store.MetricOnTime: "按期办结件",
	store.MetricLate: "逾期办结件", store.MetricOverdue: "超期件", store.MetricRepeat: "重复访件",
}

func (w *Web) casesPage(rw http.ResponseWriter, r *http.Request, p *auth.Principal) {
	v := r.URL.Query()
	q, err := w.svc.ParseCaseQuery(v)
	if err != nil {
		w.fail(rw, r, p, err)
		return
	}
	cases, err := w.svc.Cases(r.Context(), p, q)
	if err != nil {
		w.fail(rw, r, p, err)
		return
	}
	units, err := w.svc.Units(r.Context(), p)
	if err != nil {
		w.fail(rw, r, p, err)
		return
	}
	filter := url.Values{}
	for k, vs := range v {
		if k != "before" && k != "limit" {
			filter[k] = vs
		}
	}
	d := casesData{Query: q, Filter: filter, Cases: cases, Units: units, Metric: metricNames[q.Metric], Unit: q.Unit, UnitName: q.Unit}
	for _, u := range units {
		if u.Code == q.Unit {
			d.UnitName = u.Name
		}
	}
	if !q.Month.IsZero() {
		d.Month = q.Month.In(w.svc.Location).Format("2006-01")
	}
	w.render(rw, r, http.StatusOK, "cases", page{Title: "信访件", Nav: "cases", P: p, Data: d})
}

type caseData struct {
	D     *access.CaseDetail
	Units []models.Unit
	Back  string
	Today string
}

func (w *Web) casePage(rw http.ResponseWriter, r *http.Request, p *auth.Principal) {
	caseNo, err := access.CaseFromPath(r)
	if err != nil {
		w.fail(rw, r, p, err)
		return
	}
	d, err := w.svc.Case(r.Context(), p, caseNo)
	if err != nil {
		w.fail(rw, r, p, err)
		return
	}
	units, err := w.svc.Units(r.Context(), p)
	if err != nil {
		w.fail(rw, r, p, err)
		return
	}
	w.render(rw, r, http.StatusOK, "case", page{Title: "信访件 " + d.Case.CaseNo, Nav: "cases", P: p,
		Data: caseData{D: d, Units: units, Back: r.URL.RequestURI(), Today: w.svc.Clock.Now().In(w.svc.Location).Format("2006-01-02")}})
}

func (w *Web) caseStep(rw http.ResponseWriter, r *http.Request, p *auth.Principal) {
	caseNo, err := access.CaseFromPath(r)
	if err != nil {
		w.fail(rw, r, p, err)
		return
	}
	back := keys.Path("/cases", caseNo)
	ev := casework.Event{Kind: r.PostFormValue("kind"), Unit: r.PostFormValue("unit"), Comment: r.PostFormValue("comment")}
	loc := w.svc.Location
	for _, f := range []struct {
		field string
		dst   **time.Time
	}{{"due_at", &ev.DueAt}, {"extended_due_at", &ev.ExtendedDueAt}} {
		if s := strings.TrimSpace(r.PostFormValue(f.field)); s != "" {
			t, err := access.ParseDeadline(s, loc)
			if err != nil {
				done(rw, r, back, false, "日期格式有误："+s)
				return
			}
			*f.dst = &t
		}
	}
	if _, err := w.svc.RecordStep(r.Context(), p, caseNo, ev); err != nil {
		if errors.Is(err, access.ErrNotFound) {
			w.fail(rw, r, p, err)
			return
		}
		if msg := problem(err); msg != "" {
			done(rw, r, back, false, msg)
			return
		}
		w.Failed(rw, r, err)
		return
	}
	done(rw, r, back, true, "已记录："+stepName(ev.Kind)+"。")
}

type recordsData struct {
	Query      access.RecordQuery
	Records    *access.Page[access.Record]
	Chain      *access.ChainStatus
	Units      []models.Unit
	Rules      []ruleOption
	Filter     url.Values
	Back       string
	ExportXLSX string
	ExportCSV  string
}

func (w *Web) recordsPage(rw http.ResponseWriter, r *http.Request, p *auth.Principal) {
	ctx := r.Context()
	q, err := access.ParseRecordQuery(r.URL.Query())
	if err != nil {
		w.fail(rw, r, p, err)
		return
	}
	recs, err := w.svc.Records(ctx, p, q)
	if err != nil {
		w.fail(rw, r, p, err)
		return
	}
	chain, err := w.svc.Verify(ctx, p)
	if err != nil {
		w.fail(rw, r, p, err)
		return
	}
	units, err := w.svc.Units(ctx, p)
	if err != nil {
		w.fail(rw, r, p, err)
		return
	}
	d := recordsData{Query: q, Records: recs, Chain: chain, Units: units, Filter: q.Values(), Back: r.URL.RequestURI()}
	if rs := w.svc.RuleSource.Current(); rs != nil {
		for _, rl := range rs.Rules {
			if rl.Accountability != nil {
				d.Rules = append(d.Rules, ruleOption{ID: rl.ID, Name: rl.Name})
			}
		}
	}
	ex := q.Values()
	ex.Set("format", "xlsx")
	d.ExportXLSX = "/api/v1/accountability/export?" + ex.Encode()
	ex.Set("format", "csv")
	d.ExportCSV = "/api/v1/accountability/export?" + ex.Encode()
	w.render(rw, r, http.StatusOK, "accountability", page{Title: "问责台账", Nav: "accountability", P: p, Data: d})
}

func (w *Web) review(rw http.ResponseWriter, r *http.Request, p *auth.Principal) {
	seq, err := pathID(r, "seq")
	if err == nil {
		_, err = w.svc.Review(r.Context(), p, int64(seq), r.PostFormValue("decision"), r.PostFormValue("reason"))
	}
	if err != nil {
		if msg := problem(err); msg != "" && !errors.Is(err, access.ErrNotFound) {
			done(rw, r, "/accountability", false, msg)
			return
		}
		w.fail(rw, r, p, err)
		return
	}
	done(rw, r, "/accountability", true, "已记录对第 "+strconv.FormatUint(seq, 10)+" 条问责记录的审查意见（"+
		access.DecisionName(r.PostFormValue("decision"))+"）。")
}

type scoreData struct {
	Month  string
	Unit   string
	Units  []models.Unit
	Rows   []scoreRow
	Totals store.UnitScore
	Chart  chartData
}

type scoreRow struct {
	store.UnitScore
	Name string
}

// chartData is what the page's script draws with ECharts.
type chartData struct {
	Month  string       `json:"month"`
	Units  []chartUnit  `json:"units"`
	Trend  []chartMonth `json:"trend"`
	Levels []string     `json:"levels"`
	Link   string       `json:"link"` // drill-down URL prefix
}

type chartUnit struct {
	Code    string   `json:"code"`
	Name    string   `json:"name"`
	OnTime  *float64 `json:"on_time_rate"`
	Overdue int      `json:"overdue"`
	Notices int      `json:"notices"`
}

type chartMonth struct {
	Month    string   `json:"month"`
	Assigned int      `json:"assigned"`
	Closed   int      `json:"closed"`
	Overdue  int      `json:"overdue"`
	OnTime   *float64 `json:"on_time_rate"`
	Notices  int      `json:"notices"`
}

func (w *Web) scorecardPage(rw http.ResponseWriter, r *http.Request, p *auth.Principal) {
	ctx := r.Context()
	v := r.URL.Query()
	month, err := access.ParseMonth(v.Get("month"), w.svc.Clock.Now(), w.svc.Location)
	if err != nil {
		w.fail(rw, r, p, err)
		return
	}
	unit := v.Get("unit")
	sc, err := w.svc.Scorecards(ctx, p, month, 6, unit)
	if err != nil {
		w.fail(rw, r, p, err)
		return
	}
	units, err := w.svc.Units(ctx, p)
	if err != nil {
		w.fail(rw, r, p, err)
		return
	}
	label := month.In(w.svc.Location).Format("2006-01")
	d := scoreData{Month: label, Unit: unit, Units: units, Totals: store.UnitScore{NoticesByLevel: map[string]int{}}}
	d.Chart = chartData{Month: label, Levels: models.NoticeLevels, Link: "/cases?" + access.QueryString("month", label, "metric", "overdue") + "&unit="}
	last := sc.Scores[len(sc.Scores)-1]
	for _, s := range last {
		d.Rows = append(d.Rows, scoreRow{UnitScore: s, Name: sc.Units[s.Unit]})
		d.Totals.Assigned += s.Assigned
		d.Totals.Closed += s.Closed
		d.Totals.ClosedOnTime += s.ClosedOnTime
		d.Totals.Overdue += s.Overdue
		d.Totals.Repeat += s.Repeat
		d.Totals.Notices += s.Notices
		d.Totals.Accountability += s.Accountability
		for l, n := range s.NoticesByLevel {
			d.Totals.NoticesByLevel[l] += n
		}
		if s.Assigned+s.Closed+s.Overdue > 0 && sc.Units[s.Unit] != "" {
			d.Chart.Units = append(d.Chart.Units, chartUnit{Code: s.Unit, Name: sc.Units[s.Unit], OnTime: s.OnTimeRate, Overdue: s.Overdue, Notices: s.Notices})
		}
	}
	d.Totals.OnTimeRate, d.Totals.RepeatRate = rate(d.Totals.ClosedOnTime, d.Totals.Closed), rate(d.Totals.Repeat, d.Totals.Assigned)
	sort.SliceStable(d.Rows, func(i, j int) bool {
		if d.Rows[i].Overdue != d.Rows[j].Overdue {
			return d.Rows[i].Overdue > d.Rows[j].Overdue
		}
		return d.Rows[i].Unit < d.Rows[j].Unit
	})
	sort.SliceStable(d.Chart.Units, func(i, j int) bool { return d.Chart.Units[i].Overdue > d.Chart.Units[j].Overdue })
	for i, m := range sc.Months {
		cm := chartMonth{Month: m}
		closedOnTime := 0
		for _, s := range sc.Scores[i] {
			cm.Assigned += s.Assigned
			cm.Closed += s.Closed
			cm.Overdue += s.Overdue
			cm.Notices += s.Notices
			closedOnTime += s.ClosedOnTime
		}
		cm.OnTime = rate(closedOnTime, cm.Closed)
		d.Chart.Trend = append(d.Chart.Trend, cm)
	}
	w.render(rw, r, http.StatusOK, "scorecard", page{Title: "综合评价", Nav: "scorecard", P: p, Data: d})
}

func rate(n, of int) *float64 {
	if of == 0 {
		return nil
	}
	r := float64(n) / float64(of)
	return &r
}

func (w *Web) rulesPage(rw http.ResponseWriter, r *http.Request, p *auth.Principal) {
	st, err := w.svc.Rules(r.Context())
	if err != nil {
		w.fail(rw, r, p, err)
		return
	}
	w.render(rw, r, http.StatusOK, "rules", page{Title: "规则", Nav: "rules", P: p, Data: st})
}
