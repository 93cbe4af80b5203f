package access

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"duban/auth"
	"duban/keys"
	"duban/models"
	"duban/rules"
	"duban/store"
)

// Notice is a supervision notice as a principal sees it.
type Notice struct {
	ID          uint64   `json:"id"`
	RuleID      string   `json:"rule"`
	RuleName    string   `json:"rule_name,omitempty"`
	SubjectKind string   `json:"subject_kind"`
	Subject     string   `json:"subject"`
	CaseNo      string   `json:"case_no,omitempty"`
	Level       string   `json:"level"`
	Title       string   `json:"title"`
	Body        string   `json:"body,omitempty"`
	Unit        string   `json:"unit"`
	UnitName    string   `json:"unit_name,omitempty"`
	Recipients  []string `json:"recipients"`
	// RecipientNames are the recipients as people read them: a unit's name
	// for its code, anything else (a role's name) as it is.
	RecipientNames []string        `json:"recipient_names,omitempty"`
	Status         string          `json:"status"`
	RaisedAt       time.Time       `json:"raised_at"`
	LastSentAt     time.Time       `json:"last_sent_at"`
	SendCount      int             `json:"send_count"`
	AckedAt        *time.Time      `json:"acked_at,omitempty"`
	AckedBy        string          `json:"acked_by,omitempty"`
	AckComment     string          `json:"ack_comment,omitempty"`
	ResolvedAt     *time.Time      `json:"resolved_at,omitempty"`
	Evidence       *rules.Evidence `json:"evidence,omitempty"`
}

// NoticeQuery filters notices as the board and the ledger export do.
type NoticeQuery struct {
	Unit, Level, Status, Rule, CaseNo string
	Since, Until                      time.Time
	Before                            uint64
	Limit                             int
}

// ParseNoticeQuery reads a notice filter from query parameters: unit,
// level, status, rule, case, since, until (dates or RFC 3339), before (the
// cursor) and limit.
func ParseNoticeQuery(v url.Values, loc *time.Location) (NoticeQuery, error) {
	q := NoticeQuery{Unit: v.Get("unit"), Level: v.Get("level"), Status: v.Get("status"), Rule: v.Get("rule"), CaseNo: v.Get("case")}
	var err error
	if q.Unit, err = keyParam("unit", keys.Unit, q.Unit); err != nil {
		return q, err
	}
	if q.CaseNo, err = keyParam("case", keys.CaseNo, q.CaseNo); err != nil {
		return q, err
	}
	if q.Level != "" && !slices.Contains(models.NoticeLevels, q.Level) {
		return q, invalidf("level %q: want one of %s", q.Level, strings.Join(models.NoticeLevels, ", "))
	}
	if q.Status != "" && q.Status != models.NoticeOpen && q.Status != models.NoticeAcknowledged && q.Status != models.NoticeResolved {
		return q, invalidf("status %q: want open, acknowledged or resolved", q.Status)
	}
	if q.Since, err = ParseTime(v.Get("since"), loc, false); err != nil {
		return q, fmt.Errorf("since: %w", err)
	}
	if q.Until, err = ParseTime(v.Get("until"), loc, true); err != nil {
		return q, fmt.Errorf("until: %w", err)
	}
	if q.Before, err = cursor(v.Get("before"), "before"); err != nil {
		return q, err
	}
	q.Limit, err = pageLimit(v.Get("limit"))
	return q, err
}

// Values renders the filter (without cursor and limit) as query parameters,
// so an export link carries exactly what is on screen.
func (q NoticeQuery) Values(loc *time.Location) url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"unit": q.Unit, "level": q.Level, "status": q.Status, "rule": q.Rule, "case": q.CaseNo} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if !q.Since.IsZero() {
		v.Set("since", q.Since.In(loc).Format(time.RFC3339))
	}
	if !q.Until.IsZero() {
		v.Set("until", q.Until.In(loc).Format(time.RFC3339))
	}
	return v
}

func (s *Service) noticeFilter(p *auth.Principal, q NoticeQuery) (store.NoticeFilter, error) {
	units, err := unitsFor(p, q.Unit)
	if err != nil {
		return store.NoticeFilter{}, err
	}
	return store.NoticeFilter{Status: q.Status, Units: units, Level: q.Level, Rule: q.Rule, CaseNo: q.CaseNo,
		Since: q.Since, Until: q.Until, Before: q.Before, Limit: q.Limit}, nil
}

// Notices lists the notices the principal may see, newest first.
func (s *Service) Notices(ctx context.Context, p *auth.Principal, q NoticeQuery) (*Page[Notice], error) {
	f, err := s.noticeFilter(p, q)
	if err != nil {
		return nil, err
	}
	if f.Units != nil && len(f.Units) == 0 {
		return &Page[Notice]{Items: []Notice{}}, nil
	}
	f.Limit = q.Limit + 1
	ns, err := s.Store.ListNotices(ctx, f)
	if err != nil {
		return nil, err
	}
	page := &Page[Notice]{Items: []Notice{}}
	if len(ns) > q.Limit {
		ns = ns[:q.Limit]
		page.Next = strconv.FormatUint(ns[len(ns)-1].ID, 10)
	}
	names, err := s.unitNames(ctx)
	if err != nil {
		return nil, err
	}
	rs := s.RuleSource.Current()
	for i := range ns {
		page.Items = append(page.Items, s.notice(p, &ns[i], names, rs, false))
	}
	return page, nil
}

// EachNotice calls fn with every notice matching q (its cursor and limit
// aside) that the principal may see, newest first, page by page; it stops
// with an error after max notices, so that an export asks for a narrower
// filter rather than running away.
func (s *Service) EachNotice(ctx context.Context, p *auth.Principal, q NoticeQuery, max int, fn func(*Notice) error) error {
	f, err := s.noticeFilter(p, q)
	if err != nil {
		return err
	}
	if f.Units != nil && len(f.Units) == 0 {
		return nil
	}
	names, err := s.unitNames(ctx)
	if err != nil {
		return err
	}
	rs := s.RuleSource.Current()
	f.Limit, f.Before = 1000, 0
	n := 0
	for {
		ns, err := s.Store.ListNotices(ctx, f)
		if err != nil {
			return err
		}
		for i := range ns {
			if n++; n > max {
				return invalidf("more than %d notices match; narrow the filter (unit, level, status, rule or dates)", max)
			}
			v := s.notice(p, &ns[i], names, rs, false)
			if err := fn(&v); err != nil {
				return err
			}
		}
		if len(ns) < f.Limit {
			return nil
		}
		f.Before = ns[len(ns)-1].ID
	}
}

// Notice returns one notice with its evidence, if the principal may see it.
func (s *Service) Notice(ctx context.Context, p *auth.Principal, id uint64) (*Notice, error) {
	n, err := s.Store.NoticeByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !p.InScope(n.UnitCode) {
		return nil, fmt.Errorf("notice %d: %w", id, ErrNotFound)
	}
	names, err := s.unitNames(ctx)
	if err != nil {
		return nil, err
	}
	v := s.notice(p, n, names, s.RuleSource.Current(), true)
	return &v, nil
}

// CountNotices counts the notices matching q by unit and level.
func (s *Service) CountNotices(ctx context.Context, p *auth.Principal, q NoticeQuery) ([]store.NoticeCount, error) {
	f, err := s.noticeFilter(p, q)
	if err != nil {
		return nil, err
	}
	return s.Store.CountNotices(ctx, f)
}

// Acknowledge marks a notice the principal may see as acknowledged by it.
func (s *Service) Acknowledge(ctx context.Context, p *auth.Principal, id uint64, comment string) (*Notice, error) {
	if !p.Can(auth.PermNoticesAck) {
		return nil, fmt.Errorf("%w: the role %s may not acknowledge notices", ErrForbidden, p.Role)
	}
	comment = strings.TrimSpace(comment)
	if utf8.RuneCountInString(comment) > 500 {
		return nil, invalidf("comment: longer than 500 characters")
	}
	n, err := s.Store.NoticeByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !p.InScope(n.UnitCode) {
		return nil, fmt.Errorf("notice %d: %w", id, ErrNotFound)
	}
	if _, err := s.Store.AckNotice(ctx, id, p.Actor(), comment); err != nil {
		return nil, err
	}
	s.Logger.Info("notice acknowledged", "notice", id, "by", p.Username, "unit", n.UnitCode)
	return s.Notice(ctx, p, id)
}

func (s *Service) notice(p *auth.Principal, n *models.Notice, names map[string]string, rs *rules.RuleSet, withEvidence bool) Notice {
	v := Notice{ID: n.ID, RuleID: n.RuleID, SubjectKind: n.SubjectKind, Subject: n.SubjectKey, CaseNo: n.CaseNo,
		Level: n.Level, Title: n.Title, Body: n.Body, Unit: n.UnitCode,
		UnitName: names[n.UnitCode], Status: n.Status, RaisedAt: n.RaisedAt, LastSentAt: n.LastSentAt,
		SendCount: n.SendCount, AckedAt: n.AckedAt, AckedBy: n.AckedBy, AckComment: n.AckComment, ResolvedAt: n.ResolvedAt,
		Recipients: []string{}}
	if rs != nil {
		if r := rs.Rule(n.RuleID); r != nil {
			v.RuleName = r.Name
		}
	}
	if n.Recipients != "" {
		json.Unmarshal([]byte(n.Recipients), &v.Recipients)
	}
	for _, r := range v.Recipients {
		if name := names[r]; name != "" {
			r = name
		}
		v.RecipientNames = append(v.RecipientNames, r)
	}
	if withEvidence {
		v.Evidence = evidence(n.Evidence)
	}
	return outgoing(p, v)
}

// evidence parses the stored evidence of why a rule fired (masked with the
// view it is part of).
func evidence(raw string) *rules.Evidence {
	if raw == "" {
		return nil
	}
	var ev rules.Evidence
	if err := json.Unmarshal([]byte(raw), &ev); err != nil {
		return &rules.Evidence{Error: "the stored evidence cannot be read: " + err.Error()}
	}
	return &ev
}

// IsNotFound reports whether err means "no such thing, or not yours to see".
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
