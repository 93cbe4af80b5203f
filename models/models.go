// Package models holds duban's domain types as gorm models. Times are stored
// in UTC; optional instants are pointers (NULL when unset).
package models

import "time"

// Case statuses.
const (
	StatusReceived = "received"
	StatusAccepted = "accepted"
	StatusAssigned = "assigned"
	StatusClosed   = "closed"
	StatusRejected = "rejected"
)

// OpenStatuses are the statuses of a case still being handled.
var OpenStatuses = []string{StatusReceived, StatusAccepted, StatusAssigned}

// Statuses lists every valid case status.
var Statuses = []string{StatusReceived, StatusAccepted, StatusAssigned, StatusClosed, StatusRejected}

// Channels lists how a petition can arrive.
var Channels = []string{"visit", "letter", "online", "phone", "leader_reception"}

// Unit is a responsible unit (责任单位) in the hierarchy.
type Unit struct {
	ID         uint64    `gorm:"primaryKey"`
	Code       string    `gorm:"size:64;not null;uniqueIndex"`
	Name       string    `gorm:"size:128;not null"`
	ParentCode string    `gorm:"size:64;index"`
	CreatedAt  time.Time `gorm:"not null"`
	UpdatedAt  time.Time `gorm:"not null"`
}

// Person is a leader who receives petitioners or a handler in a unit.
type Person struct {
	ID        uint64    `gorm:"primaryKey"`
	Name      string    `gorm:"size:64;not null;uniqueIndex:idx_person_name_unit"`
	UnitCode  string    `gorm:"size:64;uniqueIndex:idx_person_name_unit"`
	Role      string    `gorm:"size:32;not null"` // leader | handler
	Title     string    `gorm:"size:64"`
	Phone     string    `gorm:"size:32"`
	CreatedAt time.Time `gorm:"not null"`
	UpdatedAt time.Time `gorm:"not null"`
}

// Petitioner is a person (or the lead of a group) who petitions.
type Petitioner struct {
	ID        uint64    `gorm:"primaryKey"`
	Key       string    `gorm:"column:petitioner_key;size:64;not null;uniqueIndex"` // petitioner_id of the import format
	Name      string    `gorm:"size:64"`
	IDNumber  string    `gorm:"size:32"` // 身份证号; masked wherever it leaves the store
	Phone     string    `gorm:"size:32"` // masked wherever it leaves the store
	CreatedAt time.Time `gorm:"not null"`
	UpdatedAt time.Time `gorm:"not null"`
}

// Case is one petition (信访件).
type Case struct {
	ID              uint64     `gorm:"primaryKey;index:idx_case_unit_id,priority:2"`
	CaseNo          string     `gorm:"size:64;not null;uniqueIndex"`
	PetitionerKey   string     `gorm:"size:64;index:idx_case_petitioner,priority:1"`
	PetitionerName  string     `gorm:"size:64"`
	Channel         string     `gorm:"size:32;not null"`
	Category        string     `gorm:"size:64"`
	Summary         string     `gorm:"type:text"`
	GroupSize       int        `gorm:"not null;default:1"`
	ReceivedAt      time.Time  `gorm:"not null;index:idx_case_petitioner,priority:2"`
	ReceptionLeader string     `gorm:"size:64"`
	AcceptedAt      *time.Time ``
	AssignedUnit    string     `gorm:"size:64;index:idx_case_unit_id,priority:1"`
	AssignedAt      *time.Time ``
	DueAt           *time.Time ``
	ExtendedDueAt   *time.Time ``
	ClosedAt        *time.Time ``
	ReturnVisitAt   *time.Time ``
	Status          string     `gorm:"size:16;not null"`
	Escalated       bool       `gorm:"not null;default:false"`
	LawRelated      bool       `gorm:"not null;default:false"`
	CreatedAt       time.Time  `gorm:"not null"`
	UpdatedAt       time.Time  `gorm:"not null;index"`
}

// Open reports whether the case is still being handled.
func (c *Case) Open() bool {
	return c.Status == StatusReceived || c.Status == StatusAccepted || c.Status == StatusAssigned
}

// CaseEvent is one step in a case's history that the case row itself cannot
// show: a changed deadline, an extension, a reassignment, a reopening, an
// edit, a note. Milestones the row records (received, accepted, assigned,
// closed, revisited) are not stored again; store.CaseTimeline merges both.
type CaseEvent struct {
	ID        uint64    `gorm:"primaryKey"`
	CaseNo    string    `gorm:"size:64;not null;index:idx_event_case,priority:1"`
	Kind      string    `gorm:"size:32;not null"` // received|accepted|assigned|extended|closed|rejected|return_visit|updated|note
	At        time.Time `gorm:"not null;index:idx_event_case,priority:2"`
	Actor     string    `gorm:"size:64"`
	UnitCode  string    `gorm:"size:64"`
	Detail    string    `gorm:"type:text"`
	CreatedAt time.Time `gorm:"not null"`
}

// ReceptionSlot is one leader's reception day on the roster (领导接访日).
type ReceptionSlot struct {
	ID              uint64    `gorm:"primaryKey"`
	Date            string    `gorm:"size:10;not null;uniqueIndex:idx_slot_date_leader,priority:1"` // civil date YYYY-MM-DD in the configured zone
	Leader          string    `gorm:"size:64;not null;uniqueIndex:idx_slot_date_leader,priority:2"`
	LeaderAvailable bool      `gorm:"not null"`
	Substitute      string    `gorm:"size:64"`
	Location        string    `gorm:"size:128"`
	CreatedAt       time.Time `gorm:"not null"`
	UpdatedAt       time.Time `gorm:"not null"`
}

// Key is the slot's subject key: date/leader.
func (s *ReceptionSlot) Key() string { return s.Date + "/" + s.Leader }

// Subject kinds a rule can watch.
const (
	SubjectCase       = "case"
	SubjectPetitioner = "petitioner"
	SubjectSlot       = "reception_slot"
)

// Episode is one stretch of time during which a rule's condition held for a
// subject. The (rule, subject, seq) key is what deduplicates every outcome:
// two ticks, or two replicas ticking at once, cannot open the same episode twice.
type Episode struct {
	ID          uint64     `gorm:"primaryKey"`
	RuleID      string     `gorm:"size:96;not null;uniqueIndex:idx_episode_key,priority:1;index:idx_episode_open,priority:1"`
	SubjectKind string     `gorm:"size:16;not null"`
	SubjectKey  string     `gorm:"size:128;not null;uniqueIndex:idx_episode_key,priority:2"`
	Seq         int        `gorm:"not null;uniqueIndex:idx_episode_key,priority:3"`
	OpenedAt    time.Time  `gorm:"not null"`
	ResolvedAt  *time.Time `gorm:"index:idx_episode_open,priority:2"`
	// TickID is the tick that opened the episode: after a multi-row insert
	// that skips existing keys, it tells this tick's rows from another's.
	TickID string `gorm:"size:48;not null;default:''"`
}

// Notice statuses.
const (
	NoticeOpen         = "open"
	NoticeAcknowledged = "acknowledged"
	NoticeResolved     = "resolved"
)

// Notice levels, the escalation ladder.
var NoticeLevels = []string{"提醒", "催办", "督办"}

// Notice is a supervision notice (督办通知), one per episode of a notice rule.
// Every list filter has an index whose equality columns are followed by the
// id (which InnoDB and SQLite append to every index), so a page of the
// newest notices reads that page and no more; idx_notice_status_level serves
// the board filtered by level. idx_notice_counts covers the board's counts
// by status, unit, level and rule, and idx_notice_month the scorecard's
// counts by month, unit and level, without reading the rows.
type Notice struct {
	ID          uint64     `gorm:"primaryKey"`
	EpisodeID   uint64     `gorm:"not null;uniqueIndex"`
	DedupKey    string     `gorm:"size:255;not null"` // rule/subject/episode; unique through EpisodeID
	RuleID      string     `gorm:"size:96;not null;index:idx_notice_rule_status,priority:1;index:idx_notice_counts,priority:4;index:idx_notice_status_rule,priority:2"`
	SubjectKind string     `gorm:"size:16;not null"`
	SubjectKey  string     `gorm:"size:128;not null"`
	CaseNo      string     `gorm:"size:64;index"`
	Level       string     `gorm:"size:16;not null;index:idx_notice_level_id,priority:1;index:idx_notice_status_level,priority:2;index:idx_notice_counts,priority:3;index:idx_notice_month,priority:3"`
	Title       string     `gorm:"size:512;not null"`
	Body        string     `gorm:"type:text"`
	UnitCode    string     `gorm:"size:64;index:idx_notice_unit_id,priority:1;index:idx_notice_counts,priority:2;index:idx_notice_month,priority:2"` // the responsible unit among the recipients
	Recipients  string     `gorm:"size:1024"`                                                                                                        // JSON array of unit codes and groups
	Status      string     `gorm:"size:16;not null;index:idx_notice_rule_status,priority:2;index:idx_notice_status_id,priority:1;index:idx_notice_status_level,priority:1;index:idx_notice_counts,priority:1;index:idx_notice_status_rule,priority:1"`
	RaisedAt    time.Time  `gorm:"not null;index:idx_notice_month,priority:1"`
	LastSentAt  time.Time  `gorm:"not null;index:idx_notice_rule_status,priority:3"`
	SendCount   int        `gorm:"not null"`
	AckedAt     *time.Time ``
	AckedBy     string     `gorm:"size:64"`
	AckComment  string     `gorm:"size:1024"`
	ResolvedAt  *time.Time ``
	Evidence    string     `gorm:"type:text"` // JSON: why the rule fired
	// SentTick is the tick that last sent the notice (see Episode.TickID).
	SentTick string `gorm:"size:48;not null;default:''"`
}

// Outbox is one sending of a notice waiting for delivery; written in the same
// transaction as the notice so that nothing raised is ever lost.
type Outbox struct {
	ID        uint64    `gorm:"primaryKey"`
	NoticeID  uint64    `gorm:"not null;index"`
	SendSeq   int       `gorm:"not null"`
	IdemKey   string    `gorm:"size:128;not null;uniqueIndex"` // notice/<id>/<seq>: receivers dedup on it
	CreatedAt time.Time `gorm:"not null"`
	// DispatchedAt is set once the delivery worker has fanned the message out
	// to its channels.
	DispatchedAt *time.Time `gorm:"index"`
}

// Flag labels (abnormal petitions).
const (
	FlagRepeat    = "重复访"
	FlagEscalated = "越级访"
	FlagGroup     = "集体访"
)

// Flag is a label on a case set by a rule.
type Flag struct {
	ID       uint64    `gorm:"primaryKey"`
	CaseNo   string    `gorm:"size:64;not null;uniqueIndex:idx_flag_key,priority:1"`
	Label    string    `gorm:"size:32;not null;uniqueIndex:idx_flag_key,priority:2;index"`
	RuleID   string    `gorm:"size:96;not null;uniqueIndex:idx_flag_key,priority:3"`
	Subject  string    `gorm:"size:128"` // the subject that raised it (the petitioner for repeat petitions)
	SetAt    time.Time `gorm:"not null"`
	Evidence string    `gorm:"type:text"`
	TickID   string    `gorm:"size:48;not null;default:''"` // see Episode.TickID
}

// Accountability entry kinds.
const (
	AccountRecord = "record"
	AccountReview = "review"
)

// AccountabilityRecord is an append-only entry of the accountability log
// (问责台账). Each entry carries the hash of the one before it; a review
// (confirm or dismiss) is a new entry referring to the record it reviews.
type AccountabilityRecord struct {
	ID          uint64    `gorm:"primaryKey"`
	Seq         int64     `gorm:"not null;uniqueIndex"`
	Kind        string    `gorm:"size:16;not null"`
	DedupKey    string    `gorm:"size:255;not null;uniqueIndex"`
	RuleID      string    `gorm:"size:96"`
	SubjectKind string    `gorm:"size:16"`
	SubjectKey  string    `gorm:"size:128;index"`
	CaseNo      string    `gorm:"size:64;index"`
	UnitCode    string    `gorm:"size:64;index"`
	Grade       string    `gorm:"size:32"`
	Reason      string    `gorm:"type:text"`
	Evidence    string    `gorm:"type:text"`
	RefSeq      int64     `gorm:"not null;default:0;index"` // the record a review refers to
	Decision    string    `gorm:"size:16"`                  // confirm | dismiss, for reviews
	Reviewer    string    `gorm:"size:64"`
	CreatedAt   time.Time `gorm:"not null"`
	PrevHash    string    `gorm:"size:64;not null"`
	Hash        string    `gorm:"size:64;not null"`
}

// AuditHead is the single row that holds the chain's last sequence number and
// hash. Appenders lock it, which serialises appends across replicas, and
// `audit verify` compares it with the chain so that deleting the newest
// records is detected too.
type AuditHead struct {
	ID        uint64    `gorm:"primaryKey"`
	Seq       int64     `gorm:"not null"`
	Hash      string    `gorm:"size:64;not null"`
	UpdatedAt time.Time `gorm:"not null"`
}

// RuleRun is one rule's part of one tick.
type RuleRun struct {
	ID             uint64    `gorm:"primaryKey"`
	TickID         string    `gorm:"size:64;not null;index"`
	RuleID         string    `gorm:"size:96;not null;index:idx_rulerun_rule_started,priority:1"`
	Now            time.Time `gorm:"not null"` // the instant the rule reasoned about
	StartedAt      time.Time `gorm:"not null;index:idx_rulerun_rule_started,priority:2"`
	FinishedAt     time.Time `gorm:"not null"`
	DurationMS     int64     `gorm:"column:duration_ms;not null"` // measured, not from the (possibly fixed) clock
	Subjects       int       `gorm:"not null"`
	Fired          int       `gorm:"not null"`
	Raised         int       `gorm:"not null"`
	Reraised       int       `gorm:"not null"`
	Resolved       int       `gorm:"not null"`
	Flags          int       `gorm:"not null"`
	Accountability int       `gorm:"not null"`
	Errors         int       `gorm:"not null"`
	FirstError     string    `gorm:"type:text"`
	Host           string    `gorm:"size:128"`
	// Mode is full (every subject) or incremental (only subjects that
	// changed, passed a breakpoint or are due a re-send since the last run).
	Mode string `gorm:"size:16;not null;default:''"`
	// StateKey identifies the rule's reasoning; an incremental run builds on
	// earlier runs only while it stays the same.
	StateKey string `gorm:"size:64;not null;default:''"`
	// FullNow is the Now of the full run this run's chain started from.
	FullNow time.Time `gorm:"not null"`
	// FirstErrorKind is what failed first (engine.FailCondition, ...),
	// without the error's text: what /healthz shows. Added by migration 2:
	// a column a migration adds goes last, where ALTER TABLE puts it.
	FirstErrorKind string `gorm:"size:16;not null;default:''"`
}

// PendingCheck is an instant at which a subject must be looked at again
// although its data did not change: a deadline it passes, a case leaving a
// petitioner's window. Full ticks record those within the next day, so that
// incremental ticks in between can skip every other unchanged subject.
type PendingCheck struct {
	ID          uint64    `gorm:"primaryKey"`
	SubjectKind string    `gorm:"size:16;not null;uniqueIndex:idx_check_key,priority:1;index:idx_check_due,priority:1"`
	SubjectKey  string    `gorm:"size:128;not null;uniqueIndex:idx_check_key,priority:2"`
	At          time.Time `gorm:"not null;uniqueIndex:idx_check_key,priority:3;index:idx_check_due,priority:2"`
}

// Setting is a named value the installation keeps (what built the database, ...).
type Setting struct {
	Key       string    `gorm:"column:name;primaryKey;size:64"`
	Value     string    `gorm:"type:text"`
	UpdatedAt time.Time `gorm:"not null"`
}

// All lists every model, in migration order.
func All() []any {
	return []any{&Unit{}, &Person{}, &Petitioner{}, &Case{}, &CaseEvent{}, &ReceptionSlot{},
		&Episode{}, &Notice{}, &Outbox{}, &Flag{}, &AccountabilityRecord{}, &AuditHead{}, &RuleRun{}, &Setting{},
		&PendingCheck{}, &Lease{}, &Delivery{}, &User{}, &APIToken{}, &Session{}}
}
