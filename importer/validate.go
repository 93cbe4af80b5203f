package importer

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"duban/keys"
	"duban/models"
)

// Kinds of import.
const (
	KindCases = "cases"
	KindUnits = "units"
	KindSlots = "slots"
)

// Fields of each kind, in the order exports write them.
var (
	CaseFields = []string{"case_no", "petitioner_id", "petitioner_name", "petitioner_id_number", "petitioner_phone",
		"channel", "category", "summary", "group_size", "received_at", "reception_leader", "accepted_at",
		"assigned_unit", "assigned_at", "due_at", "extended_due_at", "closed_at", "return_visit_at",
		"status", "escalated", "law_related"}
	UnitFields = []string{"code", "name", "parent"}
	SlotFields = []string{"date", "leader", "leader_available", "substitute", "location"}
)

// maxErrors bounds how many problems one import lists.
const maxErrors = 50

// row reads the fields of one record, collecting its problems.
type row struct {
	rec  Record
	loc  *time.Location
	errs *[]*RowError
}

func (r row) fail(field, format string, args ...any) {
	*r.errs = append(*r.errs, &RowError{Line: r.rec.Line, Field: field, Message: fmt.Sprintf(format, args...)})
}

func (r row) unknown(known []string) {
	var extra []string
	for k := range r.rec.Fields {
		if !slices.Contains(known, k) {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	for _, k := range extra {
		r.fail(k, "unknown field")
	}
}

func (r row) str(field string, required bool, maxLen int) string {
	v, ok := r.rec.Fields[field]
	if !ok || v == nil {
		if required {
			r.fail(field, "missing")
		}
		return ""
	}
	s, ok := stringValue(v)
	if !ok {
		r.fail(field, "want text, got %v", v)
		return ""
	}
	if s == "" && required {
		r.fail(field, "missing")
	}
	if utf8.RuneCountInString(s) > maxLen {
		r.fail(field, "longer than %d characters", maxLen)
	}
	return s
}

// key reads a key field (case number, petitioner id, unit code) through its
// normaliser, so that an import keys rows exactly as the API and pages do.
func (r row) key(field string, required bool, normalise func(string) (string, error)) string {
	s := r.str(field, required, keys.MaxLen)
	if s == "" {
		return ""
	}
	k, err := normalise(s)
	if err != nil {
		r.fail(field, "%v", err)
	}
	return k
}

// timeLayouts are the times without a zone an import reads, in --tz: ISO
// forms, and those Excel and Chinese offices write (2026/3/1 9:00,
// 2026-3-1, 2026.03.01, 2026年3月1日). Month, day and hour may have one digit.
var timeLayouts = []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02",
	"2006-1-2 15:04:05", "2006-1-2 15:04", "2006-1-2",
	"2006/1/2 15:04:05", "2006/1/2 15:04", "2006/1/2",
	"2006.1.2 15:04:05", "2006.1.2 15:04", "2006.1.2",
	"2006年1月2日 15:04:05", "2006年1月2日 15:04", "2006年1月2日 15时04分", "2006年1月2日"}

// instant reads a time: RFC 3339 with a zone, or a local time without one,
// which is read in the import's zone.
func (r row) instant(field string, required bool) *time.Time {
	s := r.str(field, required, 64)
	if s == "" {
		return nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		u := t.UTC()
		return &u
	}
	for _, l := range timeLayouts {
		if t, err := time.ParseInLocation(l, s, r.loc); err == nil {
			u := t.UTC()
			return &u
		}
	}
	r.fail(field, "%q is not a time like 2026-03-01T10:00:00+08:00", s)
	return nil
}

func (r row) boolean(field string, def bool) bool {
	v, ok := r.rec.Fields[field]
	if !ok || v == nil {
		return def
	}
	if b, ok := v.(bool); ok {
		return b
	}
	s, _ := stringValue(v)
	switch strings.ToLower(s) {
	case "true", "1", "yes", "y", "是":
		return true
	case "false", "0", "no", "n", "否", "":
		return false
	}
	r.fail(field, "%q is not true or false", s)
	return def
}

func (r row) integer(field string, def, lo, hi int) int {
	v, ok := r.rec.Fields[field]
	if !ok || v == nil {
		return def
	}
	s, _ := stringValue(v)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		r.fail(field, "%q is not a whole number from %d to %d", s, lo, hi)
		return def
	}
	return n
}

func (r row) enum(field string, required bool, allowed []string) string {
	s := r.str(field, required, 32)
	if s != "" && !slices.Contains(allowed, s) {
		r.fail(field, "%q is not one of %s", s, strings.Join(allowed, ", "))
	}
	return s
}

// CaseImport is the checked content of a cases file.
type CaseImport struct {
	Cases       []models.Case
	Petitioners []models.Petitioner
	// Warnings are problems that do not stop the import.
	Warnings []*RowError
}

// checkIDNumber refuses an identity number (居民身份证号码) that is not 15
// or 18 characters of digits (the last of 18 may be X), and warns of an 18
// digit one whose GB 11643 check digit is wrong: a typo, or a number read
// from a file in which it had been rounded.
func (r row) checkIDNumber(field, id string) (warning string) {
	if id == "" {
		return ""
	}
	n := utf8.RuneCountInString(id)
	if n != 15 && n != 18 {
		r.fail(field, "%q is %d characters; an identity number has 18 (or 15, the old form)", id, n)
		return ""
	}
	for i, ch := range id {
		if ch < '0' || ch > '9' {
			if !(i == 17 && (ch == 'X' || ch == 'x')) {
				r.fail(field, "%q is not an identity number: digits only, the 18th may be X", id)
				return ""
			}
		}
	}
	if n == 18 {
		weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
		sum := 0
		for i, w := range weights {
			sum += int(id[i]-'0') * w
		}
		want := "10X98765432"[sum%11]
		if got := strings.ToUpper(id[17:])[0]; got != want {
			return fmt.Sprintf("%s: the check digit of %s is %c, GB 11643 wants %c; check the number", field, id, got, want)
		}
	}
	return ""
}

// Units is the set of unit codes a cases file may name.
type Units map[string]bool

// ParseCases checks every record as a case. units are the unit codes that
// exist; a case naming another unit is an error.
func ParseCases(recs []Record, units Units, loc *time.Location) (*CaseImport, []*RowError) {
	return NewCaseParser(units, loc).Parse(recs)
}

// CaseParser checks cases chunk by chunk, remembering across chunks what a
// whole file must not repeat.
type CaseParser struct {
	units Units
	loc   *time.Location
	seen  map[string]int // case_no -> line
}

// NewCaseParser starts checking a file of cases.
func NewCaseParser(units Units, loc *time.Location) *CaseParser {
	return &CaseParser{units: units, loc: loc, seen: map[string]int{}}
}

// Parse checks a chunk of records.
func (cp *CaseParser) Parse(recs []Record) (*CaseImport, []*RowError) {
	units, loc, seen := cp.units, cp.loc, cp.seen
	var errs []*RowError
	out := &CaseImport{}
	pets := map[string]int{}
	for _, rec := range recs {
		r := row{rec: rec, loc: loc, errs: &errs}
		r.unknown(CaseFields)
		c := models.Case{
			CaseNo:          r.key("case_no", true, keys.CaseNo),
			PetitionerKey:   r.key("petitioner_id", false, keys.Petitioner),
			PetitionerName:  r.str("petitioner_name", false, 64),
			Channel:         r.enum("channel", true, models.Channels),
			Category:        r.str("category", false, 64),
			Summary:         r.str("summary", false, 4000),
			GroupSize:       r.integer("group_size", 1, 1, 100000),
			ReceptionLeader: r.str("reception_leader", false, 64),
			AssignedUnit:    r.key("assigned_unit", false, keys.Unit),
			Status:          r.enum("status", true, models.Statuses),
			Escalated:       r.boolean("escalated", false),
			LawRelated:      r.boolean("law_related", false),
			AcceptedAt:      r.instant("accepted_at", false),
			AssignedAt:      r.instant("assigned_at", false),
			DueAt:           r.instant("due_at", false),
			ExtendedDueAt:   r.instant("extended_due_at", false),
			ClosedAt:        r.instant("closed_at", false),
			ReturnVisitAt:   r.instant("return_visit_at", false),
		}
		if t := r.instant("received_at", true); t != nil {
			c.ReceivedAt = *t
		}
		idNumber := r.str("petitioner_id_number", false, 32)
		if w := r.checkIDNumber("petitioner_id_number", idNumber); w != "" {
			out.Warnings = append(out.Warnings, &RowError{Line: rec.Line, Message: w})
		}
		phone := r.str("petitioner_phone", false, 32)
		if c.CaseNo != "" {
			if prev, dup := seen[c.CaseNo]; dup {
				r.fail("case_no", "%s appears again (first on line %d)", c.CaseNo, prev)
			}
			seen[c.CaseNo] = rec.Line
		}
		if c.AssignedUnit != "" && !units[c.AssignedUnit] {
			r.fail("assigned_unit", "unknown unit %q; import units first", c.AssignedUnit)
		}
		if (c.AssignedUnit == "") != (c.AssignedAt == nil) {
			r.fail("assigned_unit", "give assigned_unit and assigned_at together")
		}
		switch c.Status {
		case models.StatusAssigned:
			if c.AssignedUnit == "" {
				r.fail("status", "an assigned case needs assigned_unit and assigned_at")
			}
		case models.StatusClosed:
			if c.ClosedAt == nil {
				r.fail("closed_at", "a closed case needs closed_at")
			}
		}
		if c.ClosedAt != nil && c.Status != models.StatusClosed && c.Status != models.StatusRejected {
			r.fail("status", "closed_at is set but status is %q", c.Status)
		}
		if c.Channel == "leader_reception" && c.ReceptionLeader == "" {
			r.fail("reception_leader", "a leader_reception case names the leader who received it")
		}
		if c.ReceivedAt.IsZero() == false {
			for _, f := range []struct {
				name string
				t    *time.Time
			}{{"accepted_at", c.AcceptedAt}, {"assigned_at", c.AssignedAt}, {"closed_at", c.ClosedAt}} {
				if f.t != nil && f.t.Before(c.ReceivedAt) {
					r.fail(f.name, "is before received_at")
				}
			}
		}
		if len(errs) > maxErrors {
			break
		}
		out.Cases = append(out.Cases, c)
		if c.PetitionerKey != "" {
			p := models.Petitioner{Key: c.PetitionerKey, Name: c.PetitionerName, IDNumber: idNumber, Phone: phone}
			if i, ok := pets[p.Key]; ok {
				// later rows fill in what earlier ones left out
				q := &out.Petitioners[i]
				if p.Name != "" {
					q.Name = p.Name
				}
				if p.IDNumber != "" {
					q.IDNumber = p.IDNumber
				}
				if p.Phone != "" {
					q.Phone = p.Phone
				}
			} else {
				pets[p.Key] = len(out.Petitioners)
				out.Petitioners = append(out.Petitioners, p)
			}
		}
	}
	return out, errs
}

// ParseUnits checks every record as a unit. existing are the units already
// stored; a parent must be one of them or in the same file.
func ParseUnits(recs []Record, existing Units) ([]models.Unit, []*RowError) {
	var errs []*RowError
	var out []models.Unit
	inFile := map[string]int{}
	for _, rec := range recs {
		r := row{rec: rec, errs: &errs}
		r.unknown(UnitFields)
		u := models.Unit{Code: r.key("code", true, keys.Unit), Name: r.str("name", true, 128), ParentCode: r.key("parent", false, keys.Unit)}
		if prev, dup := inFile[u.Code]; dup && u.Code != "" {
			r.fail("code", "%s appears again (first on line %d)", u.Code, prev)
		}
		inFile[u.Code] = rec.Line
		out = append(out, u)
		if len(errs) > maxErrors {
			break
		}
	}
	parentOf := map[string]string{}
	for code := range existing {
		parentOf[code] = ""
	}
	for _, u := range out {
		parentOf[u.Code] = u.ParentCode
	}
	for i, u := range out {
		line := recs[i].Line
		if u.ParentCode == "" {
			continue
		}
		if _, ok := parentOf[u.ParentCode]; !ok {
			errs = append(errs, &RowError{Line: line, Field: "parent", Message: fmt.Sprintf("unknown unit %q", u.ParentCode)})
			continue
		}
		// walk up: a unit may not be its own ancestor
		seen := map[string]bool{u.Code: true}
		for p := u.ParentCode; p != ""; p = parentOf[p] {
			if seen[p] {
				errs = append(errs, &RowError{Line: line, Field: "parent", Message: fmt.Sprintf("%s would be its own ancestor", u.Code)})
				break
			}
			seen[p] = true
		}
	}
	return out, errs
}

// ParseSlots checks every record as a reception slot.
func ParseSlots(recs []Record) ([]models.ReceptionSlot, []*RowError) {
	var errs []*RowError
	var out []models.ReceptionSlot
	seen := map[string]int{}
	for _, rec := range recs {
		r := row{rec: rec, errs: &errs}
		r.unknown(SlotFields)
		s := models.ReceptionSlot{
			Date:            r.str("date", true, 10),
			Leader:          r.key("leader", true, keys.Leader),
			LeaderAvailable: r.boolean("leader_available", true),
			Substitute:      r.str("substitute", false, 64),
			Location:        r.str("location", false, 128),
		}
		if s.Date != "" {
			if _, err := time.Parse("2006-01-02", s.Date); err != nil {
				r.fail("date", "%q is not a date like 2026-03-10", s.Date)
			}
		}
		if prev, dup := seen[s.Key()]; dup {
			r.fail("date", "%s appears again (first on line %d)", s.Key(), prev)
		}
		seen[s.Key()] = rec.Line
		out = append(out, s)
		if len(errs) > maxErrors {
			break
		}
	}
	return out, errs
}
