package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"duban/models"
)

// The accountability log is a hash chain: each entry's hash covers its
// content and the previous entry's hash, and the audit_heads row holds the
// newest sequence number and hash. Any edit, deletion, insertion or reordering
// done directly in the database breaks the chain where it happened.

// chainContent is what an entry's hash covers, in a fixed order.
type chainContent struct {
	Seq         int64  `json:"seq"`
	Kind        string `json:"kind"`
	DedupKey    string `json:"dedup_key"`
	RuleID      string `json:"rule_id"`
	SubjectKind string `json:"subject_kind"`
	SubjectKey  string `json:"subject_key"`
	CaseNo      string `json:"case_no"`
	UnitCode    string `json:"unit_code"`
	Grade       string `json:"grade"`
	Reason      string `json:"reason"`
	Evidence    string `json:"evidence"`
	RefSeq      int64  `json:"ref_seq"`
	Decision    string `json:"decision"`
	Reviewer    string `json:"reviewer"`
	CreatedAt   string `json:"created_at"`
	PrevHash    string `json:"prev_hash"`
}

// ChainHash is the hash an accountability entry must carry.
func ChainHash(r *models.AccountabilityRecord) string {
	b, _ := json.Marshal(chainContent{
		Seq: r.Seq, Kind: r.Kind, DedupKey: r.DedupKey, RuleID: r.RuleID, SubjectKind: r.SubjectKind,
		SubjectKey: r.SubjectKey, CaseNo: r.CaseNo, UnitCode: r.UnitCode, Grade: r.Grade, Reason: r.Reason,
		Evidence: r.Evidence, RefSeq: r.RefSeq, Decision: r.Decision, Reviewer: r.Reviewer,
		CreatedAt: utc(r.CreatedAt).Format(time.RFC3339Nano), PrevHash: r.PrevHash,
	})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// appendChain appends entries in the caller's transaction, in one multi-row
// statement. It holds the head row's lock until the transaction ends, so
// appends from several replicas queue up in order. An entry whose dedup key
// exists fails the transaction: callers only append for episodes they opened.
func (s *Store) appendChain(ctx context.Context, tx *sql.Tx, recs []*models.AccountabilityRecord, now time.Time) error {
	q := "SELECT seq, hash FROM audit_heads WHERE id = 1"
	if s.Dialect == MySQL {
		q += " FOR UPDATE"
	}
	var headSeq int64
	var headHash string
	if err := tx.QueryRowContext(ctx, q).Scan(&headSeq, &headHash); err != nil {
		return fmt.Errorf("accountability chain head: %w", err)
	}
	at := s.timeArg(now)
	rows := make([][]any, len(recs))
	for i, r := range recs {
		r.Seq, r.PrevHash, r.CreatedAt = headSeq+1, headHash, utc(now)
		r.Hash = ChainHash(r)
		rows[i] = []any{r.Seq, r.Kind, r.DedupKey, r.RuleID, r.SubjectKind, r.SubjectKey, r.CaseNo, r.UnitCode, r.Grade,
			r.Reason, r.Evidence, r.RefSeq, r.Decision, r.Reviewer, at, r.PrevHash, r.Hash}
		headSeq, headHash = r.Seq, r.Hash
	}
	if err := s.insertRows(ctx, tx, "accountability_records", []string{"seq", "kind", "dedup_key", "rule_id",
		"subject_kind", "subject_key", "case_no", "unit_code", "grade", "reason", "evidence", "ref_seq", "decision",
		"reviewer", "created_at", "prev_hash", "hash"}, rows, false); err != nil {
		return fmt.Errorf("accountability records: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "UPDATE audit_heads SET seq = ?, hash = ?, updated_at = ? WHERE id = 1",
		headSeq, headHash, at); err != nil {
		return fmt.Errorf("accountability chain head: %w", err)
	}
	return nil
}

// Review decisions.
const (
	DecisionConfirm = "confirm"
	DecisionDismiss = "dismiss"
)

// ErrInvalid marks input a person must correct.
var ErrInvalid = errors.New("invalid")

// AppendReview records an inspector's decision on an accountability record as
// a new entry of the log; the record itself is never changed.
func (s *Store) AppendReview(ctx context.Context, refSeq int64, decision, reason, reviewer string) (*models.AccountabilityRecord, error) {
	if decision != DecisionConfirm && decision != DecisionDismiss {
		return nil, fmt.Errorf("%w: decision %q: want confirm or dismiss", ErrInvalid, decision)
	}
	if reason == "" || reviewer == "" {
		return nil, fmt.Errorf("%w: a review needs a reason and a reviewer", ErrInvalid)
	}
	var out *models.AccountabilityRecord
	err := s.txSQL(ctx, func(tx *sql.Tx) error {
		rec := &models.AccountabilityRecord{Kind: models.AccountReview, RefSeq: refSeq, Decision: decision,
			Reason: reason, Reviewer: reviewer}
		err := tx.QueryRowContext(ctx, `SELECT rule_id, subject_kind, subject_key, case_no, unit_code, grade
			FROM accountability_records WHERE seq = ? AND kind = ?`, refSeq, models.AccountRecord).
			Scan(&rec.RuleID, &rec.SubjectKind, &rec.SubjectKey, &rec.CaseNo, &rec.UnitCode, &rec.Grade)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("accountability record %d: %w", refSeq, ErrNotFound)
		}
		if err != nil {
			return err
		}
		var n int64
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM accountability_records WHERE ref_seq = ?", refSeq).Scan(&n); err != nil {
			return err
		}
		rec.DedupKey = fmt.Sprintf("review/%d/%d", refSeq, n+1)
		if err := s.appendChain(ctx, tx, []*models.AccountabilityRecord{rec}, s.now()); err != nil {
			if isDuplicateKey(err) {
				return fmt.Errorf("review of record %d was written concurrently; try again", refSeq)
			}
			return err
		}
		out = rec
		return nil
	})
	return out, err
}

// ChainProblem is the first place the chain does not verify.
type ChainProblem struct {
	Seq     int64  `json:"seq"`
	ID      uint64 `json:"id"`
	Problem string `json:"problem"`
}

// ChainReport is the result of verifying the accountability log.
type ChainReport struct {
	OK       bool          `json:"ok"`
	Records  int64         `json:"records"`
	HeadSeq  int64         `json:"head_seq"`
	HeadHash string        `json:"head_hash"`
	First    *ChainProblem `json:"first_problem,omitempty"`
	// Against is the exported head the chain was also checked against.
	Against *ChainHead `json:"against,omitempty"`
}

// VerifyChain walks the whole log in sequence order and reports the first
// entry that was edited, deleted, inserted or moved.
func (s *Store) VerifyChain(ctx context.Context) (*ChainReport, error) {
	var head models.AuditHead
	if err := s.DB.WithContext(ctx).Where("id = ?", 1).Take(&head).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return &ChainReport{First: &ChainProblem{Problem: "the chain head row is missing (deleted?)"}}, nil
		}
		return nil, err
	}
	rep := &ChainReport{HeadSeq: head.Seq, HeadHash: head.Hash}
	prevSeq, prevHash := int64(0), ""
	fail := func(r *models.AccountabilityRecord, format string, args ...any) {
		if rep.First == nil {
			p := &ChainProblem{Problem: fmt.Sprintf(format, args...)}
			if r != nil {
				p.Seq, p.ID = r.Seq, r.ID
			}
			rep.First = p
		}
	}
	var page []models.AccountabilityRecord
	for rep.First == nil {
		page = page[:0]
		q := func() *gorm.DB { return s.DB.WithContext(ctx).Where("seq > ?", prevSeq).Order("seq").Limit(1000) }
		// unreadable is a row of this page that does not read into its model
		// (a time edited in the database): it is named, not reported as the
		// driver's scan error, once the rows before it are checked.
		var unreadable *ChainProblem
		if err := q().Find(&page).Error; err != nil {
			p, ferr := s.unreadableRecord(ctx, prevSeq)
			if ferr != nil || p == nil {
				return nil, fmt.Errorf("reading the accountability log after record %d: %w", prevSeq, err)
			}
			unreadable, page = p, page[:0]
			if err := q().Where("seq < ?", p.Seq).Find(&page).Error; err != nil {
				return nil, fmt.Errorf("reading the accountability log after record %d: %w", prevSeq, err)
			}
		}
		for i := range page {
			r := &page[i]
			rep.Records++
			switch {
			case r.Seq != prevSeq+1:
				fail(r, "record %d is missing: the chain jumps from %d to %d (deleted?)", prevSeq+1, prevSeq, r.Seq)
			case r.PrevHash != prevHash:
				fail(r, "record %d does not follow record %d: its prev_hash is %s, want %s (inserted, reordered or the one before it edited?)",
					r.Seq, prevSeq, short(r.PrevHash), short(prevHash))
			case ChainHash(r) != r.Hash:
				fail(r, "record %d was altered: its content no longer matches its hash", r.Seq)
			}
			if rep.First != nil {
				break
			}
			prevSeq, prevHash = r.Seq, r.Hash
		}
		if unreadable != nil {
			if rep.First == nil {
				rep.Records++
				rep.First = unreadable
			}
			break
		}
		if len(page) < 1000 {
			break
		}
	}
	if rep.First == nil && (prevSeq != head.Seq || prevHash != head.Hash) {
		switch {
		case prevSeq < head.Seq:
			rep.First = &ChainProblem{Seq: prevSeq + 1, Problem: fmt.Sprintf(
				"the chain ends at record %d but its head says %d: records %d to %d are missing (deleted?)", prevSeq, head.Seq, prevSeq+1, head.Seq)}
		case prevSeq > head.Seq:
			rep.First = &ChainProblem{Seq: head.Seq + 1, Problem: fmt.Sprintf(
				"records %d to %d come after the chain head (record %d): added without moving the head (inserted directly?)", head.Seq+1, prevSeq, head.Seq)}
		default:
			rep.First = &ChainProblem{Seq: head.Seq, Problem: fmt.Sprintf(
				"the chain head (record %d, %s) does not match the last record (%d, %s)", head.Seq, short(head.Hash), prevSeq, short(prevHash))}
		}
	}
	rep.OK = rep.First == nil
	return rep, nil
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	if h == "" {
		return "(none)"
	}
	return h
}

// isDuplicateKey reports a unique-key violation, whether it comes from the
// drivers (database/sql) or through gorm, which translates it.
func isDuplicateKey(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "Duplicate entry")
}
