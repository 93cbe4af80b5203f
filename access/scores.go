package access

import (
	"context"
	"fmt"
	"time"

	"duban/auth"
	"duban/keys"
	"duban/store"
)

// Scorecards are the unit scorecards of a run of months.
type Scorecards struct {
	Months []string `json:"months"` // oldest first, ending with the month asked for
	// Units names every unit that appears.
	Units map[string]string `json:"units"`
	// Scores holds each month's scorecards, in the order of Months.
	Scores [][]store.UnitScore `json:"scores"`
}

// Scorecards reckons the scorecards of the months ending with month, for
// the units the principal may see (or the one unit asked for).
func (s *Service) Scorecards(ctx context.Context, p *auth.Principal, month time.Time, months int, unit string) (*Scorecards, error) {
	if months < 1 || months > 24 {
		return nil, invalidf("months %d: want 1 to 24", months)
	}
	unit, err := keyParam("unit", keys.Unit, unit)
	if err != nil {
		return nil, err
	}
	units, err := unitsFor(p, unit)
	if err != nil {
		return nil, err
	}
	opts := s.scoreOptions(units)
	if opts.Calendar == nil {
		return nil, fmt.Errorf("no rule set is loaded: scorecards reckon deadlines with the rules' calendar")
	}
	names, err := s.unitNames(ctx)
	if err != nil {
		return nil, err
	}
	out := &Scorecards{Units: map[string]string{}}
	for i := months - 1; i >= 0; i-- {
		m := month.AddDate(0, -i, 0)
		scores, err := s.Store.Scorecard(ctx, m, opts)
		if err != nil {
			return nil, err
		}
		if scores == nil {
			scores = []store.UnitScore{}
		}
		for _, sc := range scores {
			out.Units[sc.Unit] = names[sc.Unit]
		}
		out.Months = append(out.Months, m.In(s.Location).Format("2006-01"))
		out.Scores = append(out.Scores, scores)
	}
	return out, nil
}
