// Package people is the people's side of duban as one http.Handler: the
// JSON API under /api/v1 and the pages at /, over one authenticator and one
// access layer. The service (duban serve) mounts it at "/"; its own
// /healthz and /metrics, registered on the same mux, take precedence as the
// more specific patterns.
package people

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"duban/access"
	"duban/api"
	"duban/auth"
	"duban/clock"
	"duban/rules"
	"duban/store"
	"duban/web"
)

// Deps is what the people's side needs.
type Deps struct {
	Store *store.Store
	// Rules gives the rule set in force (the service's reloader, or rules.Static).
	Rules  rules.Source
	Clock  clock.Clock
	Logger *slog.Logger
	// Location shows and reads times; default: the rule set's zone.
	Location *time.Location
	// SecureCookies marks cookies Secure even on plain HTTP here, for a
	// service behind a TLS-terminating proxy. Requests over TLS get Secure
	// cookies regardless.
	SecureCookies bool
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client (for the limit on failed credentials) and whose
	// X-Forwarded-Proto: https makes cookies Secure.
	TrustedProxies auth.Proxies
}

// Handler serves the API and the pages.
type Handler struct {
	mux     *http.ServeMux
	handler http.Handler
	routes  []auth.Route
	// Authenticator signs people in; exposed for the service's maintenance.
	Authenticator *auth.Authenticator
	// Access is the scoped read/write layer both front ends use.
	Access *access.Service
}

// New builds the people's side.
func New(d Deps) (*Handler, error) {
	if d.Store == nil || d.Rules == nil {
		return nil, errors.New("people: a store and a rule source are required")
	}
	if d.Clock == nil {
		d.Clock = clock.Real{}
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Location == nil {
		if rs := d.Rules.Current(); rs != nil && rs.Location != nil {
			d.Location = rs.Location
		} else {
			loc, err := time.LoadLocation(rules.DefaultTimezone)
			if err != nil {
				return nil, err
			}
			d.Location = loc
		}
	}
	svc := access.New(d.Store, d.Rules, d.Clock, d.Location, d.Logger)
	authn := auth.NewAuthenticator(d.Store, d.Clock, d.Logger, d.SecureCookies)
	authn.Proxies = d.TrustedProxies
	pages, err := web.New(svc, authn)
	if err != nil {
		return nil, err
	}
	jsonAPI := api.New(svc)
	h := &Handler{mux: http.NewServeMux(), Authenticator: authn, Access: svc}
	auth.Mount(h.mux, authn, jsonAPI, jsonAPI.Routes())
	auth.Mount(h.mux, authn, pages, pages.Routes())
	h.routes = append(jsonAPI.Routes(), pages.Routes()...)
	// Browsers' cross-origin unsafe requests are refused outright (Fetch
	// metadata and Origin), on top of the CSRF token every form carries.
	cop := http.NewCrossOriginProtection()
	h.handler = web.SecurityHeaders(cop.Handler(http.HandlerFunc(h.serve)))
	return h, nil
}

// Routes lists every endpoint served: the API's and the pages'.
func (h *Handler) Routes() []auth.Route { return h.routes }

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.handler.ServeHTTP(w, r) }

func (h *Handler) serve(w http.ResponseWriter, r *http.Request) {
	if _, pattern := h.mux.Handler(r); pattern == "" && strings.HasPrefix(r.URL.Path, "/api/") {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"error":{"status":404,"code":"no_such_endpoint","message":"no such endpoint or method; the endpoints are listed in /api/v1/openapi.json"}}` + "\n"))
		return
	}
	if _, pattern := h.mux.Handler(r); pattern == "" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `<!doctype html><meta charset="utf-8"><title>未找到</title><link rel="stylesheet" href="/static/app.css">`+
			`<main><section class="card error-page"><h1>404 · 未找到</h1><p>没有这个页面。</p><p><a href="/">返回首页</a></p></section></main>`)
		return
	}
	h.mux.ServeHTTP(w, r)
}
