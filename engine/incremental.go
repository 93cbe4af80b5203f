package engine

import (
	"context"
	"fmt"
	"time"

	"duban/models"
	"duban/rules"
	"duban/store"
)

// Incremental ticks. A full pass evaluates every subject and records, per
// subject, the instants within the next day at which a rule's comparison with
// Now may flip (a deadline passing) or a petitioner's window loses a case. A
// later pass may then evaluate only the subjects that matter: those written
// since the last pass, those whose recorded instant has come, and those whose
// notice is due to be sent again. It may do so while
//
//   - every rule of the pass ran before with the same reasoning (state key),
//     without errors, at or before this tick's Now;
//   - no rule uses Now in a way that cannot be followed (TimeUse.Opaque);
//   - the full pass the chain started from is at most a day old (its
//     breakpoints reach that far); and
//   - no local midnight has passed for rules that count days from Now.
//
// Anything else is a full pass. Reception slots are few and always read in full.

const (
	// checkHorizon is how far ahead a full pass records breakpoints; chains
	// of incremental passes end within it.
	checkHorizon = 24 * time.Hour
	// changeMargin widens "written since the last pass" to cover writes that
	// were in flight (an import's transaction) when that pass read the data.
	changeMargin = time.Hour
)

const (
	modeFull        = "full"
	modeIncremental = "incremental"
)

// plan is how a pass runs.
type plan struct {
	mode    string
	prevNow time.Time // Now of the earliest last run of the pass's rules
	since   time.Time // data written since then is looked at again
	fullNow time.Time // Now of the full pass the chain started from
}

// planPass decides between a full and an incremental pass.
func (e *Engine) planPass(ctx context.Context, tick *rules.Tick, p *pass, last map[string]models.RuleRun, force bool) (plan, string) {
	full := plan{mode: modeFull, fullNow: tick.Now}
	if force {
		return full, "asked for a full tick"
	}
	if p.subject == rules.SubjectSlot {
		return full, "reception slots are always read in full"
	}
	var pl plan
	byDay := false
	for _, r := range p.rules {
		if r.Time.Opaque {
			return full, fmt.Sprintf("rule %s uses Now in a way incremental ticks cannot follow", r.ID)
		}
		byDay = byDay || r.Time.ByDay
		run, ok := last[r.ID]
		switch {
		case !ok || run.Mode == "":
			return full, fmt.Sprintf("rule %s has no earlier run to build on", r.ID)
		case run.StateKey != tick.Set.StateKey(r):
			return full, fmt.Sprintf("rule %s changed since its last run", r.ID)
		case run.Errors > 0:
			return full, fmt.Sprintf("rule %s had errors in its last run", r.ID)
		case run.Now.After(tick.Now):
			return full, fmt.Sprintf("rule %s last ran at a later time", r.ID)
		}
		if pl.prevNow.IsZero() || run.Now.Before(pl.prevNow) {
			pl.prevNow = run.Now
		}
		if pl.since.IsZero() || run.StartedAt.Before(pl.since) {
			pl.since = run.StartedAt
		}
		if pl.fullNow.IsZero() || run.FullNow.Before(pl.fullNow) {
			pl.fullNow = run.FullNow
		}
	}
	if tick.Now.Sub(pl.fullNow) > checkHorizon {
		return full, "the last full tick is more than a day old"
	}
	if byDay && !sameDay(pl.prevNow, tick.Now, tick.Set.Location) {
		return full, "a new day began for rules that count days"
	}
	pl.mode, pl.since = modeIncremental, pl.since.Add(-changeMargin)
	return pl, ""
}

func sameDay(a, b time.Time, loc *time.Location) bool {
	ay, am, ad := a.In(loc).Date()
	by, bm, bd := b.In(loc).Date()
	return ay == by && am == bm && ad == bd
}

// candidates lists the subjects an incremental pass looks at.
func (e *Engine) candidates(ctx context.Context, tick *rules.Tick, p *pass, pl plan) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	add := func(keys []string, err error) error {
		if err != nil {
			return err
		}
		for _, k := range keys {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
		return nil
	}
	var changed func(context.Context, time.Time) ([]string, error)
	switch p.subject {
	case rules.SubjectCase:
		changed = e.Store.ChangedCases
	case rules.SubjectPetitioner:
		changed = e.Store.ChangedPetitioners
	default:
		return nil, fmt.Errorf("no incremental pass for %s", p.subject)
	}
	if err := add(changed(ctx, pl.since)); err != nil {
		return nil, err
	}
	// Checks written by the data's writers carry the store clock's time, like
	// since; those of earlier passes carry their Now.
	from := pl.prevNow
	if pl.since.Before(from) {
		from = pl.since
	}
	if err := add(e.Store.DueChecks(ctx, p.subject, from, tick.Now)); err != nil {
		return nil, err
	}
	for _, r := range p.rules {
		if r.Notice != nil && r.Notice.Repeat > 0 {
			if err := add(e.Store.ResendDue(ctx, r.ID, resendBefore(r, tick.Now))); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// resendBefore is the last sending time that makes a repeating notice due
// again at now (see due).
func resendBefore(r *rules.Rule, now time.Time) time.Time {
	return now.Add(-(r.Notice.Repeat - repeatGrace(r)))
}

func repeatGrace(r *rules.Rule) time.Duration { return min(r.Notice.Repeat/20, time.Hour) }

// breakpoints adds to res the instants within the horizon at which the
// subject in env must be looked at again.
func (p *passRun) breakpoints(w *evaluator, res *pageResult, env any, ref subjectRef, subject string) {
	now := p.tick.Now
	until := now.Add(checkHorizon + changeMargin)
	w.points = w.points[:0]
	for _, st := range p.states {
		if !st.failed && st.rule.Admits(env) {
			setParams(env, st.rule.Params)
			w.points = w.eval.Breakpoints(st.rule, env, now, until, w.points)
		}
	}
	if subject == rules.SubjectPetitioner && p.window > 0 {
		// The petitioner's oldest case leaving the window changes the counts.
		for _, c := range env.(*rules.PetitionerEnv).Petitioner.Cases {
			if t := c.ReceivedAt.Add(p.window); t.After(now) && !t.After(until) {
				w.points = append(w.points, t)
				break
			}
		}
	}
	if len(w.points) == 0 {
		return
	}
	earliest := w.points[0]
	for _, t := range w.points[1:] {
		if t.Before(earliest) {
			earliest = t
		}
	}
	// Stored to the millisecond, rounded up: a check must not come due
	// before its instant does. Later breakpoints are recorded by the pass
	// that looks at the subject then.
	if r := earliest.Truncate(time.Millisecond); !r.Equal(earliest) {
		earliest = r.Add(time.Millisecond)
	}
	res.batch.Checks = append(res.batch.Checks, store.Check{Kind: subject, Key: ref.key, At: earliest})
}
