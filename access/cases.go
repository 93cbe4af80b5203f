package access

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"duban/auth"
	"duban/casework"
	"duban/keys"
	"duban/mask"
	"duban/models"
	"duban/rules"
	"duban/store"
)

// Case is a case as a principal sees it: the petitioner's identity and
// phone numbers are masked unless the principal handles the case.
type Case struct {
	CaseNo             string     `json:"case_no"`
	PetitionerID       string     `json:"petitioner_id,omitempty"`
	PetitionerName     string     `json:"petitioner_name,omitempty"`
	PetitionerIDNumber string     `json:"petitioner_id_number,omitempty"`
	PetitionerPhone    string     `json:"petitioner_phone,omitempty"`
	Masked             bool       `json:"masked"` // the numbers above are masked
	Channel            string     `json:"channel"`
	Category           string     `json:"category,omitempty"`
	Summary            string     `json:"summary,omitempty"`
	GroupSize          int        `json:"group_size"`
	ReceivedAt         time.Time  `json:"received_at"`
	ReceptionLeader    string     `json:"reception_leader,omitempty"`
	AcceptedAt         *time.Time `json:"accepted_at,omitempty"`
	AssignedUnit       string     `json:"assigned_unit,omitempty"`
	AssignedUnitName   string     `json:"assigned_unit_name,omitempty"`
	AssignedAt         *time.Time `json:"assigned_at,omitempty"`
	DueAt              *time.Time `json:"due_at,omitempty"`
	ExtendedDueAt      *time.Time `json:"extended_due_at,omitempty"`
	// Deadline is the effective deadline by the rules in force (dueDate).
	Deadline      *time.Time `json:"deadline,omitempty"`
	Overdue       bool       `json:"overdue"`
	ClosedAt      *time.Time `json:"closed_at,omitempty"`
	ReturnVisitAt *time.Time `json:"return_visit_at,omitempty"`
	Status        string     `json:"status"`
	Escalated     bool       `json:"escalated"`
	LawRelated    bool       `json:"law_related"`
	UpdatedAt     time.Time  `json:"updated_at"`
}

// Event is one step of a case's timeline.
type Event struct {
	Kind     string    `json:"kind"`
	At       time.Time `json:"at"`
	Actor    string    `json:"actor,omitempty"`
	Unit     string    `json:"unit,omitempty"`
	UnitName string    `json:"unit_name,omitempty"`
	Detail   string    `json:"detail,omitempty"`
}

// Flag is an abnormal-petition flag on a case.
type Flag struct {
	ID       uint64          `json:"id"`
	CaseNo   string          `json:"case_no"`
	Label    string          `json:"label"`
	RuleID   string          `json:"rule"`
	Subject  string          `json:"subject,omitempty"`
	SetAt    time.Time       `json:"set_at"`
	Evidence *rules.Evidence `json:"evidence,omitempty"`
}

// CaseDetail is everything about one case: the case, its timeline, its
// flags, every notice about it with the evidence of why its rule fired, and
// its accountability entries.
type CaseDetail struct {
	Case           Case     `json:"case"`
	Events         []Event  `json:"events"`
	Flags          []Flag   `json:"flags"`
	Notices        []Notice `json:"notices"`
	Accountability []Record `json:"accountability"`
	// Actions are the steps the principal may record on this case now.
	Actions []string `json:"actions"`
}

// CaseQuery filters the case list. Month and Metric (with Unit) select the
// cases behind one figure of a scorecard.
type CaseQuery struct {
	Unit, Status, CaseNo, Label string
	Open                        bool
	Month                       time.Time
	Metric                      string
	Before                      uint64
	Limit                       int
}

var metrics = []string{store.MetricAssigned, store.MetricClosed, store.MetricOnTime, store.MetricLate, store.MetricOverdue, store.MetricRepeat}

// ParseCaseQuery reads a case filter: unit, status, open, case, label,
// month and metric (the scorecard drill-down), before and limit.
func (s *Service) ParseCaseQuery(v url.Values) (CaseQuery, error) {
	q := CaseQuery{Unit: v.Get("unit"), Status: v.Get("status"), CaseNo: v.Get("case"), Label: v.Get("label"), Metric: v.Get("metric")}
	var err error
	if q.Unit, err = keyParam("unit", keys.Unit, q.Unit); err != nil {
		return q, err
	}
	if q.CaseNo, err = keyParam("case", keys.CaseNo, q.CaseNo); err != nil {
		return q, err
	}
	if q.Status != "" && !slices.Contains(models.Statuses, q.Status) {
		return q, invalidf("status %q: want one of received, accepted, assigned, closed, rejected", q.Status)
	}
	if o := v.Get("open"); o != "" {
		if q.Open, err = strconv.ParseBool(o); err != nil {
			return q, invalidf("open %q: want true or false", o)
		}
	}
	if q.Metric != "" {
		if !slices.Contains(metrics, q.Metric) {
			return q, invalidf("metric %q: want one of assigned, closed, ontime, late, overdue, repeat", q.Metric)
		}
		if q.Unit == "" {
			return q, invalidf("metric needs the unit whose figure it is")
		}
		if q.Month, err = ParseMonth(v.Get("month"), s.Clock.Now(), s.Location); err != nil {
			return q, err
		}
	}
	if q.Before, err = cursor(v.Get("before"), "before"); err != nil {
		return q, err
	}
	q.Limit, err = pageLimit(v.Get("limit"))
	return q, err
}

// Cases lists the cases the principal may see, newest first.
func (s *Service) Cases(ctx context.Context, p *auth.Principal, q CaseQuery) (*Page[Case], error) {
	if q.Unit != "" && !p.InScope(q.Unit) {
		return nil, fmt.Errorf("%w: unit %s is outside your scope", ErrForbidden, q.Unit)
	}
	f := store.CaseFilter{Scope: p.Scope(), Unit: q.Unit, Status: q.Status, Open: q.Open, CaseNo: q.CaseNo, Label: q.Label,
		Before: q.Before, Limit: q.Limit + 1}
	if q.Metric != "" {
		nos, err := s.Store.ScorecardCases(ctx, q.Month, q.Unit, q.Metric, s.scoreOptions(nil))
		if err != nil {
			return nil, err
		}
		f.CaseNos = append([]string{}, nos...)
	}
	cs, err := s.Store.ListCases(ctx, f)
	if err != nil {
		return nil, err
	}
	page := &Page[Case]{Items: []Case{}}
	if len(cs) > q.Limit {
		cs = cs[:q.Limit]
		page.Next = strconv.FormatUint(cs[len(cs)-1].ID, 10)
	}
	names, err := s.unitNames(ctx)
	if err != nil {
		return nil, err
	}
	rs := s.RuleSource.Current()
	for i := range cs {
		page.Items = append(page.Items, s.caseView(p, &cs[i], nil, names, rs))
	}
	return page, nil
}

// CaseFromPath reads the {case_no} of a route as the client sent it: a
// segment that percent-encodes an ASCII character (/cases/%41) is refused
// rather than decoded into another case's number (keys.PathValue). The
// service's calls normalise the number.
func CaseFromPath(r *http.Request) (string, error) {
	v, err := keys.PathValue(r, "case_no")
	if err != nil {
		return "", invalidf("%v", err)
	}
	return v, nil
}

// caseKey normalises a case number given in a path (case_no).
func caseKey(caseNo string) (string, error) {
	k, err := keys.CaseNo(caseNo)
	if err != nil {
		return "", invalidf("case_no: %v", err)
	}
	return k, nil
}

// visibleCase loads a case the principal may see; caseNo is normalised.
func (s *Service) visibleCase(ctx context.Context, p *auth.Principal, caseNo string) (*models.Case, error) {
	c, err := s.Store.CaseByNo(ctx, caseNo)
	if err != nil {
		return nil, err
	}
	if p.Scoped() {
		ok, err := s.Store.CaseInScope(ctx, caseNo, p.Scope())
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("case %s: %w", caseNo, ErrNotFound)
		}
	}
	return c, nil
}

// Case returns everything about one case the principal may see.
func (s *Service) Case(ctx context.Context, p *auth.Principal, caseNo string) (*CaseDetail, error) {
	caseNo, err := caseKey(caseNo)
	if err != nil {
		return nil, err
	}
	c, err := s.visibleCase(ctx, p, caseNo)
	if err != nil {
		return nil, err
	}
	var pet *models.Petitioner
	if c.PetitionerKey != "" {
		pet, err = s.Store.PetitionerByKey(ctx, c.PetitionerKey)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	names, err := s.unitNames(ctx)
	if err != nil {
		return nil, err
	}
	rs := s.RuleSource.Current()
	d := &CaseDetail{Case: s.caseView(p, c, pet, names, rs), Events: []Event{}, Flags: []Flag{}, Notices: []Notice{},
		Accountability: []Record{}, Actions: s.actions(p, c)}
	events, err := s.Store.CaseEvents(ctx, caseNo)
	if err != nil {
		return nil, err
	}
	for _, e := range events {
		d.Events = append(d.Events, outgoing(p, Event{Kind: e.Kind, At: e.At, Actor: e.Actor, Unit: e.UnitCode,
			UnitName: names[e.UnitCode], Detail: e.Detail}))
	}
	flags, err := s.Store.FlagsOfCase(ctx, caseNo)
	if err != nil {
		return nil, err
	}
	for _, f := range flags {
		d.Flags = append(d.Flags, flagView(p, &f))
	}
	// The notices and accountability entries about the case, as far as
	// they are addressed to units the principal may see: a unit user does
	// not read another unit's notice (say, the petition office's, about the
	// handover) through a case it now handles.
	ns, err := s.Store.ListNotices(ctx, store.NoticeFilter{CaseNo: caseNo, Units: p.Scope(), Limit: 500})
	if err != nil {
		return nil, err
	}
	for i := range ns {
		d.Notices = append(d.Notices, s.notice(p, &ns[i], names, rs, true))
	}
	recs, err := s.Store.ListAccountability(ctx, store.AccountFilter{CaseNo: caseNo, Units: p.Scope(), Limit: 500})
	if err != nil {
		return nil, err
	}
	for i := range recs {
		v := recordView(p, &recs[i], names)
		v.RuleName = s.ruleName(v.RuleID)
		d.Accountability = append(d.Accountability, v)
	}
	return d, nil
}

func flagView(p *auth.Principal, f *models.Flag) Flag {
	return outgoing(p, Flag{ID: f.ID, CaseNo: f.CaseNo, Label: f.Label, RuleID: f.RuleID, Subject: f.Subject, SetAt: f.SetAt,
		Evidence: evidence(f.Evidence)})
}

// caseView shapes a case for the principal, masking what it may not see.
func (s *Service) caseView(p *auth.Principal, c *models.Case, pet *models.Petitioner, names map[string]string, rs *rules.RuleSet) Case {
	v := Case{CaseNo: c.CaseNo, PetitionerID: c.PetitionerKey, PetitionerName: c.PetitionerName, Channel: c.Channel,
		Category: c.Category, Summary: c.Summary, GroupSize: c.GroupSize, ReceivedAt: c.ReceivedAt,
		ReceptionLeader: c.ReceptionLeader, AcceptedAt: c.AcceptedAt, AssignedUnit: c.AssignedUnit,
		AssignedUnitName: names[c.AssignedUnit], AssignedAt: c.AssignedAt, DueAt: c.DueAt, ExtendedDueAt: c.ExtendedDueAt,
		ClosedAt: c.ClosedAt, ReturnVisitAt: c.ReturnVisitAt, Status: c.Status, Escalated: c.Escalated,
		LawRelated: c.LawRelated, UpdatedAt: c.UpdatedAt, Masked: !handles(p)}
	if pet != nil {
		v.PetitionerIDNumber, v.PetitionerPhone = pet.IDNumber, pet.Phone
		if v.Masked {
			v.PetitionerIDNumber, v.PetitionerPhone = mask.IDNumber(pet.IDNumber), mask.Phone(pet.Phone)
		}
	}
	if rs != nil {
		opts := s.scoreOptions(nil)
		rc := ruleCase(c)
		if due := rules.DueDate(rs.Calendar, &rc, opts.HandlingDays, opts.MaxExtensionDays); !due.IsZero() {
			v.Deadline = &due
			v.Overdue = c.Open() && s.Clock.Now().After(due)
		}
	}
	return outgoing(p, v)
}

func ruleCase(c *models.Case) rules.Case {
	rc := rules.Case{CaseNo: c.CaseNo, Status: c.Status, ReceivedAt: c.ReceivedAt, AssignedUnit: c.AssignedUnit}
	for _, f := range []struct {
		dst *time.Time
		src *time.Time
	}{{&rc.AcceptedAt, c.AcceptedAt}, {&rc.AssignedAt, c.AssignedAt}, {&rc.DueAt, c.DueAt},
		{&rc.ExtendedDueAt, c.ExtendedDueAt}, {&rc.ClosedAt, c.ClosedAt}, {&rc.ReturnVisitAt, c.ReturnVisitAt}} {
		if f.src != nil {
			*f.dst = *f.src
		}
	}
	rc.Fill()
	return rc
}

// actions lists the steps the principal may record on a case now.
func (s *Service) actions(p *auth.Principal, c *models.Case) []string {
	var out []string
	for _, k := range casework.Kinds {
		if s.mayRecord(p, c, k) == nil && stepFits(c, k) {
			out = append(out, k)
		}
	}
	if out == nil {
		out = []string{}
	}
	return out
}

// stepFits reports whether a step makes sense for the case's status (the
// casework checks it again, with a message, when the step is recorded).
func stepFits(c *models.Case, kind string) bool {
	switch kind {
	case casework.Accept:
		return c.Status == models.StatusReceived
	case casework.Assign:
		return c.Open()
	case casework.Extend:
		return c.Status == models.StatusAssigned
	case casework.Reject:
		return c.Status == models.StatusReceived || c.Status == models.StatusAccepted
	case casework.Close:
		return c.Status == models.StatusAssigned || c.Status == models.StatusAccepted
	case casework.ReturnVisit:
		return c.Status == models.StatusClosed
	}
	return true
}

// mayRecord checks the principal may record a step of kind on the case:
// the office's steps need cases.write; a unit's, cases.handle and the case
// handed to one of its units.
func (s *Service) mayRecord(p *auth.Principal, c *models.Case, kind string) error {
	need := auth.PermCasesHandle
	if slices.Contains(casework.IntakeKinds, kind) {
		need = auth.PermCasesWrite
	}
	if !p.Can(need) {
		return fmt.Errorf("%w: the role %s may not record %q on a case", ErrForbidden, p.Role, kind)
	}
	if p.Scoped() && !p.InScope(c.AssignedUnit) {
		return fmt.Errorf("%w: case %s is not handed to your unit; only its responsible unit records its handling", ErrForbidden, c.CaseNo)
	}
	return nil
}

// CreateCase registers a case (import-format fields).
func (s *Service) CreateCase(ctx context.Context, p *auth.Principal, fields map[string]any) (*CaseDetail, error) {
	if !p.Can(auth.PermCasesWrite) {
		return nil, fmt.Errorf("%w: the role %s may not register cases", ErrForbidden, p.Role)
	}
	c, err := s.Casework.Create(ctx, fields, p.Actor())
	if err != nil {
		return nil, err
	}
	s.Logger.Info("case registered", "case", c.CaseNo, "by", p.Username)
	return s.Case(ctx, p, c.CaseNo)
}

// UpdateCase corrects a case's fields.
func (s *Service) UpdateCase(ctx context.Context, p *auth.Principal, caseNo string, patch map[string]any) (*CaseDetail, error) {
	caseNo, err := caseKey(caseNo)
	if err != nil {
		return nil, err
	}
	if _, err := s.visibleCase(ctx, p, caseNo); err != nil {
		return nil, err
	}
	if !p.Can(auth.PermCasesWrite) {
		return nil, fmt.Errorf("%w: the role %s may not change cases", ErrForbidden, p.Role)
	}
	if _, err := s.Casework.Update(ctx, caseNo, patch, p.Actor()); err != nil {
		return nil, err
	}
	s.Logger.Info("case updated", "case", caseNo, "by", p.Username)
	return s.Case(ctx, p, caseNo)
}

// RecordStep records one step of a case's handling.
func (s *Service) RecordStep(ctx context.Context, p *auth.Principal, caseNo string, ev casework.Event) (*CaseDetail, error) {
	caseNo, err := caseKey(caseNo)
	if err != nil {
		return nil, err
	}
	c, err := s.visibleCase(ctx, p, caseNo)
	if err != nil {
		return nil, err
	}
	// the scope check below must see the unit the step will name
	if ev.Unit, err = keyParam("unit", keys.Unit, ev.Unit); err != nil {
		return nil, err
	}
	if !slices.Contains(casework.Kinds, ev.Kind) {
		return nil, invalidf("kind %q: want one of accept, assign, extend, reject, close, return_visit, note", ev.Kind)
	}
	if err := s.mayRecord(p, c, ev.Kind); err != nil {
		return nil, err
	}
	if ev.Kind == casework.Assign && p.Scoped() && !p.InScope(ev.Unit) {
		return nil, fmt.Errorf("%w: unit %s is outside your scope", ErrForbidden, ev.Unit)
	}
	if _, err := s.Casework.Apply(ctx, caseNo, ev, p.Actor()); err != nil {
		return nil, err
	}
	s.Logger.Info("case step recorded", "case", caseNo, "kind", ev.Kind, "by", p.Username)
	return s.Case(ctx, p, caseNo)
}

// FlagQuery filters flags.
type FlagQuery struct {
	Label, CaseNo string
	Before        uint64
	Limit         int
}

// ParseFlagQuery reads label, case, before and limit.
func ParseFlagQuery(v url.Values) (FlagQuery, error) {
	q := FlagQuery{Label: v.Get("label"), CaseNo: v.Get("case")}
	var err error
	if q.CaseNo, err = keyParam("case", keys.CaseNo, q.CaseNo); err != nil {
		return q, err
	}
	if q.Before, err = cursor(v.Get("before"), "before"); err != nil {
		return q, err
	}
	q.Limit, err = pageLimit(v.Get("limit"))
	return q, err
}

// Flags lists the flags on cases the principal may see, newest first.
func (s *Service) Flags(ctx context.Context, p *auth.Principal, q FlagQuery) (*Page[Flag], error) {
	f := store.FlagFilter{Label: q.Label, CaseNo: q.CaseNo, Before: q.Before, Limit: q.Limit + 1}
	var fs []models.Flag
	var err error
	if p.Scoped() {
		fs, err = s.Store.ListFlagsInScope(ctx, f, p.Scope())
	} else {
		fs, err = s.Store.ListFlags(ctx, f)
	}
	if err != nil {
		return nil, err
	}
	page := &Page[Flag]{Items: []Flag{}}
	if len(fs) > q.Limit {
		fs = fs[:q.Limit]
		page.Next = strconv.FormatUint(fs[len(fs)-1].ID, 10)
	}
	for i := range fs {
		page.Items = append(page.Items, flagView(p, &fs[i]))
	}
	return page, nil
}
