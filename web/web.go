// Package web serves the pages people work in, in Chinese, rendered on the
// server: the supervision board (督办看板), case details with the evidence
// of every notice, the accountability log (问责台账), unit scorecards
// (综合评价, with ECharts) and the rules page. Every asset, ECharts
// included, is embedded in the binary: the pages load nothing from outside.
// Every form carries the session's CSRF token.
package web

import (
	"bytes"
	"embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"duban/access"
	"duban/auth"
	"duban/casework"
	"duban/mask"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Web serves the pages.
type Web struct {
	svc    *access.Service
	authn  *auth.Authenticator
	logger *slog.Logger
	pages  map[string]*template.Template
	static http.Handler
}

// New parses the page templates.
func New(svc *access.Service, authn *auth.Authenticator) (*Web, error) {
	w := &Web{svc: svc, authn: authn, logger: svc.Logger, pages: map[string]*template.Template{}}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	funcs := w.funcs()
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" {
			continue
		}
		t, err := template.New(base).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", n, err)
		}
		w.pages[strings.TrimSuffix(base, ".html")] = t
	}
	sub, _ := fs.Sub(staticFS, "static")
	w.static = http.StripPrefix("/static/", http.FileServerFS(filesOnly{sub}))
	return w, nil
}

// filesOnly is a file system whose directories cannot be opened: the file
// server then answers 404 to a directory instead of listing what it holds.
type filesOnly struct{ fs.FS }

func (f filesOnly) Open(name string) (fs.File, error) {
	file, err := f.FS.Open(name)
	if err != nil {
		return nil, err
	}
	if st, err := file.Stat(); err != nil || st.IsDir() {
		file.Close()
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return file, nil
}

// page is what every page template gets.
type page struct {
	Title string
	Nav   string
	P     *auth.Principal
	// UnitName is the signed-in unit user's unit, by name.
	UnitName string
	Flash    *flash
	Now      time.Time
	Data     any
}

func (w *Web) render(rw http.ResponseWriter, r *http.Request, status int, name string, pg page) {
	t, ok := w.pages[name]
	if !ok {
		w.Failed(rw, r, fmt.Errorf("no page template %q", name))
		return
	}
	if pg.Flash == nil {
		pg.Flash = takeFlash(rw, r)
	}
	// Messages and errors can quote what was typed or stored; none needs a
	// whole identity or phone number, for any role.
	if pg.Flash != nil {
		pg.Flash.Text = mask.Text(pg.Flash.Text)
	}
	if e, ok := pg.Data.(errorData); ok {
		mask.Strings(&e)
		pg.Data = e
	}
	pg.Now = w.svc.Clock.Now()
	if pg.P != nil && pg.P.Unit != "" {
		if names, err := w.svc.Store.UnitNames(r.Context()); err == nil && names[pg.P.Unit] != "" {
			pg.UnitName = names[pg.P.Unit]
		} else {
			pg.UnitName = pg.P.Unit
		}
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", pg); err != nil {
		w.Failed(rw, r, fmt.Errorf("render %s: %w", name, err))
		return
	}
	rw.Header().Set("Content-Type", "text/html; charset=utf-8")
	rw.Header().Set("Cache-Control", "no-store")
	rw.WriteHeader(status)
	buf.WriteTo(rw)
}

// Unauthenticated sends the browser to sign in, coming back afterwards.
func (w *Web) Unauthenticated(rw http.ResponseWriter, r *http.Request, err error) {
	next := r.URL.RequestURI()
	if r.Method != http.MethodGet {
		next = "/"
	}
	to := "/login?next=" + url.QueryEscape(next)
	if errors.Is(err, auth.ErrEnded) {
		to += "&ended=1"
	}
	http.Redirect(rw, r, to, http.StatusSeeOther)
}

// Forbidden shows that the page or action is not for the principal's role.
func (w *Web) Forbidden(rw http.ResponseWriter, r *http.Request, p *auth.Principal, why string) {
	// why is English, for the log: the page says it in Chinese.
	w.logger.Info("page refused", "method", r.Method, "path", r.URL.Path, "user", p.Username, "why", why)
	action := "进行此操作"
	if perm, ok := auth.DeniedPerm(r); ok {
		action = auth.PermAction(perm)
	}
	msg := "您的账号（" + auth.RoleName(p.Role) + "）无权" + action + "。"
	if strings.Contains(why, "CSRF") {
		msg = "表单已过期或来源不明，请刷新页面后重试。"
	}
	w.render(rw, r, http.StatusForbidden, "error", page{Title: "无权访问", P: p, Data: errorData{Code: 403, Message: msg}})
}

// Throttled shows that this address made too many failed attempts.
func (w *Web) Throttled(rw http.ResponseWriter, r *http.Request, wait time.Duration) {
	rw.Header().Set("Retry-After", auth.RetryAfter(wait))
	w.render(rw, r, http.StatusTooManyRequests, "error", page{Title: "请稍后再试", Data: errorData{Code: 429,
		Message: "此地址登录失败次数过多，" + tryAgainIn(wait)}})
}

// tryAgainIn tells a person how long to wait, in whole minutes rounded up.
func tryAgainIn(wait time.Duration) string {
	return fmt.Sprintf("请 %d 分钟后再试。", int(wait.Minutes())+1)
}

// Failed shows an internal error; the details go to the log only.
func (w *Web) Failed(rw http.ResponseWriter, r *http.Request, err error) {
	ref := strconv.FormatInt(time.Now().UnixNano(), 36)
	w.logger.Error("page request failed", "method", r.Method, "path", r.URL.Path, "error", err, "ref", ref)
	rw.Header().Set("Content-Type", "text/html; charset=utf-8")
	rw.WriteHeader(http.StatusInternalServerError)
	fmt.Fprintf(rw, `<!doctype html><meta charset="utf-8"><title>系统错误</title><p>系统暂时无法处理该请求，请稍后重试。如持续出现，请将编号 %s 告知系统管理员。</p>`, template.HTMLEscapeString(ref))
}

type errorData struct {
	Code    int
	Message string
	Detail  string
}

// fail answers an error of an access call with the right page.
func (w *Web) fail(rw http.ResponseWriter, r *http.Request, p *auth.Principal, err error) {
	switch {
	case errors.Is(err, access.ErrNotFound):
		w.render(rw, r, http.StatusNotFound, "error", page{Title: "未找到", P: p,
			Data: errorData{Code: 404, Message: "未找到该记录，或您无权查看。"}})
	case errors.Is(err, access.ErrForbidden):
		w.Forbidden(rw, r, p, err.Error())
	case errors.Is(err, access.ErrInvalid):
		w.render(rw, r, http.StatusBadRequest, "error", page{Title: "请求有误", P: p,
			Data: errorData{Code: 400, Message: "查询条件有误，请修改后重试。", Detail: strings.TrimPrefix(err.Error(), "invalid: ")}})
	default:
		w.Failed(rw, r, err)
	}
}

// flash is a one-time message shown on the page after a form was sent.
type flash struct {
	OK   bool   `json:"ok"`
	Text string `json:"text"`
}

const flashCookie = "duban_flash"

func setFlash(rw http.ResponseWriter, ok bool, text string) {
	b, _ := json.Marshal(flash{OK: ok, Text: text})
	http.SetCookie(rw, &http.Cookie{Name: flashCookie, Value: base64.RawURLEncoding.EncodeToString(b), Path: "/",
		MaxAge: 60, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

func takeFlash(rw http.ResponseWriter, r *http.Request) *flash {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return nil
	}
	http.SetCookie(rw, &http.Cookie{Name: flashCookie, Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	b, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil {
		return nil
	}
	var f flash
	if json.Unmarshal(b, &f) != nil || f.Text == "" {
		return nil
	}
	return &f
}

// done finishes a form: a message for the next page, and back to where the
// form was (a local path only).
func done(rw http.ResponseWriter, r *http.Request, fallback string, ok bool, text string) {
	setFlash(rw, ok, text)
	http.Redirect(rw, r, localTarget(r.PostFormValue("back"), fallback), http.StatusSeeOther)
}

// problem renders an access error as Chinese for a flash message.
func problem(err error) string {
	var inv *casework.Invalid
	switch {
	case errors.As(err, &inv):
		return "未能保存，请修改后重试：" + inv.Error()
	case errors.Is(err, access.ErrConflict):
		return "操作未生效：" + strings.TrimSuffix(err.Error(), ": conflict")
	case errors.Is(err, access.ErrInvalid):
		return "未能保存，请修改后重试：" + strings.TrimPrefix(err.Error(), "invalid: ")
	case errors.Is(err, access.ErrForbidden):
		return "无权进行此操作：" + strings.TrimPrefix(err.Error(), "forbidden: ")
	case errors.Is(err, access.ErrNotFound):
		return "未找到该记录，或您无权查看。"
	}
	return ""
}

// SecurityHeaders sets the headers every page answer carries: a content
// security policy that allows nothing but this site's own scripts, styles
// and images (so no CDN, and no inline script), no framing, no sniffing.
func SecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		h := rw.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
			"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(rw, r)
	})
}
