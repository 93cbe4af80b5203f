package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
)

// BcryptCost is the work factor of password hashes. Tests lower it.
var BcryptCost = 12

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 10

// HashPassword checks a password is acceptable and hashes it with bcrypt.
func HashPassword(password string) (string, error) {
	if n := utf8.RuneCountInString(password); n < MinPasswordLength {
		return "", fmt.Errorf("the password has %d characters; use at least %d", n, MinPasswordLength)
	}
	if len(password) > 72 {
		// bcrypt ignores everything past 72 bytes; refuse rather than pretend.
		return "", errors.New("the password is longer than 72 bytes; use a shorter one")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), BcryptCost)
	return string(h), err
}

// dummyHash is compared against when a username is unknown, so that a wrong
// username takes as long to refuse as a wrong password.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("duban-no-such-user"), bcrypt.MinCost)

// CheckPassword reports whether password matches hash (an empty hash never
// matches: the user signs in with tokens only).
func CheckPassword(hash, password string) bool {
	if hash == "" {
		bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}

// TokenPrefix starts every API token, so that a leaked one is easy to find
// in logs and repositories.
const TokenPrefix = "dbn_"

// NewSecret returns 256 random bits, URL-safe.
func NewSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// NewToken returns a new API token.
func NewToken() string { return TokenPrefix + NewSecret() }

// HashSecret is what the store keeps of a token or session secret.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// NewPassword returns a random password people can type: 16 characters of
// base32 (80 bits).
func NewPassword() string { return rand.Text()[:16] }
