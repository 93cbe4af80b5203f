// Package api is duban's JSON API under /api/v1: cases, notices, flags, the
// accountability log, rules and unit scorecards, for integrations and
// scripts. Every route is in one table (Routes) with the permission it
// needs; requests authenticate with a bearer token (or a page session, with
// its CSRF token for writes). Lists are keyset-paginated; errors are JSON
// objects whose message says what to do. The OpenAPI description is served
// at /api/v1/openapi.json.
package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"duban/access"
	"duban/auth"
	"duban/casework"
	"duban/export"
	"duban/mask"
)

// Prefix is where the API is served.
const Prefix = "/api/v1"

// API serves the JSON API.
type API struct {
	svc    *access.Service
	logger *slog.Logger
}

// New returns the API over an access service.
func New(svc *access.Service) *API { return &API{svc: svc, logger: svc.Logger} }

// Error is the body of every error answer.
type Error struct {
	Error ErrorBody `json:"error"`
}

// ErrorBody says what went wrong and what to do about it.
type ErrorBody struct {
	Status  int                   `json:"status"`
	Code    string                `json:"code"`
	Message string                `json:"message"`
	Fields  []casework.FieldError `json:"fields,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// writeError answers an error. Its message can quote what was typed or
// stored; none needs a whole identity or phone number, for any role, so it
// is masked.
func writeError(w http.ResponseWriter, status int, code, msg string, fields []casework.FieldError) {
	body := Error{Error: ErrorBody{Status: status, Code: code, Message: msg, Fields: fields}}
	mask.Strings(&body)
	writeJSON(w, status, body)
}

// fail answers err with the status its kind calls for.
func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	var inv *casework.Invalid
	var media *unsupportedMedia
	switch {
	case errors.As(err, &media):
		writeError(w, http.StatusUnsupportedMediaType, "unsupported_media_type", media.msg+"; nothing was changed", nil)
	case errors.As(err, &inv):
		writeError(w, http.StatusUnprocessableEntity, "invalid", "the request has problems, listed in fields; nothing was changed: "+inv.Error(), inv.Errors)
	case errors.Is(err, access.ErrNotFound):
		writeError(w, http.StatusNotFound, "not_found", strings.TrimSuffix(err.Error(), ": not found")+
			" does not exist, or is not yours to see", nil)
	case errors.Is(err, access.ErrForbidden):
		writeError(w, http.StatusForbidden, "forbidden", strings.TrimPrefix(err.Error(), "forbidden: "), nil)
	case errors.Is(err, access.ErrConflict):
		writeError(w, http.StatusConflict, "conflict", strings.TrimSuffix(err.Error(), ": conflict"), nil)
	case errors.Is(err, access.ErrInvalid):
		writeError(w, http.StatusBadRequest, "bad_request", strings.TrimPrefix(err.Error(), "invalid: "), nil)
	default:
		a.Failed(w, r, err)
	}
}

// Unauthenticated answers a request without valid credentials.
func (a *API) Unauthenticated(w http.ResponseWriter, r *http.Request, err error) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="duban"`)
	msg := "sign in: send \"Authorization: Bearer <token>\" (create one with `duban users token create USER`)"
	if err != nil {
		msg = strings.TrimPrefix(err.Error(), auth.ErrBadCredentials.Error()+": ") + "; " + msg
	}
	writeError(w, http.StatusUnauthorized, "unauthenticated", msg, nil)
}

// Forbidden answers a request the principal's role does not allow.
func (a *API) Forbidden(w http.ResponseWriter, r *http.Request, p *auth.Principal, why string) {
	writeError(w, http.StatusForbidden, "forbidden", why, nil)
}

// Throttled answers a request from an address with too many failed
// credentials of late.
func (a *API) Throttled(w http.ResponseWriter, r *http.Request, wait time.Duration) {
	w.Header().Set("Retry-After", auth.RetryAfter(wait))
	writeError(w, http.StatusTooManyRequests, "too_many_failures", fmt.Sprintf("too many failed tokens or sign-ins from this address; "+
		"credentials from it are not checked for %s (Retry-After)", wait.Round(time.Second)), nil)
}

// Failed answers an internal error; the details go to the log only.
func (a *API) Failed(w http.ResponseWriter, r *http.Request, err error) {
	id := strconv.FormatInt(time.Now().UnixNano(), 36)
	a.logger.Error("api request failed", "method", r.Method, "path", r.URL.Path, "error", err, "ref", id)
	writeError(w, http.StatusInternalServerError, "internal", "the server could not answer; the operators' log has the details under ref "+id, nil)
}

// maxBody bounds a request body.
const maxBody = 1 << 20

// unsupportedMedia is a body sent in a form the API does not read (another
// media type, another charset, bytes that are not UTF-8): answered 415, and
// nothing is stored.
type unsupportedMedia struct{ msg string }

func (u *unsupportedMedia) Error() string { return u.msg }

// decode reads a JSON body into v: the API's one reader of request bodies.
// It refuses a body that is not application/json in UTF-8 (415: a GBK body
// would otherwise be stored as mojibake), unknown fields, and anything after
// the JSON value (400: "{...}{...}" or "{...} x" is not one request).
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil {
			return &unsupportedMedia{fmt.Sprintf("Content-Type %q cannot be read (%v); send application/json", ct, err)}
		}
		if mt != "application/json" {
			return &unsupportedMedia{fmt.Sprintf("send the body as application/json, not %s", mt)}
		}
		if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") && !strings.EqualFold(cs, "utf8") {
			return &unsupportedMedia{fmt.Sprintf("charset %q: send the body in UTF-8 (Content-Type: application/json; charset=utf-8)", cs)}
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return fmt.Errorf("%w: the body is larger than %d bytes", access.ErrInvalid, maxBody)
		}
		return fmt.Errorf("%w: reading the body: %v", access.ErrInvalid, err)
	}
	if !utf8.Valid(body) {
		return &unsupportedMedia{fmt.Sprintf("the body is not UTF-8 (the first invalid byte is at offset %d); "+
			"send it in UTF-8, not GBK or another charset", invalidUTF8At(body))}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if _, ok := v.(*map[string]any); !ok {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("%w: the request needs a JSON body", access.ErrInvalid)
		}
		return fmt.Errorf("%w: the body is not the JSON expected: %v", access.ErrInvalid, err)
	}
	end := dec.InputOffset()
	if rest := bytes.TrimLeft(body[end:], " \t\r\n"); len(rest) > 0 {
		return fmt.Errorf("%w: the body has more after its JSON value (at byte %d); send one JSON object",
			access.ErrInvalid, int64(len(body)-len(rest)))
	}
	return nil
}

// invalidUTF8At is the offset of the first byte of b that is not UTF-8.
func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}

// Me is the signed-in principal.
type Me struct {
	Username string   `json:"username"`
	Name     string   `json:"name,omitempty"`
	Role     string   `json:"role"`
	Unit     string   `json:"unit,omitempty"`
	Units    []string `json:"units,omitempty"` // a unit user's scope
	Via      string   `json:"via"`
}

func (a *API) me(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	writeJSON(w, http.StatusOK, Me{Username: p.Username, Name: p.Name, Role: p.Role, Unit: p.Unit, Units: p.Units, Via: p.Via})
}

// Unit is a unit in the hierarchy.
type Unit struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Parent string `json:"parent,omitempty"`
}

// UnitList lists units.
type UnitList struct {
	Items []Unit `json:"items"`
}

func (a *API) units(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	us, err := a.svc.Units(r.Context(), p)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := make([]Unit, 0, len(us))
	for _, u := range us {
		out = append(out, Unit{Code: u.Code, Name: u.Name, Parent: u.ParentCode})
	}
	writeJSON(w, http.StatusOK, UnitList{Items: out})
}

// exportFile spools a ledger to a temporary file and sends it only once it
// is whole, so that a refusal midway (too many rows) is a clean error.
func (a *API) exportFile(w http.ResponseWriter, r *http.Request, name string, write func(io.Writer, string) error) {
	format := r.URL.Query().Get("format")
	if format == "" {
		format = export.XLSX
	}
	if format != export.XLSX && format != export.CSV {
		writeError(w, http.StatusBadRequest, "bad_request", fmt.Sprintf("format %q: want xlsx or csv", format), nil)
		return
	}
	f, err := os.CreateTemp("", "duban-export-*")
	if err != nil {
		a.Failed(w, r, err)
		return
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if err := write(f, format); err != nil {
		a.fail(w, r, err)
		return
	}
	size, err := f.Seek(0, io.SeekCurrent)
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		a.Failed(w, r, err)
		return
	}
	file := fmt.Sprintf("%s-%s.%s", name, a.svc.Clock.Now().In(a.svc.Location).Format("20060102-1504"), format)
	w.Header().Set("Content-Type", export.ContentType(format))
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`,
		asciiName(file), url.PathEscape(file)))
	w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
	w.Header().Set("Cache-Control", "no-store")
	io.Copy(w, f)
}

// asciiName is a file name's fallback for clients without RFC 5987.
func asciiName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 128 && r != '"' && r != '\\' {
			b.WriteRune(r)
		}
	}
	return strings.TrimLeft(b.String(), "-")
}

func pathUint(r *http.Request, name string) (uint64, error) {
	v := r.PathValue(name)
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("%s %q: %w", name, v, access.ErrNotFound)
	}
	return n, nil
}
