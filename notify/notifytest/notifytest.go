// Package notifytest gives the integration tests a realistic message.
package notifytest

import (
	"time"

	"duban/models"
	"duban/notify"
)

// RawIDNumber and RawPhone appear in the notice behind Message; no channel
// may ever send them out.
const (
	RawIDNumber = "410102199001011234"
	RawPhone    = "13800001234"
)

// Message is the second sending of a 督办 notice whose body names a
// petitioner's identity and phone numbers.
func Message() *notify.Message {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	raised := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	n := &models.Notice{ID: 12, RuleID: "deadline.breach", SubjectKind: "case", SubjectKey: "C-2026-0042", CaseNo: "C-2026-0042",
		Level: "督办", Title: "C-2026-0042 已超期 4 天",
		Body:     "信访件 C-2026-0042（征地拆迁）办理期限为 2026-03-06，现已超期未办结。信访人身份证 " + RawIDNumber + "，电话 " + RawPhone + "。",
		UnitCode: "zjj", Recipients: `["zjj","督查组"]`, Status: models.NoticeOpen, RaisedAt: raised}
	d := &models.Delivery{ID: 7, NoticeID: 12, SendSeq: 2, IdemKey: "notice/12/2", Channel: "test", CreatedAt: raised.Add(24 * time.Hour)}
	return notify.NewMessage(n, d, map[string]string{"zjj": "住建局"}, sh)
}
