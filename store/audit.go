package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

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

// appendChain appends entries in the caller's transaction, skipping any whose
// dedup key is already in the log. It holds the head row's lock until the
// transaction ends, so appends from several replicas queue up in order.
func (s *Store) appendChain(tx *gorm.DB, recs []*models.AccountabilityRecord, now time.Time) ([]bool, error) {
	var head models.AuditHead
	q := tx.Model(&models.AuditHead{})
	if s.Dialect == MySQL {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	if err := q.Where("id = ?", 1).Take(&head).Error; err != nil {
		return nil, fmt.Errorf("accountability chain head: %w", err)
	}
	won := make([]bool, len(recs))
	for i, r := range recs {
		r.Seq, r.PrevHash, r.CreatedAt = head.Seq+1, head.Hash, utc(now)
		r.Hash = ChainHash(r)
		res := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "dedup_key"}}, DoNothing: true}).Create(r)
		if res.Error != nil {
			return nil, fmt.Errorf("accountability record %s: %w", r.DedupKey, res.Error)
		}
		if res.RowsAffected == 0 {
			continue
		}
		won[i] = true
		head.Seq, head.Hash = r.Seq, r.Hash
	}
	head.UpdatedAt = utc(now)
	if err := tx.Model(&models.AuditHead{}).Where("id = ?", 1).
		Updates(map[string]any{"seq": head.Seq, "hash": head.Hash, "updated_at": head.UpdatedAt}).Error; err != nil {
		return nil, fmt.Errorf("accountability chain head: %w", err)
	}
	return won, nil
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
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var ref models.AccountabilityRecord
		if err := tx.Where("seq = ? AND kind = ?", refSeq, models.AccountRecord).Take(&ref).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return fmt.Errorf("accountability record %d: %w", refSeq, ErrNotFound)
			}
			return err
		}
		var n int64
		if err := tx.Model(&models.AccountabilityRecord{}).Where("ref_seq = ?", refSeq).Count(&n).Error; err != nil {
			return err
		}
		rec := &models.AccountabilityRecord{
			Kind: models.AccountReview, DedupKey: fmt.Sprintf("review/%d/%d", refSeq, n+1),
			RuleID: ref.RuleID, SubjectKind: ref.SubjectKind, SubjectKey: ref.SubjectKey, CaseNo: ref.CaseNo,
			UnitCode: ref.UnitCode, Grade: ref.Grade, Reason: reason, RefSeq: refSeq,
			Decision: decision, Reviewer: reviewer,
		}
		won, err := s.appendChain(tx, []*models.AccountabilityRecord{rec}, s.now())
		if err != nil {
			return err
		}
		if !won[0] {
			return fmt.Errorf("review of record %d was written concurrently; try again", refSeq)
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
		if err := s.DB.WithContext(ctx).Where("seq > ?", prevSeq).Order("seq").Limit(1000).Find(&page).Error; err != nil {
			return nil, err
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
		if len(page) < 1000 {
			break
		}
	}
	if rep.First == nil && (prevSeq != head.Seq || prevHash != head.Hash) {
		switch {
		case prevSeq < head.Seq:
			rep.First = &ChainProblem{Seq: prevSeq + 1, Problem: fmt.Sprintf(
				"the chain ends at record %d but its head says %d: records %d to %d are missing (deleted?)", prevSeq, head.Seq, prevSeq+1, head.Seq)}
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
