package faultkit

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"duban/models"
	"duban/store"
)

// State is what a database holds of the outcomes, keyed so that two
// databases ticked at the same instants compare equal whatever ids their
// rows got.
type State struct {
	// Notices by dedup key: status, sendings, last sending, title.
	Notices map[string]string
	// Sendings are notice dedup key + sending number, with the instant.
	Sendings map[string]string
	Episodes map[string]string
	Flags    map[string]string
	Accounts map[string]string
}

// Snapshot reads the outcome state of a database.
func Snapshot(ctx context.Context, st *store.Store) (*State, error) {
	s := &State{Notices: map[string]string{}, Sendings: map[string]string{}, Episodes: map[string]string{},
		Flags: map[string]string{}, Accounts: map[string]string{}}
	ts := func(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
	var notices []models.Notice
	if err := st.DB.WithContext(ctx).Find(&notices).Error; err != nil {
		return nil, err
	}
	keyOf := map[uint64]string{}
	for _, n := range notices {
		keyOf[n.ID] = n.DedupKey
		s.Notices[n.DedupKey] = fmt.Sprintf("%s sent %d last %s: %s", n.Status, n.SendCount, ts(n.LastSentAt), n.Title)
	}
	var outbox []models.Outbox
	if err := st.DB.WithContext(ctx).Find(&outbox).Error; err != nil {
		return nil, err
	}
	for _, o := range outbox {
		k := fmt.Sprintf("%s#%d", keyOf[o.NoticeID], o.SendSeq)
		if _, dup := s.Sendings[k]; dup {
			s.Sendings[k+" (again)"] = ts(o.CreatedAt)
		}
		s.Sendings[k] = ts(o.CreatedAt)
	}
	var eps []models.Episode
	if err := st.DB.WithContext(ctx).Find(&eps).Error; err != nil {
		return nil, err
	}
	for _, e := range eps {
		resolved := "open"
		if e.ResolvedAt != nil {
			resolved = "resolved " + ts(*e.ResolvedAt)
		}
		s.Episodes[store.DedupKey(e.RuleID, e.SubjectKey, e.Seq)] = "opened " + ts(e.OpenedAt) + " " + resolved
	}
	var flags []models.Flag
	if err := st.DB.WithContext(ctx).Find(&flags).Error; err != nil {
		return nil, err
	}
	for _, f := range flags {
		s.Flags[f.CaseNo+"/"+f.Label+"/"+f.RuleID] = "set " + ts(f.SetAt)
	}
	var recs []models.AccountabilityRecord
	if err := st.DB.WithContext(ctx).Find(&recs).Error; err != nil {
		return nil, err
	}
	for _, r := range recs {
		s.Accounts[r.DedupKey] = fmt.Sprintf("%s %s %s %s at %s", r.Kind, r.UnitCode, r.Grade, r.Reason, ts(r.CreatedAt))
	}
	return s, nil
}

// Count is how many outcomes the state holds.
func (s *State) Count() int {
	return len(s.Notices) + len(s.Sendings) + len(s.Flags) + len(s.Accounts)
}

// Diff lists how got differs from want (at most limit lines).
func Diff(want, got *State, limit int) []string {
	var out []string
	cmp := func(what string, w, g map[string]string) {
		keys := map[string]bool{}
		for k := range w {
			keys[k] = true
		}
		for k := range g {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			wv, inW := w[k]
			gv, inG := g[k]
			switch {
			case !inG:
				out = append(out, fmt.Sprintf("%s %s missing (want %s)", what, k, wv))
			case !inW:
				out = append(out, fmt.Sprintf("%s %s not expected (got %s)", what, k, gv))
			case wv != gv:
				out = append(out, fmt.Sprintf("%s %s: got %s, want %s", what, k, gv, wv))
			}
		}
	}
	cmp("notice", want.Notices, got.Notices)
	cmp("sending", want.Sendings, got.Sendings)
	cmp("episode", want.Episodes, got.Episodes)
	cmp("flag", want.Flags, got.Flags)
	cmp("accountability", want.Accounts, got.Accounts)
	if len(out) > limit {
		out = append(out[:limit], fmt.Sprintf("... and %d more", len(out)-limit))
	}
	return out
}

// Outcome is what Check found: the figures of a run and what is wrong.
type Outcome struct {
	Notices   int  `json:"notices"`
	Sendings  int  `json:"sendings"`
	Flags     int  `json:"flags"`
	Accounts  int  `json:"accountability_records"`
	ChainOK   bool `json:"chain_ok"`
	Delivered int  `json:"sendings_delivered"`
	// Superseded sendings were not sent because a later sending of the same
	// notice was (nothing delivered for a while: only the latest goes out).
	Superseded int `json:"sendings_superseded"`
	// Lost lists every expected outcome or delivery that is missing or
	// doubled. It must be empty.
	Lost []string `json:"lost"`
}

// Check compares a database with what the scenario must have raised, each
// exactly once, and checks the chain; with received set (a receiver's
// Processed), also that every sending was delivered.
func Check(ctx context.Context, st *store.Store, exp Expect, received map[string]int) (*Outcome, error) {
	o := &Outcome{}
	lost := func(format string, args ...any) {
		if len(o.Lost) < 50 {
			o.Lost = append(o.Lost, fmt.Sprintf(format, args...))
		}
	}
	rep, err := st.VerifyChain(ctx)
	if err != nil {
		return nil, err
	}
	o.ChainOK = rep.OK
	if !rep.OK {
		lost("audit verify: record %d: %s", rep.First.Seq, rep.First.Problem)
	}

	var notices []models.Notice
	if err := st.DB.WithContext(ctx).Order("id").Find(&notices).Error; err != nil {
		return nil, err
	}
	o.Notices = len(notices)
	byKey := map[string][]models.Notice{}
	for _, n := range notices {
		byKey[n.RuleID+"/"+n.SubjectKey] = append(byKey[n.RuleID+"/"+n.SubjectKey], n)
	}
	for _, k := range exp.Notices {
		switch ns := byKey[k]; {
		case len(ns) == 0:
			lost("notice %s was never raised", k)
		case len(ns) > 1:
			lost("notice %s raised %d times", k, len(ns))
		case !strings.HasSuffix(ns[0].DedupKey, "/1"):
			lost("notice %s is episode %s, want 1", k, ns[0].DedupKey)
		}
		delete(byKey, k)
	}
	for k := range byKey {
		lost("notice %s was not expected", k)
	}

	var outbox []models.Outbox
	if err := st.DB.WithContext(ctx).Order("notice_id, send_seq").Find(&outbox).Error; err != nil {
		return nil, err
	}
	o.Sendings = len(outbox)
	sendings := map[uint64][]models.Outbox{}
	for _, ob := range outbox {
		sendings[ob.NoticeID] = append(sendings[ob.NoticeID], ob)
	}
	var lastClean time.Time
	if exp.Repeat > 0 && exp.Due {
		var runs []models.RuleRun
		st.DB.WithContext(ctx).Where("rule_id = ? AND errors = 0", "fault.open").Order("now DESC").Limit(1).Find(&runs)
		if len(runs) == 1 {
			lastClean = runs[0].Now
		}
	}
	for _, n := range notices {
		obs := sendings[n.ID]
		if len(obs) != n.SendCount {
			lost("notice %s was sent %d times but has %d outbox messages", n.DedupKey, n.SendCount, len(obs))
		}
		for i, ob := range obs {
			if ob.SendSeq != i+1 {
				lost("notice %s: sending %d is numbered %d", n.DedupKey, i+1, ob.SendSeq)
				break
			}
			if i > 0 && exp.Repeat > 0 && ob.CreatedAt.Sub(obs[i-1].CreatedAt) < exp.Repeat {
				lost("notice %s: sendings %d and %d only %s apart (repeat %s)", n.DedupKey, i, i+1,
					ob.CreatedAt.Sub(obs[i-1].CreatedAt), exp.Repeat)
			}
		}
		if !lastClean.IsZero() && n.Status == models.NoticeOpen && !lastClean.Before(n.LastSentAt.Add(exp.Repeat)) {
			lost("notice %s: last sent %s, due again by the tick at %s, not re-sent", n.DedupKey,
				n.LastSentAt.UTC().Format(time.RFC3339), lastClean.UTC().Format(time.RFC3339))
		}
	}

	var flags []models.Flag
	if err := st.DB.WithContext(ctx).Find(&flags).Error; err != nil {
		return nil, err
	}
	o.Flags = len(flags)
	have := map[string]int{}
	for _, f := range flags {
		have[f.CaseNo+"/"+f.Label+"/"+f.RuleID]++
	}
	compareSet("flag", exp.Flags, have, lost)

	var recs []models.AccountabilityRecord
	if err := st.DB.WithContext(ctx).Where("kind = ?", models.AccountRecord).Find(&recs).Error; err != nil {
		return nil, err
	}
	o.Accounts = len(recs)
	have = map[string]int{}
	for _, r := range recs {
		have[r.DedupKey]++
	}
	compareSet("accountability record", exp.Accounts, have, lost)

	var twice []struct {
		RuleID string
		N      int
	}
	st.DB.WithContext(ctx).Raw("SELECT rule_id, COUNT(*) AS n FROM rule_runs WHERE errors = 0 GROUP BY rule_id, now HAVING COUNT(*) > 1").Scan(&twice)
	for _, r := range twice {
		lost("rule %s ran cleanly %d times at one instant", r.RuleID, r.N)
	}

	if received != nil {
		if err := checkDelivered(ctx, st, outbox, received, o, lost); err != nil {
			return nil, err
		}
	}
	return o, nil
}

func compareSet(what string, want []string, have map[string]int, lost func(string, ...any)) {
	for _, k := range want {
		switch n := have[k]; {
		case n == 0:
			lost("%s %s is missing", what, k)
		case n > 1:
			lost("%s %s exists %d times", what, k, n)
		}
		delete(have, k)
	}
	for k := range have {
		lost("%s %s was not expected", what, k)
	}
}

// checkDelivered checks that every sending reached the receiver, or was
// superseded by a later sending of its notice that did.
func checkDelivered(ctx context.Context, st *store.Store, outbox []models.Outbox, received map[string]int, o *Outcome, lost func(string, ...any)) error {
	var ds []models.Delivery
	if err := st.DB.WithContext(ctx).Find(&ds).Error; err != nil {
		return err
	}
	byOutbox := map[uint64][]models.Delivery{}
	for _, d := range ds {
		byOutbox[d.OutboxID] = append(byOutbox[d.OutboxID], d)
	}
	latestReceived := map[uint64]int{}
	for _, ob := range outbox {
		if received[ob.IdemKey] > 0 && ob.SendSeq > latestReceived[ob.NoticeID] {
			latestReceived[ob.NoticeID] = ob.SendSeq
		}
	}
	for _, ob := range outbox {
		if ob.DispatchedAt == nil {
			lost("sending %s was never dispatched", ob.IdemKey)
			continue
		}
		dels := byOutbox[ob.ID]
		if len(dels) == 0 {
			if latestReceived[ob.NoticeID] > ob.SendSeq {
				o.Superseded++
			} else {
				lost("sending %s went to no channel and no later sending of its notice arrived", ob.IdemKey)
			}
			continue
		}
		for _, d := range dels {
			if d.Status != models.DeliverySent {
				lost("delivery %d (%s to %s) is %s: %s", d.ID, d.IdemKey, d.Channel, d.Status, d.LastError)
			}
		}
		if received[ob.IdemKey] == 0 {
			lost("sending %s never reached the receiver", ob.IdemKey)
		} else {
			o.Delivered++
		}
	}
	return nil
}
