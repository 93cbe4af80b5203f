package auth

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"duban/models"
	"duban/store"
)

// UserSpec describes a user to add.
type UserSpec struct {
	Username    string
	DisplayName string
	Role        string
	Unit        string   // a unit user's unit code
	AlsoFor     []string // recipient names a unit user also answers for (信访局)
	// Password is the initial password; empty generates one. NoPassword
	// makes a user that can only use API tokens (an integration).
	Password   string
	NoPassword bool
}

var usernamePattern = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9._-]{1,63}$`)

// AddUser checks spec and stores the user. It returns the password when it
// generated one (shown once, never stored in clear).
func AddUser(ctx context.Context, s *store.Store, spec UserSpec) (*models.User, string, error) {
	if !usernamePattern.MatchString(spec.Username) {
		return nil, "", fmt.Errorf("username %q: use 2 to 64 letters, digits, dots, dashes or underscores", spec.Username)
	}
	if !slices.Contains(models.Roles, spec.Role) {
		return nil, "", fmt.Errorf("role %q: want one of %s", spec.Role, strings.Join(models.Roles, ", "))
	}
	switch {
	case spec.Role == models.RoleUnit && spec.Unit == "":
		return nil, "", fmt.Errorf("a unit user needs --unit, the code of its unit")
	case spec.Role != models.RoleUnit && (spec.Unit != "" || len(spec.AlsoFor) > 0):
		return nil, "", fmt.Errorf("--unit and --also are for unit users; a %s sees every unit", spec.Role)
	}
	if spec.Unit != "" {
		units, err := s.UnitCodes(ctx)
		if err != nil {
			return nil, "", err
		}
		if !units[spec.Unit] {
			return nil, "", fmt.Errorf("unit %q does not exist; import units first (duban import --kind units FILE)", spec.Unit)
		}
	}
	u := &models.User{Username: spec.Username, DisplayName: strings.TrimSpace(spec.DisplayName), Role: spec.Role,
		UnitCode: spec.Unit, AlsoFor: strings.Join(spec.AlsoFor, ",")}
	generated := ""
	if !spec.NoPassword {
		pw := spec.Password
		if pw == "" {
			pw = NewPassword()
			generated = pw
		}
		h, err := HashPassword(pw)
		if err != nil {
			return nil, "", err
		}
		u.PasswordHash = h
	}
	if err := s.CreateUser(ctx, u); err != nil {
		return nil, "", err
	}
	return u, generated, nil
}

// CreateToken issues an API token for a user and returns it; only its hash
// is kept, so it is shown this once.
func CreateToken(ctx context.Context, s *store.Store, username, name string, expires time.Time) (string, *models.APIToken, error) {
	u, err := s.UserByName(ctx, username)
	if err != nil {
		return "", nil, err
	}
	if u.Disabled {
		return "", nil, fmt.Errorf("user %q is disabled; enable it first", username)
	}
	secret := NewToken()
	t := &models.APIToken{UserID: u.ID, Name: name, Hash: HashSecret(secret), Prefix: secret[:len(TokenPrefix)+6]}
	if !expires.IsZero() {
		t.ExpiresAt = &expires
	}
	if err := s.CreateToken(ctx, t); err != nil {
		return "", nil, err
	}
	return secret, t, nil
}
