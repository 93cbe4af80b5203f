package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"duban/models"
)

// Users, API tokens and sessions. Hashing and checking secrets is the auth
// package's job; the store only keeps what it is given.

// ErrConflict marks a write that clashes with what is stored (a name taken,
// a notice already acknowledged).
var ErrConflict = errors.New("conflict")

// ErrSessionEnded and ErrTokenEnded mark a credential that existed and has
// ended — expired, signed out or revoked, or its user disabled or given a
// new password — as opposed to ErrNotFound, one that never existed: the
// first is a browser or script that kept an old one, the second may be a
// guess. Ended sessions are told apart until they are swept.
var (
	ErrSessionEnded = errors.New("session ended")
	ErrTokenEnded   = errors.New("token ended")
)

// CreateUser stores a new user; a taken username is ErrConflict.
func (s *Store) CreateUser(ctx context.Context, u *models.User) error {
	err := s.DB.WithContext(ctx).Create(u).Error
	if isDuplicateKey(err) {
		return fmt.Errorf("user %q already exists: %w", u.Username, ErrConflict)
	}
	return err
}

// UserByName finds a user by username.
func (s *Store) UserByName(ctx context.Context, username string) (*models.User, error) {
	var u models.User
	err := s.DB.WithContext(ctx).Where("username = ?", username).Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("user %q: %w", username, ErrNotFound)
	}
	return &u, err
}

// UserByID finds a user by id.
func (s *Store) UserByID(ctx context.Context, id uint64) (*models.User, error) {
	var u models.User
	err := s.DB.WithContext(ctx).Where("id = ?", id).Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("user %d: %w", id, ErrNotFound)
	}
	return &u, err
}

// ListUsers returns every user, by username.
func (s *Store) ListUsers(ctx context.Context) ([]models.User, error) {
	var out []models.User
	err := s.DB.WithContext(ctx).Order("username").Find(&out).Error
	return out, err
}

// SetUserDisabled disables or enables a user. Disabling also ends the
// user's sessions; its tokens stop working because every request checks the
// user.
func (s *Store) SetUserDisabled(ctx context.Context, username string, disabled bool) error {
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&models.User{}).Where("username = ?", username).
			Updates(map[string]any{"disabled": disabled, "updated_at": s.now()})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("user %q: %w", username, ErrNotFound)
		}
		if !disabled {
			return nil
		}
		return s.endSessions(tx.Where("user_id = (SELECT id FROM users WHERE username = ?)", username))
	})
}

// SetPasswordHash replaces a user's password hash and ends its sessions.
func (s *Store) SetPasswordHash(ctx context.Context, username, hash string) error {
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var u models.User
		if err := tx.Where("username = ?", username).Take(&u).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return fmt.Errorf("user %q: %w", username, ErrNotFound)
			}
			return err
		}
		if err := tx.Model(&u).Updates(map[string]any{"password_hash": hash, "updated_at": s.now()}).Error; err != nil {
			return err
		}
		return s.endSessions(tx.Where("user_id = ?", u.ID))
	})
}

// CreateToken stores an API token.
func (s *Store) CreateToken(ctx context.Context, t *models.APIToken) error {
	t.CreatedAt = utc(s.now())
	t.ExpiresAt = utcPtr(t.ExpiresAt)
	return s.DB.WithContext(ctx).Create(t).Error
}

// ListTokens returns a user's tokens, newest first.
func (s *Store) ListTokens(ctx context.Context, userID uint64) ([]models.APIToken, error) {
	var out []models.APIToken
	err := s.DB.WithContext(ctx).Where("user_id = ?", userID).Order("id DESC").Find(&out).Error
	return out, err
}

// RevokeToken marks a user's token revoked.
func (s *Store) RevokeToken(ctx context.Context, userID, tokenID uint64) error {
	res := s.DB.WithContext(ctx).Model(&models.APIToken{}).Where("id = ? AND user_id = ? AND revoked_at IS NULL", tokenID, userID).
		Update("revoked_at", utc(s.now()))
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("token %d of user %d (or it was already revoked): %w", tokenID, userID, ErrNotFound)
	}
	return nil
}

// TokenUser finds the live token with the given hash and its user. A token
// that is revoked or expired, or whose user is disabled, is ErrTokenEnded
// (tokens are never deleted); one that matches nothing is ErrNotFound.
func (s *Store) TokenUser(ctx context.Context, hash string) (*models.APIToken, *models.User, error) {
	var t models.APIToken
	now := utc(s.now())
	err := s.DB.WithContext(ctx).Where("hash = ?", hash).Take(&t).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil, fmt.Errorf("token: %w", ErrNotFound)
	}
	if err != nil {
		return nil, nil, err
	}
	switch {
	case t.RevokedAt != nil:
		return nil, nil, fmt.Errorf("token %d: revoked at %s: %w", t.ID, t.RevokedAt.Format(time.RFC3339), ErrTokenEnded)
	case t.ExpiresAt != nil && !t.ExpiresAt.After(now):
		return nil, nil, fmt.Errorf("token %d: expired at %s: %w", t.ID, t.ExpiresAt.Format(time.RFC3339), ErrTokenEnded)
	}
	u, err := s.UserByID(ctx, t.UserID)
	if err != nil {
		return nil, nil, err
	}
	if u.Disabled {
		return nil, nil, fmt.Errorf("token %d: user %s disabled: %w", t.ID, u.Username, ErrTokenEnded)
	}
	// Last use is for operators' eyes; a minute's precision spares a write per request.
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) > time.Minute {
		s.DB.WithContext(ctx).Model(&models.APIToken{}).Where("id = ?", t.ID).Update("last_used_at", now)
	}
	return &t, u, nil
}

// CreateSession stores a new session.
func (s *Store) CreateSession(ctx context.Context, sess *models.Session) error {
	now := utc(s.now())
	sess.CreatedAt, sess.LastSeenAt, sess.ExpiresAt = now, now, utc(sess.ExpiresAt)
	return s.DB.WithContext(ctx).Create(sess).Error
}

// SessionUser finds the live session with the given hash and its user, and
// slides its expiry to idle from now, but never past maxAge from its start.
// A session that expired or ended, or whose user is disabled, is
// ErrSessionEnded; a hash that matches no row (never a session, or swept)
// is ErrNotFound.
func (s *Store) SessionUser(ctx context.Context, hash string, idle, maxAge time.Duration) (*models.Session, *models.User, error) {
	var sess models.Session
	now := utc(s.now())
	err := s.DB.WithContext(ctx).Where("hash = ?", hash).Take(&sess).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil, fmt.Errorf("session: %w", ErrNotFound)
	}
	if err != nil {
		return nil, nil, err
	}
	switch {
	case sess.EndedAt != nil:
		return nil, nil, fmt.Errorf("session %d: ended at %s: %w", sess.ID, sess.EndedAt.Format(time.RFC3339), ErrSessionEnded)
	case !sess.ExpiresAt.After(now):
		return nil, nil, fmt.Errorf("session %d: expired at %s: %w", sess.ID, sess.ExpiresAt.Format(time.RFC3339), ErrSessionEnded)
	}
	u, err := s.UserByID(ctx, sess.UserID)
	if err != nil {
		return nil, nil, err
	}
	if u.Disabled {
		return nil, nil, fmt.Errorf("session %d: user %s disabled: %w", sess.ID, u.Username, ErrSessionEnded)
	}
	if now.Sub(sess.LastSeenAt) > time.Minute {
		sess.LastSeenAt, sess.ExpiresAt = now, now.Add(idle)
		if limit := sess.CreatedAt.Add(maxAge); sess.ExpiresAt.After(limit) {
			sess.ExpiresAt = limit
		}
		// Not if it ended meanwhile: a sign-out must not be undone.
		s.DB.WithContext(ctx).Model(&models.Session{}).Where("id = ? AND ended_at IS NULL", sess.ID).
			Updates(map[string]any{"last_seen_at": sess.LastSeenAt, "expires_at": sess.ExpiresAt})
	}
	return &sess, u, nil
}

// EndSession ends a session (sign-out).
func (s *Store) EndSession(ctx context.Context, hash string) error {
	return s.endSessions(s.DB.WithContext(ctx).Where("hash = ?", hash))
}

// endSessions ends the live sessions q selects: marked ended and expiring
// now, so that the sweep counts their retention from the end. Sessions that
// already expired keep their expiry as their end.
func (s *Store) endSessions(q *gorm.DB) error {
	now := utc(s.now())
	return q.Model(&models.Session{}).Where("ended_at IS NULL AND expires_at > ?", now).
		Updates(map[string]any{"ended_at": now, "expires_at": now}).Error
}

// DeleteEndedSessions removes the sessions that expired or ended more than
// kept ago; until then their cookies are told apart from guesses.
func (s *Store) DeleteEndedSessions(ctx context.Context, kept time.Duration) (int64, error) {
	res := s.DB.WithContext(ctx).Where("expires_at <= ?", utc(s.now().Add(-kept))).Delete(&models.Session{})
	return res.RowsAffected, res.Error
}
