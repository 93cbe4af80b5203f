package api

import (
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"time"

	"duban/access"
	"duban/auth"
	"duban/importer"
	"duban/rules"
)

// The OpenAPI description is built from the route table and the Go types
// the handlers answer with, so it cannot drift from what is served.

// schemaTypes are the named schemas, by the name routes use.
var schemaTypes = map[string]any{
	"Me":            Me{},
	"UnitList":      UnitList{},
	"Notice":        access.Notice{},
	"NoticePage":    access.Page[access.Notice]{},
	"NoticeCounts":  NoticeCounts{},
	"AckRequest":    AckRequest{},
	"Case":          access.Case{},
	"CasePage":      access.Page[access.Case]{},
	"CaseDetail":    access.CaseDetail{},
	"EventRequest":  EventRequest{},
	"FlagPage":      access.Page[access.Flag]{},
	"Record":        access.Record{},
	"RecordPage":    access.Page[access.Record]{},
	"ReviewRequest": ReviewRequest{},
	"ChainStatus":   access.ChainStatus{},
	"RulesStatus":   access.RulesStatus{},
	"Scorecards":    access.Scorecards{},
	"Error":         Error{},
	"Evidence":      rules.Evidence{},
}

var (
	openapiOnce sync.Once
	openapiDoc  map[string]any
)

func (a *API) openapi(w http.ResponseWriter, r *http.Request, _ *auth.Principal) {
	openapiOnce.Do(func() { openapiDoc = a.OpenAPI() })
	writeJSON(w, http.StatusOK, openapiDoc)
}

var pathParam = regexp.MustCompile(`\{([a-z_]+)\}`)

// OpenAPI returns the OpenAPI 3.1 description of the routes.
func (a *API) OpenAPI() map[string]any {
	paths := map[string]any{}
	for _, rt := range a.Routes() {
		op := map[string]any{
			"summary":     rt.Summary,
			"operationId": operationID(rt),
			"tags":        []string{tag(rt.Path)},
		}
		if rt.Perm == auth.PermPublic {
			op["security"] = []any{}
		} else {
			op["description"] = "Needs the permission " + string(rt.Perm) + ", held by: " + strings.Join(rolesWith(rt.Perm), ", ") + "."
		}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(rt.Path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		for _, q := range rt.Query {
			params = append(params, map[string]any{"name": q.Name, "in": "query", "description": q.Description,
				"schema": map[string]any{"type": q.Type}})
		}
		if params != nil {
			op["parameters"] = params
		}
		if rt.Body != "" {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"application/json": map[string]any{"schema": ref(rt.Body)}}}
		}
		ok := map[string]any{"description": "OK"}
		switch rt.Returns {
		case "":
			ok["content"] = map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object"}}}
		case "file":
			ok["content"] = map[string]any{
				"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}},
				"text/csv": map[string]any{"schema": map[string]any{"type": "string"}}}
		default:
			ok["content"] = map[string]any{"application/json": map[string]any{"schema": ref(rt.Returns)}}
		}
		status := "200"
		if rt.Method == "POST" && (strings.HasSuffix(rt.Path, "/cases") || strings.HasSuffix(rt.Path, "/reviews")) {
			status = "201"
		}
		errResp := map[string]any{"description": "an error; its message says what to do", "content": map[string]any{
			"application/json": map[string]any{"schema": ref("Error")}}}
		op["responses"] = map[string]any{status: ok, "default": errResp}
		item, _ := paths[rt.Path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[rt.Path] = item
		}
		item[strings.ToLower(rt.Method)] = op
	}
	schemas := map[string]any{"CaseFields": caseFieldsSchema()}
	g := &schemaGen{defs: schemas, names: map[reflect.Type]string{}}
	for name, v := range schemaTypes {
		g.names[reflect.TypeOf(v)] = name
	}
	for name, v := range schemaTypes {
		schemas[name] = g.define(reflect.TypeOf(v))
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "duban 督办 API", "version": "1",
			"description": "Supervision notices, cases, flags, the accountability log, rules and unit scorecards. " +
				"Authenticate with a bearer token (duban users token create USER). Lists are newest first with keyset " +
				"pagination: pass the answer's next as before. A unit user sees only its own unit's and sub-units' data; " +
				"petitioners' identity and phone numbers are masked for everyone but the unit handling the case."},
		"servers": []any{map[string]any{"url": Prefix}},
		"paths":   stripPrefix(paths),
		"components": map[string]any{
			"schemas": schemas,
			"securitySchemes": map[string]any{
				"bearer":  map[string]any{"type": "http", "scheme": "bearer"},
				"session": map[string]any{"type": "apiKey", "in": "cookie", "name": "duban_session"},
			},
		},
		"security": []any{map[string]any{"bearer": []any{}}, map[string]any{"session": []any{}}},
	}
}

func stripPrefix(paths map[string]any) map[string]any {
	out := make(map[string]any, len(paths))
	for p, v := range paths {
		out[strings.TrimPrefix(p, Prefix)] = v
	}
	return out
}

func ref(name string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + name} }

func tag(path string) string {
	rest := strings.TrimPrefix(path, Prefix+"/")
	t, _, _ := strings.Cut(rest, "/")
	return strings.TrimSuffix(t, ".json")
}

func operationID(rt auth.Route) string {
	id := strings.ToLower(rt.Method)
	for _, part := range strings.Split(strings.TrimPrefix(rt.Path, Prefix+"/"), "/") {
		part = strings.Trim(part, "{}")
		part = strings.ReplaceAll(strings.ReplaceAll(part, ".", "_"), "_", " ")
		for _, w := range strings.Fields(part) {
			id += strings.ToUpper(w[:1]) + w[1:]
		}
	}
	return id
}

func rolesWith(p auth.Perm) []string {
	var out []string
	for _, r := range []string{"admin", "supervisor", "unit", "inspector"} {
		if auth.RoleCan(r, p) {
			out = append(out, r)
		}
	}
	return out
}

// caseFieldsSchema describes a case in the import format.
func caseFieldsSchema() map[string]any {
	props := map[string]any{}
	for _, f := range importer.CaseFields {
		var s map[string]any
		switch {
		case f == "group_size":
			s = map[string]any{"type": "integer", "minimum": 1}
		case f == "escalated" || f == "law_related":
			s = map[string]any{"type": "boolean"}
		case strings.HasSuffix(f, "_at"):
			s = map[string]any{"type": "string", "format": "date-time"}
		default:
			s = map[string]any{"type": "string"}
		}
		props[f] = s
	}
	props["channel"] = map[string]any{"type": "string", "enum": []string{"visit", "letter", "online", "phone", "leader_reception"}}
	props["status"] = map[string]any{"type": "string", "enum": []string{"received", "accepted", "assigned", "closed", "rejected"}}
	return map[string]any{"type": "object", "properties": props, "additionalProperties": false,
		"description": "A case in the import format (see README: Import format); registering needs case_no, channel, status and received_at."}
}

var timeType = reflect.TypeOf(time.Time{})

// schemaGen renders Go types as JSON schemas, following encoding/json's
// rules; named structs become components referred to by $ref, which also
// ends recursion (a record's reviews are records).
type schemaGen struct {
	defs  map[string]any
	names map[reflect.Type]string
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_]+`)

func (g *schemaGen) nameOf(t reflect.Type) string {
	if n, ok := g.names[t]; ok {
		return n
	}
	n := unsafeName.ReplaceAllString(strings.ReplaceAll(t.Name(), "duban/", ""), "_")
	n = strings.Trim(n, "_")
	g.names[t] = n
	return n
}

// ref returns a schema for t, defining named structs as components.
func (g *schemaGen) ref(t reflect.Type) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() == reflect.Struct && t != timeType && t.Name() != "" {
		name := g.nameOf(t)
		if _, ok := g.defs[name]; !ok {
			g.defs[name] = map[string]any{} // placeholder: recursion stops here
			g.defs[name] = g.define(t)
		}
		return ref(name)
	}
	return g.define(t)
}

// define renders t itself (not a reference to it).
func (g *schemaGen) define(t reflect.Type) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == timeType {
		return map[string]any{"type": "string", "format": "date-time"}
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": g.ref(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.ref(t.Elem())}
	case reflect.Struct:
		props := map[string]any{}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name := f.Name
			tagv := f.Tag.Get("json")
			if tagv == "-" {
				continue
			}
			if n, _, _ := strings.Cut(tagv, ","); n != "" {
				name = n
			}
			props[name] = g.ref(f.Type)
		}
		return map[string]any{"type": "object", "properties": props}
	}
	return map[string]any{}
}
