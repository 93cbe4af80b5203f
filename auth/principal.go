// Package auth says who is asking and what they may do: users with a role
// and, for unit users, a unit scope; passwords (bcrypt) for the pages and
// bearer tokens for the API; sessions in secure cookies with a CSRF token
// for every form; and the route table that ties each endpoint to the
// permission it needs, so that no endpoint can be served unguarded.
package auth

import (
	"slices"
	"strings"

	"duban/models"
)

// Perm is one thing a role may do.
type Perm string

// Permissions. Reading is scoped for unit users: they see their own unit's
// (and its sub-units') notices, cases, flags and accountability entries.
const (
	PermNoticesRead Perm = "notices.read"
	PermNoticesAck  Perm = "notices.ack"
	PermCasesRead   Perm = "cases.read"
	PermCasesWrite  Perm = "cases.write"  // register and correct cases; accept, assign, extend, reject
	PermCasesHandle Perm = "cases.handle" // close, return visit, progress notes
	PermFlagsRead   Perm = "flags.read"
	PermAuditRead   Perm = "audit.read"
	PermAuditReview Perm = "audit.review"
	PermRulesRead   Perm = "rules.read"
	PermScoresRead  Perm = "scores.read"
	PermSignedIn    Perm = "signed-in" // anything a signed-in user may do for themselves
	PermPublic      Perm = "public"    // no sign-in needed
)

// grants is the role × permission table. Admins run the system (rules,
// users) and read everything but take no part in the business: they do not
// acknowledge, handle cases or review records. Only inspectors review the
// accountability log, and they change nothing else.
var grants = map[string][]Perm{
	models.RoleAdmin: {PermNoticesRead, PermCasesRead, PermFlagsRead, PermAuditRead, PermRulesRead, PermScoresRead, PermSignedIn},
	models.RoleSupervisor: {PermNoticesRead, PermNoticesAck, PermCasesRead, PermCasesWrite, PermCasesHandle, PermFlagsRead,
		PermAuditRead, PermScoresRead, PermSignedIn},
	models.RoleUnit: {PermNoticesRead, PermNoticesAck, PermCasesRead, PermCasesHandle, PermFlagsRead, PermAuditRead,
		PermScoresRead, PermSignedIn},
	models.RoleInspector: {PermNoticesRead, PermCasesRead, PermFlagsRead, PermAuditRead, PermAuditReview, PermScoresRead, PermSignedIn},
}

// RoleCan reports whether a role holds a permission.
func RoleCan(role string, p Perm) bool {
	if p == PermPublic {
		return true
	}
	return slices.Contains(grants[role], p)
}

// Principal is the signed-in user a request acts for.
type Principal struct {
	UserID   uint64
	Username string
	Name     string
	Role     string
	Unit     string
	// Units is a unit user's scope: its unit, every unit under it, and the
	// recipient names it answers for. Nil for the roles that see every unit.
	Units []string
	// Via is how the request signed in: session or token.
	Via string
	// CSRF is the session's form token (empty for tokens).
	CSRF string
}

// Can reports whether the principal holds a permission.
func (p *Principal) Can(perm Perm) bool { return p != nil && RoleCan(p.Role, perm) }

// Scoped reports whether the principal sees only some units.
func (p *Principal) Scoped() bool { return p.Role == models.RoleUnit }

// Scope is the units the principal may see, nil meaning all.
func (p *Principal) Scope() []string {
	if !p.Scoped() {
		return nil
	}
	if p.Units == nil {
		return []string{}
	}
	return p.Units
}

// InScope reports whether the principal may see what is addressed to unit.
func (p *Principal) InScope(unit string) bool {
	return !p.Scoped() || (unit != "" && slices.Contains(p.Units, unit))
}

// Actor is how the principal is named in what it writes (acknowledgements,
// reviews, case events): the display name and the username.
func (p *Principal) Actor() string {
	if p.Name == "" || p.Name == p.Username {
		return p.Username
	}
	return p.Name + " (" + p.Username + ")"
}

// RoleName is a role's Chinese name, as pages show it.
func RoleName(role string) string {
	switch role {
	case models.RoleAdmin:
		return "系统管理员"
	case models.RoleSupervisor:
		return "督查组"
	case models.RoleUnit:
		return "责任单位"
	case models.RoleInspector:
		return "纪检监察"
	}
	return role
}

// splitList splits a comma-separated list, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' }) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
