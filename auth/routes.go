package auth

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"
)

// Route is one endpoint: its method and path pattern (net/http's, with
// {name} wildcards), the permission it needs, and its handler. The route
// tables of the API and the pages are the single source of truth: Mount
// serves exactly them, the OpenAPI description lists the API ones, and the
// access tests enumerate every one against every role.
type Route struct {
	Method string
	Path   string
	Perm   Perm
	// Summary says what the endpoint does (OpenAPI, docs).
	Summary string
	// Query lists the query parameters (OpenAPI).
	Query []Param
	// Body and Returns name the request and response schemas (OpenAPI).
	Body, Returns string
	// Handler serves the request; p is nil only on public routes without a
	// signed-in user.
	Handler func(w http.ResponseWriter, r *http.Request, p *Principal)
}

// Param is a query parameter.
type Param struct {
	Name, Type, Description string
}

// Pattern is the route's net/http pattern.
func (rt Route) Pattern() string { return rt.Method + " " + rt.Path }

// Denier answers the requests a route refuses, in its own format (JSON for
// the API, pages for people).
type Denier interface {
	// Unauthenticated answers a request without valid credentials; err says
	// what was wrong with the ones given, if any.
	Unauthenticated(w http.ResponseWriter, r *http.Request, err error)
	// Forbidden answers a signed-in request that its role does not allow.
	Forbidden(w http.ResponseWriter, r *http.Request, p *Principal, why string)
	// Failed answers an internal error.
	Failed(w http.ResponseWriter, r *http.Request, err error)
	// Throttled answers a request from an address refused for too many
	// failed credentials (429); it should set Retry-After.
	Throttled(w http.ResponseWriter, r *http.Request, wait time.Duration)
}

// Mount registers every route on mux, each guarded: the principal is
// authenticated, its role must hold the route's permission, and an unsafe
// request signed in with a session must carry the session's CSRF token.
func Mount(mux *http.ServeMux, a *Authenticator, d Denier, routes []Route) {
	for _, rt := range routes {
		mux.Handle(rt.Pattern(), guard(a, d, rt))
	}
}

func guard(a *Authenticator, d Denier, rt Route) http.Handler {
	if rt.Perm == "" {
		panic("auth: route " + rt.Pattern() + " has no permission; use PermPublic for public routes")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := a.Check(w, r)
		var th *Throttled
		switch {
		case errors.As(err, &th) && rt.Perm == PermPublic:
			// Public routes serve the address as anonymous; the sign-in
			// form checks the limit itself.
			p, err = nil, nil
		case errors.As(err, &th):
			d.Throttled(w, r, th.Wait)
			return
		case err != nil && !errors.Is(err, ErrBadCredentials):
			d.Failed(w, r, err)
			return
		case err != nil && rt.Perm != PermPublic:
			d.Unauthenticated(w, r, err)
			return
		case p == nil && rt.Perm != PermPublic:
			d.Unauthenticated(w, r, nil)
			return
		}
		if p != nil && rt.Perm != PermPublic && !p.Can(rt.Perm) {
			d.Forbidden(w, r.WithContext(context.WithValue(r.Context(), deniedKey{}, rt.Perm)), p, "the role "+p.Role+" may not "+describe(rt.Perm))
			return
		}
		// Public routes act for nobody (the sign-in form checks its own token).
		if rt.Perm != PermPublic && !CheckCSRF(r, p) {
			d.Forbidden(w, r, p, "the form's CSRF token is missing or wrong; reload the page and try again")
			return
		}
		if p != nil {
			r = r.WithContext(WithPrincipal(r.Context(), p))
		}
		rt.Handler(w, r, p)
	})
}

type deniedKey struct{}

// DeniedPerm is the permission a request was refused for lacking, when the
// refusal was the route's (a Denier's Forbidden can then say it in its own
// language).
func DeniedPerm(r *http.Request) (Perm, bool) {
	p, ok := r.Context().Value(deniedKey{}).(Perm)
	return p, ok
}

// PermAction is what a permission allows, in Chinese, for pages: "查看规则".
func PermAction(p Perm) string {
	switch p {
	case PermNoticesRead:
		return "查看督办通知"
	case PermNoticesAck:
		return "签收督办通知"
	case PermCasesRead:
		return "查看信访件"
	case PermCasesWrite:
		return "登记或修改信访件"
	case PermCasesHandle:
		return "办理信访件"
	case PermFlagsRead:
		return "查看标记"
	case PermAuditRead:
		return "查看问责台账"
	case PermAuditReview:
		return "审查问责记录"
	case PermRulesRead:
		return "查看规则"
	case PermScoresRead:
		return "查看综合评价"
	}
	return "进行此操作"
}

func describe(p Perm) string {
	switch p {
	case PermNoticesRead:
		return "read notices"
	case PermNoticesAck:
		return "acknowledge notices"
	case PermCasesRead:
		return "read cases"
	case PermCasesWrite:
		return "register or change cases"
	case PermCasesHandle:
		return "record the handling of cases"
	case PermFlagsRead:
		return "read flags"
	case PermAuditRead:
		return "read the accountability log"
	case PermAuditReview:
		return "review accountability records"
	case PermRulesRead:
		return "see the rules"
	case PermScoresRead:
		return "see scorecards"
	}
	return strings.ReplaceAll(string(p), ".", " ")
}
