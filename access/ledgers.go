package access

import (
	"context"
	"io"
	"strings"

	"duban/auth"
	"duban/export"
	"duban/models"
)

func col(header string, width float64) export.Column {
	return export.Column{Header: header, Width: width}
}

// MaxExportRows bounds one export; a larger one asks for a narrower filter.
const MaxExportRows = 200_000

var noticeColumns = []export.Column{
	col("编号", 8), col("下发时间", 17), col("督办级别", 9), col("规则", 22), col("规则名称", 14), col("标题", 40), col("内容", 60),
	col("信访件编号", 16), col("督办对象", 22), col("责任单位代码", 12), col("责任单位", 22), col("抄送", 20), col("状态", 8),
	col("发送次数", 9), col("最近发送", 17), col("签收人", 16), col("签收时间", 17), col("签收意见", 30), col("解除时间", 17),
}

// NoticeStatusName is a notice status in Chinese.
func NoticeStatusName(s string) string {
	switch s {
	case models.NoticeOpen:
		return "待签收"
	case models.NoticeAcknowledged:
		return "已签收"
	case models.NoticeResolved:
		return "已解除"
	}
	return s
}

// WriteNoticeLedger writes the notice ledger (督办台账) of the notices
// matching q that the principal may see, as XLSX or CSV.
func (s *Service) WriteNoticeLedger(ctx context.Context, w io.Writer, p *auth.Principal, q NoticeQuery, format string) error {
	// Check the filter before the first byte goes out, so that a refusal is
	// an error the caller can still answer with.
	if _, err := s.noticeFilter(p, q); err != nil {
		return err
	}
	lw, err := export.New(w, format, "督办台账", noticeColumns, s.Location)
	if err != nil {
		return err
	}
	err = s.EachNotice(ctx, p, q, MaxExportRows, func(n *Notice) error {
		return lw.Row(n.ID, n.RaisedAt, n.Level, n.RuleID, n.RuleName, n.Title, n.Body, n.CaseNo, n.Subject, n.Unit,
			n.UnitName, strings.Join(n.Recipients, "、"), NoticeStatusName(n.Status), n.SendCount, n.LastSentAt,
			n.AckedBy, n.AckedAt, n.AckComment, n.ResolvedAt)
	})
	if err != nil {
		return err
	}
	return lw.Close()
}

var recordColumns = []export.Column{
	col("序号", 7), col("记录时间", 17), col("类型", 8), col("规则", 22), col("信访件编号", 16), col("问责对象", 22), col("责任单位代码", 12),
	col("责任单位", 22), col("问责等级", 10), col("事由", 50), col("审查结论", 10), col("审查人", 16), col("审查意见", 40),
	col("所审记录序号", 12), col("哈希", 20), col("前序哈希", 20),
}

// DecisionName is a review decision in Chinese.
func DecisionName(d string) string {
	switch d {
	case "confirm":
		return "确认"
	case "dismiss":
		return "撤销"
	}
	return d
}

// KindName is an accountability entry kind in Chinese.
func KindName(k string) string {
	switch k {
	case models.AccountRecord:
		return "问责记录"
	case models.AccountReview:
		return "审查"
	}
	return k
}

// WriteRecordLedger writes the accountability log (问责台账) entries
// matching q that the principal may see, as XLSX or CSV. A record's row
// shows its standing review (the latest); a review's row shows itself.
func (s *Service) WriteRecordLedger(ctx context.Context, w io.Writer, p *auth.Principal, q RecordQuery, format string) error {
	if _, _, err := s.recordFilter(p, q); err != nil {
		return err
	}
	lw, err := export.New(w, format, "问责台账", recordColumns, s.Location)
	if err != nil {
		return err
	}
	err = s.EachRecord(ctx, p, q, MaxExportRows, func(r *Record) error {
		decision, reviewer, opinion := DecisionName(r.Decision), r.Reviewer, ""
		reason := r.Reason
		var ref any
		if r.Kind == models.AccountReview {
			opinion, reason, ref = r.Reason, "", r.RefSeq
		} else if n := len(r.Reviews); n > 0 {
			last := r.Reviews[n-1]
			decision, reviewer, opinion = DecisionName(last.Decision), last.Reviewer, last.Reason
		} else {
			decision = "待审查"
		}
		return lw.Row(r.Seq, r.At, KindName(r.Kind), r.RuleID, r.CaseNo, r.Subject, r.Unit, r.UnitName, r.Grade, reason,
			decision, reviewer, opinion, ref, r.Hash, r.PrevHash)
	})
	if err != nil {
		return err
	}
	return lw.Close()
}
