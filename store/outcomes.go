package store

import (
	"context"
	crand "crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"duban/models"
)

// EpisodeState is an open episode of a rule, with its notice if it has one.
type EpisodeState struct {
	ID           uint64
	Seq          int
	NoticeID     uint64
	NoticeStatus string
	SendCount    int
	LastSentAt   time.Time
}

// OpenEpisodes loads the rule's open episodes by subject key: what the tick
// compares each subject against, in one query rather than one per subject.
func (s *Store) OpenEpisodes(ctx context.Context, ruleID string) (map[string]EpisodeState, error) {
	return s.loadOpenEpisodes(ctx, "", ruleID)
}

func (s *Store) loadOpenEpisodes(ctx context.Context, and string, args ...any) (map[string]EpisodeState, error) {
	rows, err := s.SQL.QueryContext(ctx, `SELECT e.subject_key, e.id, e.seq, n.id, n.status, n.send_count, n.last_sent_at
		FROM episodes e LEFT JOIN notices n ON n.episode_id = e.id
		WHERE e.rule_id = ? AND e.resolved_at IS NULL`+and, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]EpisodeState{}
	for rows.Next() {
		var key string
		var st EpisodeState
		var nid, count sql.NullInt64
		var status sql.NullString
		var sent sql.NullTime
		if err := rows.Scan(&key, &st.ID, &st.Seq, &nid, &status, &count, &sent); err != nil {
			return nil, err
		}
		st.NoticeID, st.NoticeStatus, st.SendCount, st.LastSentAt = uint64(nid.Int64), status.String, int(count.Int64), sent.Time
		out[key] = st
	}
	return out, rows.Err()
}

// LastSeqs returns the highest number among each subject's resolved
// episodes. A tick numbers a new episode one past it: counting only resolved
// episodes means two replicas that both open an episode for a subject pick
// the same number and collide on the unique key, instead of one of them
// seeing the other's fresh episode and opening the next one.
func (s *Store) LastSeqs(ctx context.Context, ruleID string, keys []string) (map[string]int, error) {
	out := map[string]int{}
	for start := 0; start < len(keys); start += 500 {
		chunk := keys[start:min(start+500, len(keys))]
		args := make([]any, 0, len(chunk)+1)
		args = append(args, ruleID)
		for _, k := range chunk {
			args = append(args, k)
		}
		rows, err := s.SQL.QueryContext(ctx, `SELECT subject_key, MAX(seq) FROM episodes
			WHERE rule_id = ? AND subject_key IN (`+placeholders(len(chunk))+`) AND resolved_at IS NOT NULL
			GROUP BY subject_key`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var k string
			var seq int
			if err := rows.Scan(&k, &seq); err != nil {
				rows.Close()
				return nil, err
			}
			out[k] = seq
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// OpenOp is a new episode with the outcomes it raises.
type OpenOp struct {
	Episode models.Episode
	Notice  *models.Notice
	Flags   []*models.Flag
	Account *models.AccountabilityRecord

	// Set by ApplyBatch: whether this process opened the episode (another
	// tick may have opened it first), and which flags were new.
	Won      bool
	FlagsWon []bool
}

// Reraise is a notice due to be sent again; FromCount is the send count the
// tick saw, so that only one of two concurrent ticks sends it.
type Reraise struct {
	NoticeID  uint64
	FromCount int
	// Title and Body are the notice's text as of this sending.
	Title, Body string
	Won         bool
}

// Resolve closes an episode whose condition no longer holds.
type Resolve struct {
	EpisodeID uint64
	NoticeID  uint64
	Won       bool
}

// Batch is everything one page of subjects changes, written in one transaction.
type Batch struct {
	Now time.Time
	// TickID marks the rows this batch writes, to tell them from another
	// tick's writing the same keys at once. It must be unique per tick.
	TickID   string
	Opens    []*OpenOp
	Reraises []*Reraise
	Flags    []*models.Flag // labels on ongoing episodes; new ones set FlagsWon
	FlagsWon []bool
	Resolves []*Resolve
	// Checks are pending checks found while evaluating the page.
	Checks []Check
}

// reset clears what a failed attempt left on the batch before a retry.
func (b *Batch) reset() {
	for _, o := range b.Opens {
		o.Won, o.FlagsWon, o.Episode.ID = false, nil, 0
		if o.Notice != nil {
			o.Notice.ID = 0
		}
		for _, f := range o.Flags {
			f.ID = 0
		}
		if o.Account != nil {
			o.Account.ID = 0
		}
	}
	for _, r := range b.Reraises {
		r.Won = false
	}
	for _, f := range b.Flags {
		f.ID = 0
	}
	b.FlagsWon = nil
	for _, r := range b.Resolves {
		r.Won = false
	}
}

// Empty reports whether the batch changes nothing.
func (b *Batch) Empty() bool {
	return len(b.Opens) == 0 && len(b.Reraises) == 0 && len(b.Flags) == 0 && len(b.Resolves) == 0 && len(b.Checks) == 0
}

// ApplyBatch writes a batch atomically. Dedup keys make it idempotent: run
// twice, or by two replicas at once, it opens each episode, sends each
// notice and appends each accountability record once.
func (s *Store) ApplyBatch(ctx context.Context, b *Batch) error {
	if b.TickID == "" {
		var r [8]byte
		crand.Read(r[:])
		b.TickID = "batch-" + hex.EncodeToString(r[:])
	}
	now := utc(b.Now)
	at := s.timeArg(now)
	return s.txSQL(ctx, func(tx *sql.Tx) error {
		b.reset()
		if err := s.openEpisodes(ctx, tx, b.Opens, now, b.TickID); err != nil {
			return err
		}
		var notices [][]any
		var noticeEpisodes []any
		var records []*models.AccountabilityRecord
		var flags []*models.Flag
		for _, o := range b.Opens {
			if !o.Won {
				continue
			}
			if n := o.Notice; n != nil {
				n.EpisodeID = o.Episode.ID
				n.RaisedAt, n.LastSentAt, n.SendCount, n.Status = now, now, 1, models.NoticeOpen
				notices = append(notices, []any{n.EpisodeID, n.DedupKey, n.RuleID, n.SubjectKind, n.SubjectKey, n.CaseNo,
					n.Level, n.Title, n.Body, n.UnitCode, n.Recipients, n.Status, at, at, 1, "", "", n.Evidence})
				noticeEpisodes = append(noticeEpisodes, n.EpisodeID)
			}
			flags = append(flags, o.Flags...)
			if o.Account != nil {
				records = append(records, o.Account)
			}
		}
		if err := s.insertRows(ctx, tx, "notices", noticeColumns, notices, false); err != nil {
			return fmt.Errorf("notices: %w", err)
		}
		// Each new notice's first sending, in the same transaction.
		for start := 0; start < len(noticeEpisodes); start += 500 {
			chunk := noticeEpisodes[start:min(start+500, len(noticeEpisodes))]
			q := "INSERT INTO outboxes (notice_id, send_seq, idem_key, created_at) SELECT id, 1, " +
				s.concat("'notice/'", "id", "'/1'") + ", ? FROM notices WHERE episode_id IN (" + placeholders(len(chunk)) + ")"
			if _, err := tx.ExecContext(ctx, q, append([]any{at}, chunk...)...); err != nil {
				return fmt.Errorf("outbox: %w", err)
			}
		}
		won, err := s.insertFlags(ctx, tx, flags, now, b.TickID)
		if err != nil {
			return err
		}
		i := 0
		for _, o := range b.Opens {
			if o.Won {
				o.FlagsWon = won[i : i+len(o.Flags)]
				i += len(o.Flags)
			}
		}
		if len(records) > 0 {
			if err := s.appendChain(ctx, tx, records, now); err != nil {
				return err
			}
		}
		if err := s.reraise(ctx, tx, b.Reraises, now, b.TickID); err != nil {
			return err
		}
		if b.FlagsWon, err = s.insertFlags(ctx, tx, b.Flags, now, b.TickID); err != nil {
			return err
		}
		if err := s.resolve(ctx, tx, b.Resolves, now); err != nil {
			return err
		}
		return s.saveChecks(ctx, tx, b.Checks)
	})
}

var noticeColumns = []string{"episode_id", "dedup_key", "rule_id", "subject_kind", "subject_key", "case_no",
	"level", "title", "body", "unit_code", "recipients", "status", "raised_at", "last_sent_at", "send_count",
	"acked_by", "ack_comment", "evidence"}

// openEpisodes inserts the new episodes in multi-row statements that skip
// existing keys, then reads back which rows carry this tick's id: those are
// the episodes this transaction opened (Won); the others were opened first by
// another tick.
func (s *Store) openEpisodes(ctx context.Context, tx *sql.Tx, opens []*OpenOp, now time.Time, tickID string) error {
	if len(opens) == 0 {
		return nil
	}
	at := s.timeArg(now)
	rows := make([][]any, len(opens))
	for i, o := range opens {
		ep := &o.Episode
		ep.OpenedAt, ep.TickID = now, tickID
		rows[i] = []any{ep.RuleID, ep.SubjectKind, ep.SubjectKey, ep.Seq, at, tickID}
	}
	if err := s.insertRows(ctx, tx, "episodes", []string{"rule_id", "subject_kind", "subject_key", "seq", "opened_at", "tick_id"}, rows, true); err != nil {
		return fmt.Errorf("open episodes: %w", err)
	}
	type key struct {
		rule, subject string
		seq           int
	}
	byKey := make(map[key]*OpenOp, len(opens))
	subjects := map[string][]string{} // by rule: the read-back below walks the (rule, subject, seq) index
	for _, o := range opens {
		byKey[key{o.Episode.RuleID, o.Episode.SubjectKey, o.Episode.Seq}] = o
		subjects[o.Episode.RuleID] = append(subjects[o.Episode.RuleID], o.Episode.SubjectKey)
	}
	for ruleID, keys := range subjects {
		err := chunks(keys, 500, func(part []string) error {
			r, err := tx.QueryContext(ctx, "SELECT id, subject_key, seq FROM episodes WHERE rule_id = ? AND subject_key IN ("+
				placeholders(len(part))+") AND tick_id = ?", append(append([]any{ruleID}, anys(part)...), tickID)...)
			if err != nil {
				return err
			}
			defer r.Close()
			for r.Next() {
				var id uint64
				k := key{rule: ruleID}
				if err := r.Scan(&id, &k.subject, &k.seq); err != nil {
					return err
				}
				if o, ok := byKey[k]; ok {
					o.Won, o.Episode.ID = true, id
				}
			}
			return r.Err()
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// insertFlags inserts labels unless they exist, reporting which were new
// (read back by this tick's id, as for episodes).
func (s *Store) insertFlags(ctx context.Context, tx *sql.Tx, flags []*models.Flag, now time.Time, tickID string) ([]bool, error) {
	won := make([]bool, len(flags))
	if len(flags) == 0 {
		return won, nil
	}
	at := s.timeArg(now)
	rows := make([][]any, len(flags))
	caseNos := make([]string, 0, len(flags))
	for i, f := range flags {
		f.SetAt, f.TickID = now, tickID
		rows[i] = []any{f.CaseNo, f.Label, f.RuleID, f.Subject, at, f.Evidence, tickID}
		caseNos = append(caseNos, f.CaseNo)
	}
	if err := s.insertRows(ctx, tx, "flags", []string{"case_no", "label", "rule_id", "subject", "set_at", "evidence", "tick_id"}, rows, true); err != nil {
		return nil, fmt.Errorf("flags: %w", err)
	}
	mine := map[[3]string]bool{}
	err := chunks(caseNos, 500, func(part []string) error {
		r, err := tx.QueryContext(ctx, "SELECT case_no, label, rule_id FROM flags WHERE tick_id = ? AND case_no IN ("+
			placeholders(len(part))+")", append([]any{tickID}, anys(part)...)...)
		if err != nil {
			return err
		}
		defer r.Close()
		for r.Next() {
			var k [3]string
			if err := r.Scan(&k[0], &k[1], &k[2]); err != nil {
				return err
			}
			mine[k] = true
		}
		return r.Err()
	})
	if err != nil {
		return nil, err
	}
	for i, f := range flags {
		k := [3]string{f.CaseNo, f.Label, f.RuleID}
		won[i] = mine[k]
		delete(mine, k) // a label listed twice in one batch is new once
	}
	return won, nil
}

// reraise sends notices again. A notice moves on only from the send count
// this tick saw, so of two ticks sending it at once only one does; which
// notices this tick moved is read back by its id.
func (s *Store) reraise(ctx context.Context, tx *sql.Tx, rs []*Reraise, now time.Time, tickID string) error {
	at := s.timeArg(now)
	for start := 0; start < len(rs); start += 200 {
		part := rs[start:min(start+200, len(rs))]
		var titles, bodies, match strings.Builder
		args := []any{at, tickID}
		var titleArgs, bodyArgs, matchArgs, ids []any
		for i, r := range part {
			titles.WriteString(" WHEN ? THEN ?")
			bodies.WriteString(" WHEN ? THEN ?")
			titleArgs = append(titleArgs, r.NoticeID, r.Title)
			bodyArgs = append(bodyArgs, r.NoticeID, r.Body)
			if i > 0 {
				match.WriteString(" OR ")
			}
			match.WriteString("(id = ? AND send_count = ?)")
			matchArgs = append(matchArgs, r.NoticeID, r.FromCount)
			ids = append(ids, r.NoticeID)
		}
		args = append(append(append(append(args, titleArgs...), bodyArgs...), matchArgs...), models.NoticeResolved)
		q := "UPDATE notices SET send_count = send_count + 1, last_sent_at = ?, sent_tick = ?, title = CASE id" + titles.String() +
			" END, body = CASE id" + bodies.String() + " END WHERE (" + match.String() + ") AND status <> ?"
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("re-raise notices: %w", err)
		}
		sent := map[uint64]bool{}
		r, err := tx.QueryContext(ctx, "SELECT id FROM notices WHERE sent_tick = ? AND last_sent_at = ? AND id IN ("+placeholders(len(ids))+")",
			append([]any{tickID, at}, ids...)...)
		if err != nil {
			return err
		}
		for r.Next() {
			var id uint64
			if err := r.Scan(&id); err != nil {
				r.Close()
				return err
			}
			sent[id] = true
		}
		r.Close()
		var outbox [][]any
		for _, rr := range part {
			if sent[rr.NoticeID] {
				rr.Won = true
				seq := rr.FromCount + 1
				outbox = append(outbox, []any{rr.NoticeID, seq, fmt.Sprintf("notice/%d/%d", rr.NoticeID, seq), at})
			}
		}
		if err := s.insertRows(ctx, tx, "outboxes", []string{"notice_id", "send_seq", "idem_key", "created_at"}, outbox, true); err != nil {
			return fmt.Errorf("outbox: %w", err)
		}
	}
	return nil
}

// resolve closes episodes (and their notices) that stopped holding.
func (s *Store) resolve(ctx context.Context, tx *sql.Tx, rs []*Resolve, now time.Time) error {
	for _, r := range rs {
		res, err := tx.ExecContext(ctx, "UPDATE episodes SET resolved_at = ? WHERE id = ? AND resolved_at IS NULL", now, r.EpisodeID)
		if err != nil {
			return fmt.Errorf("resolve episode %d: %w", r.EpisodeID, err)
		}
		n, _ := res.RowsAffected()
		if r.Won = n == 1; r.Won && r.NoticeID != 0 {
			if _, err := tx.ExecContext(ctx, "UPDATE notices SET status = ?, resolved_at = ? WHERE id = ?",
				models.NoticeResolved, now, r.NoticeID); err != nil {
				return fmt.Errorf("resolve notice %d: %w", r.NoticeID, err)
			}
		}
	}
	return nil
}

// DedupKey is the key of a rule's outcome for one episode of one subject.
func DedupKey(ruleID, subjectKey string, seq int) string {
	return ruleID + "/" + subjectKey + "/" + fmt.Sprint(seq)
}

// SaveRuleRun records one rule's part of a tick.
func (s *Store) SaveRuleRun(ctx context.Context, run *models.RuleRun) error {
	run.StartedAt, run.FinishedAt, run.Now = utc(run.StartedAt), utc(run.FinishedAt), utc(run.Now)
	if len(run.FirstError) > 4000 {
		run.FirstError = run.FirstError[:4000]
	}
	return s.serialize(func() error { return s.DB.WithContext(ctx).Create(run).Error })
}

// LastRuleRuns returns the latest run of each rule.
func (s *Store) LastRuleRuns(ctx context.Context) (map[string]models.RuleRun, error) {
	var runs []models.RuleRun
	err := s.DB.WithContext(ctx).Raw(`SELECT r.* FROM rule_runs r JOIN
		(SELECT rule_id, MAX(id) AS id FROM rule_runs GROUP BY rule_id) l ON l.id = r.id`).Scan(&runs).Error
	out := make(map[string]models.RuleRun, len(runs))
	for _, r := range runs {
		out[r.RuleID] = r
	}
	return out, err
}
