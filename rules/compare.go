package rules

import (
	"encoding/json"
	"slices"
)

// Fingerprint is what decides a rule's outcomes, written out: two rules
// with the same fingerprint, run on the same calendar against the same data,
// raise the same things. Names, descriptions, schedules and where the rule
// stands in its file do not count.
func (r *Rule) Fingerprint() string {
	s := r.spec
	type notice struct {
		Level, Title, Body, Repeat string
		To                         []string
	}
	fp := struct {
		ID, Subject, Window, When string
		Params                    map[string]any
		Notice                    *notice
		Flag                      []string
		Against, Grade, Reason    string
	}{ID: r.ID, Subject: r.Subject, Window: r.Window.String(), When: r.When, Params: r.Params}
	if n := s.Notice; n != nil {
		fp.Notice = &notice{Level: n.Level, Title: n.Title.Text, Body: n.Body.Text, Repeat: r.Notice.Repeat.String()}
		for _, to := range n.To {
			fp.Notice.To = append(fp.Notice.To, to.Text)
		}
	}
	if f := s.Flag; f != nil {
		fp.Flag = []string{f.Label, f.Cases.Text}
	}
	if a := s.Accountability; a != nil {
		fp.Against, fp.Grade, fp.Reason = a.Against.Text, a.Grade, a.Reason.Text
	}
	b, _ := json.Marshal(fp)
	return string(b)
}

// SameReasoning reports whether two rule sets reason alike apart from their
// rules: the same time zone and the same working-day calendar.
func (rs *RuleSet) SameReasoning(o *RuleSet) bool {
	if rs.Location.String() != o.Location.String() {
		return false
	}
	af, al := rs.Calendar.KnownYears()
	bf, bl := o.Calendar.KnownYears()
	return af == bf && al == bl && slices.Equal(rs.Calendar.Overrides(), o.Calendar.Overrides())
}
