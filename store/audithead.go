package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"duban/models"
)

// Verifying the chain finds any change that left a trace inside the
// database. One who can rewrite the database can also rewrite the whole
// chain from a record on, recomputing every hash and the head row, or cut
// its newest records and set the head back: the chain then verifies. A
// head exported and kept elsewhere (printed, mailed to the inspectors,
// stored in another system) catches both: the record it names must still
// be there, with the same hash.

// ChainHead is the newest entry of the accountability chain, as exported
// by `duban audit head` and checked by `duban audit verify --against`.
type ChainHead struct {
	Seq   int64     `json:"seq"`
	Hash  string    `json:"hash"`
	Time  time.Time `json:"time"`  // when the newest entry was written
	Count int64     `json:"count"` // entries in the chain, reviews included
}

// Head verifies the chain and returns its head; an error if the chain does
// not verify (a head exported from an altered chain would vouch for it).
func (s *Store) Head(ctx context.Context) (*ChainHead, *ChainReport, error) {
	rep, err := s.VerifyChain(ctx)
	if err != nil || !rep.OK {
		return nil, rep, err
	}
	h := &ChainHead{Seq: rep.HeadSeq, Hash: rep.HeadHash, Count: rep.Records}
	if h.Seq > 0 {
		var r models.AccountabilityRecord
		if err := s.DB.WithContext(ctx).Where("seq = ?", h.Seq).Take(&r).Error; err != nil {
			return nil, rep, err
		}
		h.Time = utc(r.CreatedAt)
	}
	return h, rep, nil
}

// VerifyChainAgainst verifies the chain, then checks that the record an
// exported head names is still in it, unchanged: a chain cut back to an
// earlier record, or rewritten up to the head, fails here although it
// verifies on its own.
func (s *Store) VerifyChainAgainst(ctx context.Context, h ChainHead) (*ChainReport, error) {
	rep, err := s.VerifyChain(ctx)
	if err != nil || !rep.OK {
		return rep, err
	}
	rep.Against = &h
	fail := func(seq int64, id uint64, format string, args ...any) (*ChainReport, error) {
		rep.OK, rep.First = false, &ChainProblem{Seq: seq, ID: id, Problem: fmt.Sprintf(format, args...)}
		return rep, nil
	}
	exported := h.Time.UTC().Format(time.RFC3339)
	if h.Seq == 0 {
		return rep, nil
	}
	var r models.AccountabilityRecord
	err = s.DB.WithContext(ctx).Where("seq = ?", h.Seq).Take(&r).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return fail(rep.HeadSeq+1, 0, "the chain ends at record %d, but the head exported at record %d (%s) says it had %d entries: "+
			"records %d to %d were removed and the head set back", rep.HeadSeq, h.Seq, exported, h.Count, rep.HeadSeq+1, h.Seq)
	case err != nil:
		return nil, err
	case r.Hash != h.Hash:
		return fail(r.Seq, r.ID, "record %d has hash %s, but the head exported at it (%s) says %s: "+
			"the chain up to record %d was rewritten", r.Seq, short(r.Hash), exported, short(h.Hash), r.Seq)
	case rep.Records < h.Count:
		return fail(h.Seq, r.ID, "the chain holds %d entries, but the head exported at record %d (%s) counted %d", rep.Records, h.Seq, exported, h.Count)
	}
	return rep, nil
}
