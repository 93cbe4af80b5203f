package api

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"duban/access"
	"duban/auth"
	"duban/casework"
	"duban/keys"
	"duban/store"
)

// Query parameters shared by several routes.
var (
	qBefore = auth.Param{Name: "before", Type: "string", Description: "cursor: the next value of the previous page"}
	qLimit  = auth.Param{Name: "limit", Type: "integer", Description: "page size, 1 to 500 (default 50)"}
	qUnit   = auth.Param{Name: "unit", Type: "string", Description: "responsible unit code (a unit user: one of its scope)"}
	qCase   = auth.Param{Name: "case", Type: "string", Description: "case number"}
	qRule   = auth.Param{Name: "rule", Type: "string", Description: "rule id"}
	qFormat = auth.Param{Name: "format", Type: "string", Description: "xlsx (default) or csv"}

	noticeParams = []auth.Param{qUnit,
		{Name: "level", Type: "string", Description: "提醒, 催办 or 督办"},
		{Name: "status", Type: "string", Description: "open, acknowledged or resolved"},
		qRule, qCase,
		{Name: "since", Type: "string", Description: "raised at or after: a date (2026-03-01, in the service's zone) or RFC 3339"},
		{Name: "until", Type: "string", Description: "raised before: a date (that whole day included) or RFC 3339"}}
	recordParams = []auth.Param{qUnit, qRule,
		{Name: "kind", Type: "string", Description: "record or review"}, qCase}
)

// Routes is every API endpoint.
func (a *API) Routes() []auth.Route {
	return []auth.Route{
		{Method: "GET", Path: Prefix + "/openapi.json", Perm: auth.PermPublic, Summary: "This API's OpenAPI 3.1 description", Handler: a.openapi},
		{Method: "GET", Path: Prefix + "/me", Perm: auth.PermSignedIn, Summary: "Who the credentials belong to: role and unit scope", Returns: "Me", Handler: a.me},
		{Method: "GET", Path: Prefix + "/units", Perm: auth.PermSignedIn, Summary: "The units the caller may see", Returns: "UnitList", Handler: a.units},

		{Method: "GET", Path: Prefix + "/notices", Perm: auth.PermNoticesRead, Summary: "Supervision notices, newest first",
			Query: append(append([]auth.Param{}, noticeParams...), qBefore, qLimit), Returns: "NoticePage", Handler: a.listNotices},
		{Method: "GET", Path: Prefix + "/notices/counts", Perm: auth.PermNoticesRead, Summary: "How many notices match, by unit and level",
			Query: noticeParams, Returns: "NoticeCounts", Handler: a.countNotices},
		{Method: "GET", Path: Prefix + "/notices/export", Perm: auth.PermNoticesRead, Summary: "The notice ledger (督办台账) as XLSX or CSV, filtered as the list",
			Query: append(append([]auth.Param{}, noticeParams...), qFormat), Returns: "file", Handler: a.exportNotices},
		{Method: "GET", Path: Prefix + "/notices/{id}", Perm: auth.PermNoticesRead, Summary: "One notice with the evidence of why its rule fired",
			Returns: "Notice", Handler: a.getNotice},
		{Method: "POST", Path: Prefix + "/notices/{id}/ack", Perm: auth.PermNoticesAck, Summary: "Acknowledge an open notice, with a comment",
			Body: "AckRequest", Returns: "Notice", Handler: a.ackNotice},

		{Method: "GET", Path: Prefix + "/cases", Perm: auth.PermCasesRead, Summary: "Cases, newest first; month+metric+unit give the cases behind a scorecard figure",
			Query: []auth.Param{qUnit, {Name: "status", Type: "string", Description: "received, accepted, assigned, closed or rejected"},
				{Name: "open", Type: "boolean", Description: "only cases still being handled"}, qCase,
				{Name: "label", Type: "string", Description: "flagged 重复访, 越级访 or 集体访"},
				{Name: "month", Type: "string", Description: "scorecard month, 2026-03"},
				{Name: "metric", Type: "string", Description: "scorecard figure: assigned, closed, ontime, late, overdue or repeat"},
				qBefore, qLimit}, Returns: "CasePage", Handler: a.listCases},
		{Method: "POST", Path: Prefix + "/cases", Perm: auth.PermCasesWrite, Summary: "Register a case (the import format's fields, checked as an import checks them)",
			Body: "CaseFields", Returns: "CaseDetail", Handler: a.createCase},
		{Method: "GET", Path: Prefix + "/cases/{case_no}", Perm: auth.PermCasesRead, Summary: "A case with its timeline, flags, notices (with evidence) and accountability entries",
			Returns: "CaseDetail", Handler: a.getCase},
		{Method: "PATCH", Path: Prefix + "/cases/{case_no}", Perm: auth.PermCasesWrite, Summary: "Correct a case's fields (null clears one)",
			Body: "CaseFields", Returns: "CaseDetail", Handler: a.updateCase},
		{Method: "POST", Path: Prefix + "/cases/{case_no}/events", Perm: auth.PermCasesHandle,
			Summary: "Record a step: accept, assign (with a deadline), extend, reject (petition office); close, return_visit, note (the responsible unit)",
			Body:    "EventRequest", Returns: "CaseDetail", Handler: a.addEvent},

		{Method: "GET", Path: Prefix + "/flags", Perm: auth.PermFlagsRead, Summary: "Abnormal-petition flags, newest first",
			Query:   []auth.Param{{Name: "label", Type: "string", Description: "重复访, 越级访 or 集体访"}, qCase, qBefore, qLimit},
			Returns: "FlagPage", Handler: a.listFlags},

		{Method: "GET", Path: Prefix + "/accountability", Perm: auth.PermAuditRead, Summary: "The accountability log (问责台账), newest first, records with their reviews",
			Query: append(append([]auth.Param{}, recordParams...), qBefore, qLimit), Returns: "RecordPage", Handler: a.listRecords},
		{Method: "GET", Path: Prefix + "/accountability/export", Perm: auth.PermAuditRead, Summary: "The accountability log as XLSX or CSV, filtered as the list",
			Query: append(append([]auth.Param{}, recordParams...), qFormat), Returns: "file", Handler: a.exportRecords},
		{Method: "GET", Path: Prefix + "/accountability/verify", Perm: auth.PermAuditRead, Summary: "Verify the hash chain: the first edited, deleted, inserted or moved entry, if any (to a unit user: whether it verifies, and its own units' entry count)",
			Returns: "ChainStatus", Handler: a.verifyChain},
		{Method: "GET", Path: Prefix + "/accountability/{seq}", Perm: auth.PermAuditRead, Summary: "One entry of the log, with its reviews",
			Returns: "Record", Handler: a.getRecord},
		{Method: "POST", Path: Prefix + "/accountability/{seq}/reviews", Perm: auth.PermAuditReview, Summary: "Confirm or dismiss a record, with a reason: a new entry of the chain",
			Body: "ReviewRequest", Returns: "Record", Handler: a.review},

		{Method: "GET", Path: Prefix + "/rules", Perm: auth.PermRulesRead, Summary: "The rules in force: schedule, next and last run, counts, errors",
			Returns: "RulesStatus", Handler: a.rules},
		{Method: "GET", Path: Prefix + "/scorecards", Perm: auth.PermScoresRead, Summary: "Unit scorecards (综合评价) per month",
			Query: []auth.Param{qUnit, {Name: "month", Type: "string", Description: "the last month, 2026-03 (default: this month)"},
				{Name: "months", Type: "integer", Description: "how many months ending with month, 1 to 24 (default 1)"}},
			Returns: "Scorecards", Handler: a.scorecards},
	}
}

func (a *API) listNotices(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	q, err := access.ParseNoticeQuery(r.URL.Query(), a.svc.Location)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	page, err := a.svc.Notices(r.Context(), p, q)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, page)
}

func (a *API) countNotices(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	q, err := access.ParseNoticeQuery(r.URL.Query(), a.svc.Location)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	counts, err := a.svc.CountNotices(r.Context(), p, q)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, NoticeCounts{Items: nonNil(counts)})
}

// NoticeCounts counts notices by unit and level.
type NoticeCounts struct {
	Items []store.NoticeCount `json:"items"`
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (a *API) exportNotices(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	q, err := access.ParseNoticeQuery(r.URL.Query(), a.svc.Location)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.exportFile(w, r, "督办台账", func(out io.Writer, format string) error {
		return a.svc.WriteNoticeLedger(r.Context(), out, p, q, format)
	})
}

func (a *API) getNotice(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	id, err := pathUint(r, "id")
	if err != nil {
		a.fail(w, r, err)
		return
	}
	n, err := a.svc.Notice(r.Context(), p, id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, n)
}

// AckRequest acknowledges a notice.
type AckRequest struct {
	Comment string `json:"comment"`
}

func (a *API) ackNotice(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	id, err := pathUint(r, "id")
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var req AckRequest
	if err := decode(w, r, &req); err != nil {
		a.fail(w, r, err)
		return
	}
	n, err := a.svc.Acknowledge(r.Context(), p, id, req.Comment)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, n)
}

func (a *API) listCases(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	q, err := a.svc.ParseCaseQuery(r.URL.Query())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	page, err := a.svc.Cases(r.Context(), p, q)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, page)
}

func (a *API) createCase(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	var fields map[string]any
	if err := decode(w, r, &fields); err != nil {
		a.fail(w, r, err)
		return
	}
	d, err := a.svc.CreateCase(r.Context(), p, fields)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Location", keys.Path(Prefix+"/cases", d.Case.CaseNo))
	writeJSON(w, http.StatusCreated, d)
}

func (a *API) getCase(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	caseNo, err := access.CaseFromPath(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	d, err := a.svc.Case(r.Context(), p, caseNo)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

func (a *API) updateCase(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	caseNo, err := access.CaseFromPath(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var patch map[string]any
	if err := decode(w, r, &patch); err != nil {
		a.fail(w, r, err)
		return
	}
	d, err := a.svc.UpdateCase(r.Context(), p, caseNo, patch)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

// EventRequest is one step of a case's handling. Times are RFC 3339 or
// dates (2026-03-20, read in the service's zone; a deadline date means the
// end of that day).
type EventRequest struct {
	Kind          string `json:"kind"`
	At            string `json:"at,omitempty"`
	Unit          string `json:"unit,omitempty"`
	DueAt         string `json:"due_at,omitempty"`
	ExtendedDueAt string `json:"extended_due_at,omitempty"`
	Comment       string `json:"comment,omitempty"`
}

// Event converts the request, reading its times in loc.
func (e EventRequest) Event(svc *access.Service) (casework.Event, error) {
	ev := casework.Event{Kind: e.Kind, Unit: e.Unit, Comment: e.Comment}
	var err error
	if ev.At, err = optTime(e.At, svc, false); err != nil {
		return ev, fieldErr("at", err)
	}
	if ev.DueAt, err = optTime(e.DueAt, svc, true); err != nil {
		return ev, fieldErr("due_at", err)
	}
	if ev.ExtendedDueAt, err = optTime(e.ExtendedDueAt, svc, true); err != nil {
		return ev, fieldErr("extended_due_at", err)
	}
	return ev, nil
}

// optTime reads an optional time; a bare date as a deadline means the end
// of that day.
func optTime(s string, svc *access.Service, deadline bool) (*time.Time, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	parse := func(s string, loc *time.Location) (time.Time, error) { return access.ParseTime(s, loc, false) }
	if deadline {
		parse = access.ParseDeadline
	}
	t, err := parse(s, svc.Location)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

func fieldErr(field string, err error) error {
	return &casework.Invalid{Errors: []casework.FieldError{{Field: field, Message: strings.TrimPrefix(err.Error(), "invalid: ")}}}
}

func (a *API) addEvent(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	caseNo, err := access.CaseFromPath(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var req EventRequest
	if err := decode(w, r, &req); err != nil {
		a.fail(w, r, err)
		return
	}
	ev, err := req.Event(a.svc)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	d, err := a.svc.RecordStep(r.Context(), p, caseNo, ev)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

func (a *API) listFlags(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	q, err := access.ParseFlagQuery(r.URL.Query())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	page, err := a.svc.Flags(r.Context(), p, q)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, page)
}

func (a *API) listRecords(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	q, err := access.ParseRecordQuery(r.URL.Query())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	page, err := a.svc.Records(r.Context(), p, q)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, page)
}

func (a *API) exportRecords(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	q, err := access.ParseRecordQuery(r.URL.Query())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.exportFile(w, r, "问责台账", func(out io.Writer, format string) error {
		return a.svc.WriteRecordLedger(r.Context(), out, p, q, format)
	})
}

func (a *API) verifyChain(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	rep, err := a.svc.Verify(r.Context(), p)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

func (a *API) getRecord(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	seq, err := pathUint(r, "seq")
	if err != nil {
		a.fail(w, r, err)
		return
	}
	rec, err := a.svc.Record(r.Context(), p, int64(seq))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rec)
}

// ReviewRequest confirms or dismisses a record.
type ReviewRequest struct {
	Decision string `json:"decision"` // confirm | dismiss
	Reason   string `json:"reason"`
}

func (a *API) review(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	seq, err := pathUint(r, "seq")
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var req ReviewRequest
	if err := decode(w, r, &req); err != nil {
		a.fail(w, r, err)
		return
	}
	rec, err := a.svc.Review(r.Context(), p, int64(seq), req.Decision, req.Reason)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, rec)
}

func (a *API) rules(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	st, err := a.svc.Rules(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (a *API) scorecards(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	v := r.URL.Query()
	month, err := access.ParseMonth(v.Get("month"), a.svc.Clock.Now(), a.svc.Location)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	months := 1
	if s := v.Get("months"); s != "" {
		if months, err = strconv.Atoi(s); err != nil {
			writeError(w, http.StatusBadRequest, "bad_request", "months "+strconv.Quote(s)+": want a number from 1 to 24", nil)
			return
		}
	}
	sc, err := a.svc.Scorecards(r.Context(), p, month, months, v.Get("unit"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, sc)
}
