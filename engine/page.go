package engine

import (
	"context"
	"encoding/json"
	"time"

	"duban/models"
	"duban/rules"
	"duban/store"
)

// pageWorker evaluates pages of subjects against the rules of one pass and
// writes what they raise.
type pageWorker struct {
	engine *Engine
	ctx    context.Context
	tick   *rules.Tick
	states []*ruleState
	emit   func(Outcome)
	eval   *rules.Evaluator
	dry    bool // evaluate and report, write nothing

	caseEnv rules.CaseEnv
	petEnv  rules.PetitionerEnv
	slotEnv rules.SlotEnv
}

// subjectRef is what a page item needs besides its env: its key and, for
// case subjects, its case number.
type subjectRef struct {
	key, caseNo string
}

// pendingOpen is a new episode waiting for its sequence number and write.
type pendingOpen struct {
	st     *ruleState
	op     *store.OpenOp
	raised *rules.Raised
}

type pendingReraise struct {
	st     *ruleState
	op     *store.Reraise
	key    string
	caseNo string
	raised *rules.Raised
}

func (w *pageWorker) cases(page []rules.Case) error {
	w.caseEnv.Now = w.tick.Now
	return w.process(len(page), func(i int) (any, subjectRef) {
		w.caseEnv.Case = &page[i]
		return &w.caseEnv, subjectRef{key: page[i].CaseNo, caseNo: page[i].CaseNo}
	})
}

func (w *pageWorker) petitioners(page []rules.Petitioner) error {
	w.petEnv.Now = w.tick.Now
	return w.process(len(page), func(i int) (any, subjectRef) {
		w.petEnv.Petitioner = &page[i]
		return &w.petEnv, subjectRef{key: page[i].ID}
	})
}

func (w *pageWorker) slots(page []rules.Slot) error {
	w.slotEnv.Now = w.tick.Now
	return w.process(len(page), func(i int) (any, subjectRef) {
		w.slotEnv.Slot = &page[i]
		return &w.slotEnv, subjectRef{key: page[i].Key}
	})
}

func setParams(env any, params map[string]any) {
	switch e := env.(type) {
	case *rules.CaseEnv:
		e.Params = params
	case *rules.PetitionerEnv:
		e.Params = params
	case *rules.SlotEnv:
		e.Params = params
	}
}

// process evaluates n subjects (at(i) points the env at subject i) against
// every rule of the pass and writes the page's outcomes in one transaction.
func (w *pageWorker) process(n int, at func(int) (any, subjectRef)) error {
	now := w.tick.Now
	batch := &store.Batch{Now: now}
	var opens []pendingOpen
	var reraises []pendingReraise
	type flagInfo struct{ st *ruleState }
	var ongoingFlags []flagInfo
	for i := 0; i < n; i++ {
		env, ref := at(i)
		for _, st := range w.states {
			if st.failed {
				continue
			}
			r := st.rule
			setParams(env, r.Params)
			st.run.Subjects++
			holds, err := w.eval.Holds(r, env)
			if err != nil {
				st.fail(err)
				delete(st.open, ref.key) // unknown: neither raise nor resolve
				continue
			}
			if !holds {
				continue
			}
			st.run.Fired++
			if w.dry {
				raised, err := w.tick.Render(w.eval, r, env, ref.key, ref.caseNo)
				if err != nil {
					st.fail(err)
					continue
				}
				w.emitHolds(st, ref, raised)
				continue
			}
			if ep, ok := st.open[ref.key]; ok {
				delete(st.open, ref.key)
				if due(r, ep, now) {
					raised, err := w.tick.Render(w.eval, r, env, ref.key, ref.caseNo)
					if err != nil {
						st.fail(err)
						continue
					}
					op := &store.Reraise{NoticeID: ep.NoticeID, FromCount: ep.SendCount,
						Title: raised.Notice.Title, Body: raised.Notice.Body}
					batch.Reraises = append(batch.Reraises, op)
					reraises = append(reraises, pendingReraise{st: st, op: op, key: ref.key, caseNo: ref.caseNo, raised: raised})
				}
				if r.Subject == rules.SubjectPetitioner && r.Flag != nil {
					cases, err := w.tick.FlagCases(w.eval, r, env)
					if err != nil {
						st.fail(err)
						continue
					}
					for _, c := range cases {
						batch.Flags = append(batch.Flags, &models.Flag{CaseNo: c, Label: r.Flag.Label, RuleID: r.ID, Subject: ref.key})
						ongoingFlags = append(ongoingFlags, flagInfo{st})
					}
				}
				continue
			}
			raised, err := w.tick.Render(w.eval, r, env, ref.key, ref.caseNo)
			if err != nil {
				st.fail(err)
				continue
			}
			opens = append(opens, pendingOpen{st: st, raised: raised, op: w.openOp(r, ref, raised)})
		}
	}
	if err := w.numberEpisodes(opens); err != nil {
		return err
	}
	for _, o := range opens {
		batch.Opens = append(batch.Opens, o.op)
	}
	if batch.Empty() {
		return nil
	}
	if err := w.engine.Store.ApplyBatch(w.ctx, batch); err != nil {
		// The page's writes rolled back together; count it against each rule
		// that had something to write and carry on with the next page.
		for _, o := range opens {
			o.st.fail(err)
		}
		for _, rr := range reraises {
			rr.st.fail(err)
		}
		return nil
	}
	for _, o := range opens {
		if o.op.Won {
			w.emitOpen(o)
		}
	}
	for _, rr := range reraises {
		if rr.op.Won {
			rr.st.run.Reraised++
			no := rr.raised.Notice
			w.emitOut(Outcome{Kind: KindNotice, Action: ActionReraised, Rule: rr.st.rule.ID, SubjectKind: rr.st.rule.Subject,
				Subject: rr.key, CaseNo: rr.caseNo, Unit: first(no.Recipients), Level: no.Level, Title: no.Title})
		}
	}
	for i, f := range batch.Flags {
		if batch.FlagsWon[i] {
			ongoingFlags[i].st.run.Flags++
			w.emitOut(Outcome{Kind: KindFlag, Action: ActionRaised, Rule: f.RuleID, SubjectKind: rules.SubjectPetitioner,
				Subject: f.Subject, CaseNo: f.CaseNo, Flag: f.Label})
		}
	}
	return nil
}

// due reports whether an open episode's notice should be sent again: the
// rule repeats and a repeat interval has passed since the last sending. The
// small grace lets a daily 08:00 tick re-send a notice first sent at 08:00:05.
func due(r *rules.Rule, ep store.EpisodeState, now time.Time) bool {
	if r.Notice == nil || r.Notice.Repeat <= 0 || ep.NoticeID == 0 || ep.NoticeStatus == models.NoticeResolved {
		return false
	}
	grace := min(r.Notice.Repeat/20, time.Hour)
	return now.Sub(ep.LastSentAt) >= r.Notice.Repeat-grace
}

func (w *pageWorker) openOp(r *rules.Rule, ref subjectRef, raised *rules.Raised) *store.OpenOp {
	op := &store.OpenOp{Episode: models.Episode{RuleID: r.ID, SubjectKind: r.Subject, SubjectKey: ref.key}}
	evidence := evidenceJSON(raised.Evidence)
	if no := raised.Notice; no != nil {
		recipients, _ := json.Marshal(no.Recipients)
		op.Notice = &models.Notice{RuleID: r.ID, SubjectKind: r.Subject, SubjectKey: ref.key, CaseNo: ref.caseNo,
			Level: no.Level, Title: no.Title, Body: no.Body, UnitCode: first(no.Recipients),
			Recipients: string(recipients), Evidence: evidence}
	}
	if f := raised.Flag; f != nil {
		for _, c := range f.CaseNos {
			op.Flags = append(op.Flags, &models.Flag{CaseNo: c, Label: f.Label, RuleID: r.ID, Subject: ref.key, Evidence: evidence})
		}
	}
	if a := raised.Accountability; a != nil {
		op.Account = &models.AccountabilityRecord{Kind: models.AccountRecord, RuleID: r.ID, SubjectKind: r.Subject,
			SubjectKey: ref.key, CaseNo: ref.caseNo, UnitCode: a.Unit, Grade: a.Grade, Reason: a.Reason, Evidence: evidence}
	}
	return op
}

// numberEpisodes gives each new episode the number after its subject's last
// one, so (rule, subject, number) is the same in every replica.
func (w *pageWorker) numberEpisodes(opens []pendingOpen) error {
	byRule := map[*ruleState][]string{}
	for _, o := range opens {
		byRule[o.st] = append(byRule[o.st], o.op.Episode.SubjectKey)
	}
	last := map[*ruleState]map[string]int{}
	for st, keys := range byRule {
		m, err := w.engine.Store.LastSeqs(w.ctx, st.rule.ID, keys)
		if err != nil {
			return err
		}
		last[st] = m
	}
	for _, o := range opens {
		ep := &o.op.Episode
		ep.Seq = last[o.st][ep.SubjectKey] + 1
		key := store.DedupKey(ep.RuleID, ep.SubjectKey, ep.Seq)
		if o.op.Notice != nil {
			o.op.Notice.DedupKey = key
		}
		if o.op.Account != nil {
			o.op.Account.DedupKey = key
		}
	}
	return nil
}

func (w *pageWorker) emitOpen(o pendingOpen) {
	r, ep := o.st.rule, o.op.Episode
	o.st.run.Raised++
	base := Outcome{Action: ActionRaised, Rule: r.ID, SubjectKind: r.Subject, Subject: ep.SubjectKey, Episode: ep.Seq}
	if r.Subject == rules.SubjectCase {
		base.CaseNo = ep.SubjectKey
	}
	if n := o.op.Notice; n != nil {
		out := base
		out.Kind, out.Unit, out.Level, out.Title = KindNotice, n.UnitCode, n.Level, n.Title
		w.emitOut(out)
	}
	for i, f := range o.op.Flags {
		if o.op.FlagsWon[i] {
			o.st.run.Flags++
			out := base
			out.Kind, out.CaseNo, out.Flag = KindFlag, f.CaseNo, f.Label
			w.emitOut(out)
		}
	}
	if a := o.op.Account; a != nil {
		o.st.run.Accountability++
		out := base
		out.Kind, out.Unit, out.Grade, out.Reason = KindAccountability, a.UnitCode, a.Grade, a.Reason
		w.emitOut(out)
	}
}

// emitHolds reports, for a dry run, everything the rule would raise.
func (w *pageWorker) emitHolds(st *ruleState, ref subjectRef, raised *rules.Raised) {
	r := st.rule
	base := Outcome{Action: ActionHolds, Rule: r.ID, SubjectKind: r.Subject, Subject: ref.key, CaseNo: ref.caseNo}
	if no := raised.Notice; no != nil {
		out := base
		out.Kind, out.Unit, out.Level, out.Title = KindNotice, first(no.Recipients), no.Level, no.Title
		w.emitOut(out)
	}
	if f := raised.Flag; f != nil {
		for _, c := range f.CaseNos {
			out := base
			out.Kind, out.CaseNo, out.Flag = KindFlag, c, f.Label
			w.emitOut(out)
		}
	}
	if a := raised.Accountability; a != nil {
		out := base
		out.Kind, out.Unit, out.Grade, out.Reason = KindAccountability, a.Unit, a.Grade, a.Reason
		w.emitOut(out)
	}
}

func (w *pageWorker) emitOut(o Outcome) {
	o.At = w.tick.Now
	if w.emit != nil {
		w.emit(o)
	}
}

// resolveUnseen resolves the open episodes no subject held for in this pass.
func (w *pageWorker) resolveUnseen(ctx context.Context) {
	for _, st := range w.states {
		if st.failed || len(st.open) == 0 {
			continue
		}
		var chunk []*store.Resolve
		keys := make(map[*store.Resolve]string)
		flush := func() {
			if len(chunk) == 0 {
				return
			}
			b := &store.Batch{Now: w.tick.Now, Resolves: chunk}
			if err := w.engine.Store.ApplyBatch(ctx, b); err != nil {
				st.fail(err)
				chunk = nil
				return
			}
			for _, r := range chunk {
				if !r.Won {
					continue
				}
				st.run.Resolved++
				if r.NoticeID != 0 {
					out := Outcome{Kind: KindNotice, Action: ActionResolved, Rule: st.rule.ID, SubjectKind: st.rule.Subject, Subject: keys[r]}
					if st.rule.Subject == rules.SubjectCase {
						out.CaseNo = keys[r]
					}
					w.emitOut(out)
				}
			}
			chunk = nil
		}
		for key, ep := range st.open {
			r := &store.Resolve{EpisodeID: ep.ID, NoticeID: ep.NoticeID}
			keys[r] = key
			chunk = append(chunk, r)
			if len(chunk) == 500 {
				flush()
			}
		}
		flush()
	}
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}
