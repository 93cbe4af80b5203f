// Package access is the one place where the people's side reads and
// changes data: every read is limited to what the principal may see (a unit
// user: its own unit's and sub-units' notices, cases, flags and
// accountability entries), petitioners' identity and phone numbers are
// masked for everyone but the unit handling the case, and every change
// checks that the principal may make it. The JSON API and the pages both go
// through it, so they cannot disagree about who sees what.
package access

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"duban/auth"
	"duban/casework"
	"duban/clock"
	"duban/keys"
	"duban/mask"
	"duban/models"
	"duban/rules"
	"duban/store"
)

// Service answers the people's side's reads and writes.
type Service struct {
	Store      *store.Store
	RuleSource rules.Source
	Clock      clock.Clock
	Location   *time.Location
	Logger     *slog.Logger
	Casework   *casework.Service
}

// New returns a service; loc is the zone times are shown and read in.
func New(s *store.Store, src rules.Source, clk clock.Clock, loc *time.Location, logger *slog.Logger) *Service {
	if clk == nil {
		clk = clock.Real{}
	}
	if logger == nil {
		logger = slog.Default()
	}
	return &Service{Store: s, RuleSource: src, Clock: clk, Location: loc, Logger: logger,
		Casework: &casework.Service{Store: s, Clock: clk, Location: loc}}
}

// Errors the front ends turn into statuses.
var (
	// ErrNotFound is something that does not exist or that the principal
	// may not see: the two are indistinguishable on purpose, so guessing
	// ids tells a unit user nothing about other units.
	ErrNotFound = store.ErrNotFound
	// ErrForbidden is an action the principal's role does not allow.
	ErrForbidden = errors.New("forbidden")
	// ErrConflict is an action that clashes with the record's state.
	ErrConflict = store.ErrConflict
	// ErrInvalid is input a person must correct.
	ErrInvalid = store.ErrInvalid
)

// keyParam normalises a key read from a parameter (keys.CaseNo, keys.Unit,
// …); "" (not given) stays "". A bad key is ErrInvalid naming the parameter.
func keyParam(name string, normalise func(string) (string, error), s string) (string, error) {
	k, err := keys.Optional(normalise, s)
	if err != nil {
		return "", invalidf("%s: %v", name, err)
	}
	return k, nil
}

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}

// handles reports whether the principal handles what it can see, and so
// sees petitioners' numbers unmasked: only unit users do, and they only
// see their own units' cases.
func handles(p *auth.Principal) bool { return p != nil && p.Role == models.RoleUnit }

// unitsFor narrows a filter on one unit to the principal's scope: nil means
// every unit (for those who see all), and a unit outside the scope is
// ErrForbidden with a message saying so.
func unitsFor(p *auth.Principal, unit string) ([]string, error) {
	if unit != "" {
		if !p.InScope(unit) {
			return nil, fmt.Errorf("%w: unit %s is outside your scope (%s)", ErrForbidden, unit, strings.Join(p.Scope(), ", "))
		}
		return []string{unit}, nil
	}
	return p.Scope(), nil
}

// Page is one page of a keyset-paginated list: Next is the cursor of the
// following page ("" on the last).
type Page[T any] struct {
	Items []T    `json:"items"`
	Next  string `json:"next,omitempty"`
}

// pageLimit bounds a page: 50 by default, at most 500.
func pageLimit(s string) (int, error) {
	if s == "" {
		return 50, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 500 {
		return 0, invalidf("limit %q: want a number from 1 to 500", s)
	}
	return n, nil
}

func cursor(s, name string) (uint64, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n == 0 {
		return 0, invalidf("%s %q: want the cursor the previous page gave (next)", name, s)
	}
	return n, nil
}

// ParseTime reads a time parameter: RFC 3339, or a date (2026-03-01) or a
// local time (2026-03-01 09:00) in loc. endOfDay makes a bare date mean the
// end of that day (for "until").
func ParseTime(s string, loc *time.Location, endOfDay bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation("2006-01-02", s, loc); err == nil {
		if endOfDay {
			t = t.AddDate(0, 0, 1)
		}
		return t, nil
	}
	for _, l := range []string{"2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02 15:04:05"} {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, invalidf("%q is not a date (2026-03-01) or a time (2026-03-01T09:00:00+08:00)", s)
}

// ParseDeadline reads a deadline: a bare date means the end of that day.
func ParseDeadline(s string, loc *time.Location) (time.Time, error) {
	t, err := ParseTime(s, loc, false)
	if err == nil && len(strings.TrimSpace(s)) == len("2006-01-02") {
		t = t.AddDate(0, 0, 1).Add(-time.Second)
	}
	return t, err
}

// ParseMonth reads a month (2026-03) in loc; empty is the month of now.
func ParseMonth(s string, now time.Time, loc *time.Location) (time.Time, error) {
	if s == "" {
		n := now.In(loc)
		return time.Date(n.Year(), n.Month(), 1, 0, 0, 0, 0, loc), nil
	}
	t, err := time.ParseInLocation("2006-01", s, loc)
	if err != nil {
		return time.Time{}, invalidf("month %q: want a month like 2026-03", s)
	}
	return t, nil
}

// outgoing is the one place where what the people's side answers is
// masked: for a principal who does not handle the case, every string of the
// view v — subject, petitioner key and name, titles, bodies, ack comments,
// reasons, timeline details, evidence — has its identity and phone numbers
// masked (mask.Text), whatever field they were typed into. Every view the
// API, the pages and the exports are given is built through it; fields
// tagged `mask:"keep"` (hashes) are left. A nil principal is no one's:
// masked.
func outgoing[T any](p *auth.Principal, v T) T {
	if !handles(p) {
		mask.Strings(&v)
	}
	return v
}

// unitNames maps unit codes to names.
func (s *Service) unitNames(ctx context.Context) (map[string]string, error) {
	units, err := s.Store.ListUnits(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(units))
	for _, u := range units {
		out[u.Code] = u.Name
	}
	return out, nil
}

// Units returns the units the principal may filter by.
func (s *Service) Units(ctx context.Context, p *auth.Principal) ([]models.Unit, error) {
	units, err := s.Store.ListUnits(ctx)
	if err != nil || !p.Scoped() {
		return units, err
	}
	var out []models.Unit
	for _, u := range units {
		if p.InScope(u.Code) {
			out = append(out, u)
		}
	}
	return out, nil
}

// QueryString renders filter values as a query string, leaving out empty ones.
func QueryString(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			v.Set(kv[i], kv[i+1])
		}
	}
	return v.Encode()
}
