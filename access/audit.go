package access

import (
	"context"
	"fmt"
	"net/url"
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

// Record is an entry of the accountability log: a record against a unit, or
// an inspector's review of one.
type Record struct {
	Seq      int64           `json:"seq"`
	Kind     string          `json:"kind"` // record | review
	RuleID   string          `json:"rule,omitempty"`
	RuleName string          `json:"rule_name,omitempty"`
	Subject  string          `json:"subject,omitempty"`
	CaseNo   string          `json:"case_no,omitempty"`
	Unit     string          `json:"unit,omitempty"`
	UnitName string          `json:"unit_name,omitempty"`
	Grade    string          `json:"grade,omitempty"`
	Reason   string          `json:"reason"`
	RefSeq   int64           `json:"ref_seq,omitempty"`
	Decision string          `json:"decision,omitempty"`
	Reviewer string          `json:"reviewer,omitempty"`
	At       time.Time       `json:"at"`
	Hash     string          `json:"hash" mask:"keep"`
	PrevHash string          `json:"prev_hash" mask:"keep"`
	Evidence *rules.Evidence `json:"evidence,omitempty"`
	// Reviews of a record, oldest first; the last one stands.
	Reviews []Record `json:"reviews,omitempty"`
}

// ruleName is the name of the rule in force with that id ("" if none).
func (s *Service) ruleName(id string) string {
	if rs := s.RuleSource.Current(); rs != nil && id != "" {
		if r := rs.Rule(id); r != nil {
			return r.Name
		}
	}
	return ""
}

func recordView(p *auth.Principal, r *models.AccountabilityRecord, names map[string]string) Record {
	return outgoing(p, Record{Seq: r.Seq, Kind: r.Kind, RuleID: r.RuleID, Subject: r.SubjectKey, CaseNo: r.CaseNo,
		Unit: r.UnitCode, UnitName: names[r.UnitCode], Grade: r.Grade, Reason: r.Reason, RefSeq: r.RefSeq,
		Decision: r.Decision, Reviewer: r.Reviewer, At: r.CreatedAt, Hash: r.Hash, PrevHash: r.PrevHash,
		Evidence: evidence(r.Evidence)})
}

// RecordQuery filters the accountability log.
type RecordQuery struct {
	Unit, Rule, Kind, CaseNo string
	Before                   int64
	Limit                    int
}

// ParseRecordQuery reads unit, rule, kind (record or review), case, before
// (a sequence number) and limit.
func ParseRecordQuery(v url.Values) (RecordQuery, error) {
	q := RecordQuery{Unit: v.Get("unit"), Rule: v.Get("rule"), Kind: v.Get("kind"), CaseNo: v.Get("case")}
	var err error
	if q.Unit, err = keyParam("unit", keys.Unit, q.Unit); err != nil {
		return q, err
	}
	if q.CaseNo, err = keyParam("case", keys.CaseNo, q.CaseNo); err != nil {
		return q, err
	}
	if q.Kind != "" && q.Kind != models.AccountRecord && q.Kind != models.AccountReview {
		return q, invalidf("kind %q: want record or review", q.Kind)
	}
	b, err := cursor(v.Get("before"), "before")
	if err != nil {
		return q, err
	}
	q.Before = int64(b)
	q.Limit, err = pageLimit(v.Get("limit"))
	return q, err
}

// Values renders the filter (without cursor and limit) as query parameters.
func (q RecordQuery) Values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"unit": q.Unit, "rule": q.Rule, "kind": q.Kind, "case": q.CaseNo} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

func (s *Service) recordFilter(p *auth.Principal, q RecordQuery) (store.AccountFilter, bool, error) {
	units, err := unitsFor(p, q.Unit)
	if err != nil {
		return store.AccountFilter{}, false, err
	}
	empty := units != nil && len(units) == 0
	return store.AccountFilter{Units: units, Rule: q.Rule, Kind: q.Kind, CaseNo: q.CaseNo, Before: q.Before, Limit: q.Limit}, empty, nil
}

// Records lists the accountability log as far as the principal may see it,
// newest first, each record with its reviews.
func (s *Service) Records(ctx context.Context, p *auth.Principal, q RecordQuery) (*Page[Record], error) {
	f, empty, err := s.recordFilter(p, q)
	if err != nil {
		return nil, err
	}
	page := &Page[Record]{Items: []Record{}}
	if empty {
		return page, nil
	}
	f.Limit = q.Limit + 1
	rs, err := s.Store.ListAccountability(ctx, f)
	if err != nil {
		return nil, err
	}
	if len(rs) > q.Limit {
		rs = rs[:q.Limit]
		page.Next = strconv.FormatInt(rs[len(rs)-1].Seq, 10)
	}
	names, err := s.unitNames(ctx)
	if err != nil {
		return nil, err
	}
	page.Items, err = s.withReviews(ctx, p, rs, names)
	return page, err
}

func (s *Service) withReviews(ctx context.Context, p *auth.Principal, rs []models.AccountabilityRecord, names map[string]string) ([]Record, error) {
	var seqs []int64
	for _, r := range rs {
		if r.Kind == models.AccountRecord {
			seqs = append(seqs, r.Seq)
		}
	}
	reviews, err := s.Store.ReviewsOf(ctx, seqs)
	if err != nil {
		return nil, err
	}
	out := make([]Record, 0, len(rs))
	for i := range rs {
		v := recordView(p, &rs[i], names)
		v.RuleName = s.ruleName(v.RuleID)
		for j := range reviews[rs[i].Seq] {
			v.Reviews = append(v.Reviews, recordView(p, &reviews[rs[i].Seq][j], names))
		}
		out = append(out, v)
	}
	return out, nil
}

// EachRecord calls fn with every entry matching q that the principal may
// see, newest first; more than max is an error asking for a narrower filter.
func (s *Service) EachRecord(ctx context.Context, p *auth.Principal, q RecordQuery, max int, fn func(*Record) error) error {
	f, empty, err := s.recordFilter(p, q)
	if err != nil || empty {
		return err
	}
	names, err := s.unitNames(ctx)
	if err != nil {
		return err
	}
	f.Limit, f.Before = 1000, 0
	n := 0
	for {
		rs, err := s.Store.ListAccountability(ctx, f)
		if err != nil {
			return err
		}
		page, err := s.withReviews(ctx, p, rs, names)
		if err != nil {
			return err
		}
		for i := range page {
			if n++; n > max {
				return invalidf("more than %d entries match; narrow the filter (unit, rule, kind or case)", max)
			}
			if err := fn(&page[i]); err != nil {
				return err
			}
		}
		if len(rs) < f.Limit {
			return nil
		}
		f.Before = rs[len(rs)-1].Seq
	}
}

// Record returns one entry the principal may see, with its reviews.
func (s *Service) Record(ctx context.Context, p *auth.Principal, seq int64) (*Record, error) {
	r, err := s.Store.AccountabilityBySeq(ctx, seq)
	if err != nil {
		return nil, err
	}
	if !p.InScope(r.UnitCode) {
		return nil, fmt.Errorf("accountability record %d: %w", seq, ErrNotFound)
	}
	names, err := s.unitNames(ctx)
	if err != nil {
		return nil, err
	}
	out, err := s.withReviews(ctx, p, []models.AccountabilityRecord{*r}, names)
	if err != nil {
		return nil, err
	}
	return &out[0], nil
}

// Review records an inspector's decision on a record — confirm or dismiss,
// with a reason — as a new entry of the chain; the record is not changed.
func (s *Service) Review(ctx context.Context, p *auth.Principal, seq int64, decision, reason string) (*Record, error) {
	if !p.Can(auth.PermAuditReview) {
		return nil, fmt.Errorf("%w: only inspectors review accountability records", ErrForbidden)
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, invalidf("reason: say why you confirm or dismiss the record")
	}
	if utf8.RuneCountInString(reason) > 1000 {
		return nil, invalidf("reason: longer than 1000 characters")
	}
	if decision != store.DecisionConfirm && decision != store.DecisionDismiss {
		return nil, invalidf("decision %q: want confirm or dismiss", decision)
	}
	r, err := s.Store.AccountabilityBySeq(ctx, seq)
	if err != nil {
		return nil, err
	}
	if r.Kind != models.AccountRecord {
		return nil, invalidf("entry %d is a review; review the record it refers to (%d)", seq, r.RefSeq)
	}
	rev, err := s.Store.AppendReview(ctx, seq, decision, reason, p.Actor())
	if err != nil {
		return nil, err
	}
	s.Logger.Info("accountability record reviewed", "record", seq, "review", rev.Seq, "decision", decision, "by", p.Username)
	return s.Record(ctx, p, seq)
}

// ChainStatus is the verification of the accountability chain as far as
// the principal may know it. The chain is one for the whole county, so its
// length, head and the place it breaks tell how many entries every unit has:
// a unit user learns only whether it verifies and how many entries its own
// units have.
type ChainStatus struct {
	OK bool `json:"ok"`
	// Scope is what Records counts: "all" entries, or "units": those
	// against the unit user's units only.
	Scope    string `json:"scope"`
	Records  int64  `json:"records"`
	HeadSeq  int64  `json:"head_seq,omitempty"`
	HeadHash string `json:"head_hash,omitempty"`
	// First is where the chain first fails (not shown to unit users).
	First *store.ChainProblem `json:"first_problem,omitempty"`
	// Problem says, when the chain fails, what to do about it.
	Problem string `json:"problem,omitempty"`
}

// Verify walks the accountability chain.
func (s *Service) Verify(ctx context.Context, p *auth.Principal) (*ChainStatus, error) {
	rep, err := s.Store.VerifyChain(ctx)
	if err != nil {
		return nil, err
	}
	if !p.Scoped() {
		st := &ChainStatus{OK: rep.OK, Scope: "all", Records: rep.Records, HeadSeq: rep.HeadSeq, HeadHash: rep.HeadHash, First: rep.First}
		if rep.First != nil {
			st.Problem = rep.First.Problem
		}
		return st, nil
	}
	n, err := s.Store.CountAccountability(ctx, p.Scope())
	if err != nil {
		return nil, err
	}
	st := &ChainStatus{OK: rep.OK, Scope: "units", Records: n}
	if !rep.OK {
		st.Problem = "the accountability chain does not verify; an inspector or administrator can see where (duban audit verify)"
	}
	return st, nil
}
