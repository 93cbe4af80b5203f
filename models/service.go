package models

import "time"

// Lease is a named lease that replicas of `duban serve` take in turn. The
// holder renews it well before it expires; a holder that dies stops renewing
// and another replica takes the lease once it has expired.
type Lease struct {
	Name       string    `gorm:"primaryKey;size:64"`
	Holder     string    `gorm:"size:128;not null"`
	Epoch      int64     `gorm:"not null"` // +1 each time the lease changes hands
	Renewals   int64     `gorm:"not null"` // +1 on every renewal, so an UPDATE always changes the row
	AcquiredAt time.Time `gorm:"not null"`
	RenewedAt  time.Time `gorm:"not null"`
	ExpiresAt  time.Time `gorm:"not null"`
}

// Delivery statuses.
const (
	DeliveryPending = "pending"
	DeliverySent    = "sent"
	DeliveryDead    = "dead"
)

// DeliveryStatuses lists every delivery status.
var DeliveryStatuses = []string{DeliveryPending, DeliverySent, DeliveryDead}

// Delivery is one outbox message on its way to one channel. The delivery
// worker claims it, sends it, and records the attempt: sent, pending again
// with a later next attempt, or dead once retrying cannot help or the retry
// budget is spent. (outbox, channel) is unique, so fanning a message out twice
// creates nothing new.
type Delivery struct {
	ID            uint64     `gorm:"primaryKey"`
	OutboxID      uint64     `gorm:"not null;uniqueIndex:idx_delivery_key,priority:1"`
	Channel       string     `gorm:"size:64;not null;uniqueIndex:idx_delivery_key,priority:2"`
	NoticeID      uint64     `gorm:"not null;index"`
	SendSeq       int        `gorm:"not null"`
	IdemKey       string     `gorm:"size:128;not null"` // the outbox message's key: notice/<id>/<seq>
	Status        string     `gorm:"size:16;not null;index:idx_delivery_due,priority:1"`
	NextAttemptAt time.Time  `gorm:"not null;index:idx_delivery_due,priority:2"`
	Attempts      int        `gorm:"not null"`
	LastError     string     `gorm:"size:1024"`
	LastAttemptAt *time.Time ``
	SentAt        *time.Time ``
	// RetryFrom starts the retry budget: when the delivery was created, or
	// when an operator last asked for it to be re-sent.
	RetryFrom time.Time `gorm:"not null"`
	// ClaimToken and ClaimUntil mark a delivery a worker is sending; another
	// worker may take it only once the claim has run out.
	ClaimToken string     `gorm:"size:64"`
	ClaimedBy  string     `gorm:"size:128"`
	ClaimUntil *time.Time ``
	CreatedAt  time.Time  `gorm:"not null"`
	UpdatedAt  time.Time  `gorm:"not null"`
}
