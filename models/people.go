package models

import "time"

// User roles.
const (
	RoleAdmin      = "admin"      // 信访局 system admins: rules, read access to everything
	RoleSupervisor = "supervisor" // 督查组: every unit's notices and cases, acknowledges, registers cases
	RoleUnit       = "unit"       // 责任单位: its own unit's (and sub-units') notices and cases
	RoleInspector  = "inspector"  // 纪检/督查: reads and reviews the accountability log
)

// Roles lists every role.
var Roles = []string{RoleAdmin, RoleSupervisor, RoleUnit, RoleInspector}

// User is a person (or a system integration) who signs in to the pages or
// calls the API.
type User struct {
	ID          uint64 `gorm:"primaryKey"`
	Username    string `gorm:"size:64;not null;uniqueIndex"`
	DisplayName string `gorm:"size:64"`
	Role        string `gorm:"size:16;not null"`
	// UnitCode is a unit user's unit; its sub-units are in its scope too.
	UnitCode string `gorm:"size:64"`
	// AlsoFor lists, comma-separated, recipient names other than unit codes
	// that rules address notices to and this unit user answers for (信访局).
	AlsoFor      string    `gorm:"size:256"`
	PasswordHash string    `gorm:"size:128"` // bcrypt; empty: API tokens only
	Disabled     bool      `gorm:"not null;default:false"`
	CreatedAt    time.Time `gorm:"not null"`
	UpdatedAt    time.Time `gorm:"not null"`
}

// APIToken is a bearer token for the API. Only the SHA-256 of the secret is
// kept: the secret is 256 random bits, so a fast hash is as safe as a slow
// one and lets a request find its token by index.
type APIToken struct {
	ID         uint64     `gorm:"primaryKey"`
	UserID     uint64     `gorm:"not null;index"`
	Name       string     `gorm:"size:64"`
	Hash       string     `gorm:"size:64;not null;uniqueIndex"`
	Prefix     string     `gorm:"size:16;not null"` // the first characters, to tell tokens apart in lists
	CreatedAt  time.Time  `gorm:"not null"`
	ExpiresAt  *time.Time ``
	LastUsedAt *time.Time ``
	RevokedAt  *time.Time ``
}

// Session is a signed-in browser. The cookie holds a random secret; the
// table holds its SHA-256, so a copy of the database signs nobody in.
type Session struct {
	ID         uint64    `gorm:"primaryKey"`
	Hash       string    `gorm:"size:64;not null;uniqueIndex"`
	UserID     uint64    `gorm:"not null;index"`
	CSRF       string    `gorm:"column:csrf;size:64;not null"` // the token every form of this session carries
	CreatedAt  time.Time `gorm:"not null"`
	LastSeenAt time.Time `gorm:"not null"`
	ExpiresAt  time.Time `gorm:"not null;index"`
	// EndedAt is when the session was signed out or ended by its user's
	// disabling or new password. The row stays a while after it ends, so
	// that its cookie sent again is known as an ended session, not a guess.
	EndedAt *time.Time ``
}
