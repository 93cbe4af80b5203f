package main

import (
	"context"
	"duban/keys"
	"fmt"
	"slices"
	"sort"
	"strings"

	"duban/models"
	"duban/rules"
	"duban/store"
)

// oneOf refuses a flag value that is not among the valid ones, listing them:
// a filter that matches nothing because of a typo would print an empty table.
func oneOf(flag, value string, valid []string) error {
	if value == "" || slices.Contains(valid, value) {
		return nil
	}
	msg := fmt.Sprintf("%s %q: want one of %s", flag, value, strings.Join(valid, ", "))
	if s := nearest(value, valid); s != "" {
		msg += "; did you mean " + s + "?"
	}
	return fmt.Errorf("%s", msg)
}

var (
	noticeStatuses = []string{models.NoticeOpen, models.NoticeAcknowledged, models.NoticeResolved}
	flagLabels     = []string{models.FlagRepeat, models.FlagEscalated, models.FlagGroup}
	recordKinds    = []string{models.AccountRecord, models.AccountReview}
)

// unitIndex resolves what people type for a unit — its code or its name —
// to the code, and suggests the unit probably meant.
type unitIndex struct {
	units  []models.Unit
	byCode map[string]string // code → name
	byName map[string]string // name → code
	others []string          // recipient names that are not units (信访局, 督查组)
}

func loadUnitIndex(ctx context.Context, s *store.Store, recipients bool) (*unitIndex, error) {
	units, err := s.ListUnits(ctx)
	if err != nil {
		return nil, err
	}
	ix := &unitIndex{units: units, byCode: map[string]string{}, byName: map[string]string{}}
	for _, u := range units {
		ix.byCode[u.Code] = u.Name
		ix.byName[u.Name] = u.Code
	}
	if recipients {
		// The rules address some notices to groups (信访局, 督查组); they
		// are a notice's responsible "unit" without being one.
		var codes []string
		if err := s.DB.WithContext(ctx).Model(&models.Notice{}).Distinct("unit_code").Pluck("unit_code", &codes).Error; err != nil {
			return nil, err
		}
		for _, c := range codes {
			if _, ok := ix.byCode[c]; !ok && c != "" {
				ix.others = append(ix.others, c)
			}
		}
		sort.Strings(ix.others)
	}
	return ix, nil
}

// name is the unit's name, or "" for a code that names no unit.
func (ix *unitIndex) name(code string) string { return ix.byCode[code] }

// label is "code name", or the code alone when it names no unit.
func (ix *unitIndex) label(code string) string {
	if n := ix.byCode[code]; n != "" {
		return code + " " + n
	}
	return code
}

// resolve turns each value into a unit code, or refuses it with the unit
// probably meant, or the units there are.
func (ix *unitIndex) resolve(flag string, values []string) ([]string, error) {
	var out []string
	for _, v := range values {
		v = strings.TrimSpace(v)
		code, err := keys.Unit(v) // a code as every other way in reads it
		switch {
		case err == nil && (ix.byCode[code] != "" || slices.Contains(ix.others, code)):
			out = append(out, code)
		case ix.byName[v] != "":
			out = append(out, ix.byName[v])
		case err != nil: // neither a name nor a possible code: say why
			return nil, fmt.Errorf("%s: %v", flag, err)
		default:
			return nil, ix.unknown(flag, v)
		}
	}
	return out, nil
}

func (ix *unitIndex) unknown(flag, v string) error {
	if len(ix.units) == 0 {
		return fmt.Errorf("%s %q: the database has no units (import them with --kind units)", flag, v)
	}
	if code := ix.suggest(v); code != "" {
		return fmt.Errorf("%s %q: no such unit; did you mean %s (%s)?", flag, v, code, ix.byCode[code])
	}
	var known []string
	for _, u := range ix.units {
		known = append(known, fmt.Sprintf("%s (%s)", u.Code, u.Name))
	}
	known = append(known, ix.others...)
	return fmt.Errorf("%s %q: no such unit; give a code or a name: %s", flag, v, strings.Join(known, ", "))
}

// suggest finds the unit probably meant: a code or name a typo away, or the
// one name holding every character of v in order (住建局 in
// 县住房和城乡建设局, the way people shorten unit names).
func (ix *unitIndex) suggest(v string) string {
	codes := make([]string, 0, len(ix.units))
	names := make([]string, 0, len(ix.units))
	for _, u := range ix.units {
		codes = append(codes, u.Code)
		names = append(names, u.Name)
	}
	if c := nearest(strings.ToLower(v), codes); c != "" {
		return c
	}
	if n := nearest(v, names); n != "" {
		return ix.byName[n]
	}
	return ""
}

// nearest is the one candidate holding every character of v in order (重复
// in 重复访, 住建局 in 县住房和城乡建设局), else for ASCII the candidate a
// typo away (rules.Closest measures in bytes, too loose for Chinese).
func nearest(v string, candidates []string) string {
	var within []string
	for _, c := range candidates {
		if subsequence(v, c) {
			within = append(within, c)
		}
	}
	if len(within) == 1 {
		return within[0]
	}
	if isASCII(v) {
		return rules.Closest(v, candidates)
	}
	return ""
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// subsequence reports whether every rune of short appears in long, in order.
func subsequence(short, long string) bool {
	rs := []rune(short)
	if len(rs) < 2 {
		return false
	}
	for _, r := range long {
		if len(rs) > 0 && r == rs[0] {
			rs = rs[1:]
		}
	}
	return len(rs) == 0
}
