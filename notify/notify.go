// Package notify delivers supervision notices to the places people read:
// WeCom and DingTalk group robots, e-mail, and any system behind a signed
// JSON webhook.
//
// The engine writes one outbox message per sending of a notice, in the same
// transaction as the notice, so nothing raised is lost. The Worker fans each
// message out to the channels its routes select — one delivery row per
// channel — and sends each delivery at least once, retrying with
// exponential backoff; a delivery that cannot succeed becomes a dead letter,
// listed by `duban deliveries list --status dead` and re-sent by
// `duban deliveries retry`. Every message carries its idempotency key
// (notice/<id>/<seq>) so that receivers can drop the rare duplicate.
//
// Each integration lives in its own package (webhook, wecom, dingtalk,
// email) with its configuration and sender, behind Notifier: it answers
// "sent", or an error and whether retrying can help. The Worker decides
// between retry and dead letter without knowing the channel.
package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"duban/mask"
	"duban/models"
)

// Notifier sends messages to one channel.
type Notifier interface {
	// Send delivers m. When it fails, retry tells whether trying again
	// later can help (the receiver is down or busy) or not (the channel is
	// misconfigured, the message refused).
	Send(ctx context.Context, m *Message) (retry bool, err error)
}

// Channel is a configured destination.
type Channel struct {
	Name    string
	Type    string // webhook | wecom | dingtalk | email
	Timeout time.Duration
	// Interval spaces the sends of one worker to the channel (robots take
	// 20 messages a minute); 0 sends as fast as the receiver answers.
	Interval time.Duration
	Notifier Notifier
}

// Message is one sending of a notice, as every channel receives it.
// Petitioners' identity and phone numbers are masked in every text field.
type Message struct {
	IdempotencyKey string    `json:"idempotency_key" mask:"keep"` // notice/<id>/<seq>: the same for every retry of this sending
	NoticeID       uint64    `json:"notice_id"`
	SendSeq        int       `json:"send_seq"` // 1 for the first sending, one more per repeat
	Rule           string    `json:"rule"`
	Level          string    `json:"level"` // 提醒 | 催办 | 督办
	Title          string    `json:"title"`
	Body           string    `json:"body,omitempty"`
	SubjectKind    string    `json:"subject_kind"`
	Subject        string    `json:"subject"`
	CaseNo         string    `json:"case_no,omitempty"`
	Unit           string    `json:"unit,omitempty"` // the responsible unit's code
	UnitName       string    `json:"unit_name,omitempty"`
	Recipients     []string  `json:"recipients"`
	RecipientNames []string  `json:"recipient_names"` // units by name, groups as they are
	Status         string    `json:"status"`          // the notice's status when sent: open | acknowledged | resolved
	RaisedAt       time.Time `json:"raised_at"`
	QueuedAt       time.Time `json:"queued_at"` // when this sending was raised
	Channel        string    `json:"channel"`

	// Location is the zone times are shown in to people.
	Location *time.Location `json:"-"`
}

// NewMessage builds the message of a delivery from its notice, masking
// identity and phone numbers everywhere.
func NewMessage(n *models.Notice, d *models.Delivery, unitNames map[string]string, loc *time.Location) *Message {
	if loc == nil {
		loc = time.UTC
	}
	m := &Message{
		IdempotencyKey: d.IdemKey, NoticeID: n.ID, SendSeq: d.SendSeq, Rule: n.RuleID, Level: n.Level,
		Title: n.Title, Body: strings.TrimSpace(n.Body), SubjectKind: n.SubjectKind,
		Subject: n.SubjectKey, CaseNo: n.CaseNo, Unit: n.UnitCode, UnitName: unitNames[n.UnitCode],
		Recipients: Recipients(n), Status: n.Status, RaisedAt: n.RaisedAt.In(loc), QueuedAt: d.CreatedAt.In(loc),
		Channel: d.Channel, Location: loc,
	}
	for _, r := range m.Recipients {
		if name := unitNames[r]; name != "" {
			r = name
		}
		m.RecipientNames = append(m.RecipientNames, r)
	}
	// What is sent out leaves everyone who handles the case: every string
	// of it is masked, not a list of fields.
	mask.Strings(m)
	return m
}

// Recipients decodes a notice's recipients (unit codes and groups).
func Recipients(n *models.Notice) []string {
	var out []string
	if n.Recipients != "" {
		json.Unmarshal([]byte(n.Recipients), &out)
	}
	return out
}

// Headline is the one line that says it all: 【督办】C-OVERDUE 已超期 4 天.
func (m *Message) Headline() string {
	return fmt.Sprintf("【%s】%s", m.Level, m.Title)
}

func (m *Message) unit() string {
	switch {
	case m.UnitName != "" && m.Unit != "":
		return fmt.Sprintf("%s（%s）", m.UnitName, m.Unit)
	case m.Unit != "":
		return m.Unit
	}
	return "—"
}

func (m *Message) facts() [][2]string {
	facts := [][2]string{{"责任单位", m.unit()}}
	if m.CaseNo != "" {
		facts = append(facts, [2]string{"信访件", m.CaseNo})
	} else if m.Subject != "" {
		facts = append(facts, [2]string{"对象", m.Subject})
	}
	facts = append(facts,
		[2]string{"发送对象", strings.Join(m.RecipientNames, "、")},
		[2]string{"首次发出", m.RaisedAt.Format("2006-01-02 15:04")},
		[2]string{"本次发送", fmt.Sprintf("第 %d 次（%s）", m.SendSeq, m.QueuedAt.Format("2006-01-02 15:04"))},
		[2]string{"规则", m.Rule},
	)
	if s := statusText(m.Status); s != "" {
		facts = append(facts, [2]string{"当前状态", s})
	}
	return append(facts, [2]string{"编号", m.IdempotencyKey})
}

func statusText(s string) string {
	switch s {
	case models.NoticeAcknowledged:
		return "已签收"
	case models.NoticeResolved:
		return "已解除"
	}
	return ""
}

// Text is the message as plain text (e-mail).
func (m *Message) Text() string {
	var b strings.Builder
	b.WriteString(m.Headline() + "\n\n")
	if m.Body != "" {
		b.WriteString(m.Body + "\n\n")
	}
	for _, f := range m.facts() {
		fmt.Fprintf(&b, "%s：%s\n", f[0], f[1])
	}
	return b.String()
}

// Markdown is the message in the markdown both group robots understand,
// within maxBytes (WeCom takes 4096): the body is cut first.
func (m *Message) Markdown(maxBytes int) string {
	head := "### " + m.Headline() + "\n"
	var tail strings.Builder
	for _, f := range m.facts() {
		fmt.Fprintf(&tail, "> %s：%s\n", f[0], f[1])
	}
	body := ""
	if m.Body != "" {
		body = m.Body + "\n\n"
	}
	if room := maxBytes - len(head) - tail.Len(); len(body) > room {
		body = cut(body, room-len("…\n\n")) + "…\n\n"
	}
	out := head + body + tail.String()
	if len(out) > maxBytes {
		out = cut(out, maxBytes)
	}
	return out
}

// cut shortens s to at most n bytes without splitting a character.
func cut(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if len(s) <= n {
		return s
	}
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
