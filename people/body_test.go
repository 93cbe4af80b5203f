package people_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"duban/models"
)

// rawAPI sends body as it is, with the Content-Type given ("" for none).
func (e *env) rawAPI(role, method, path, contentType string, body []byte) (int, []byte) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Authorization", "Bearer "+e.tokens[role])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func bodyFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "bodies", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestAPIBodiesNotInUTF8OrWithTrailingDataAreRefused sends, to every API
// endpoint that reads a body, bodies in another charset (declared or not)
// and bodies with more after their JSON value. The first are refused with
// 415, the second with 400; neither changes anything. The same bodies in
// UTF-8, alone, are accepted and stored as sent.
func TestAPIBodiesNotInUTF8OrWithTrailingDataAreRefused(t *testing.T) {
	e := sqliteEnv(t)
	// A body each endpoint accepts (in bodyRoutes' order), so that the
	// refusals below are for the charset or the trailing data alone.
	valid := []string{`{"comment":"已部署整改"}`,
		`{"case_no":"F-1","channel":"visit","status":"received","received_at":"2026-03-09T09:00:00+08:00"}`,
		`{"category":"物业管理"}`, `{"kind":"note","comment":"已约谈信访人"}`, `{"kind":"note","comment":"已联系"}`,
		`{"decision":"dismiss","reason":"已批准延期"}`}
	type refusal struct {
		name        string
		contentType string
		body        []byte
		status      int
		says        string
	}
	cases := func(ok string) []refusal {
		v := []byte(ok)
		then := func(s string) []byte { return append(append([]byte{}, v...), s...) }
		return []refusal{
			{"GBK bytes, charset=gbk", "application/json; charset=gbk", bodyFile(t, "note-gbk.json"), 415, `charset "gbk"`},
			{"GBK bytes, charset=GB18030", "application/json; charset=GB18030", bodyFile(t, "note-gbk.json"), 415, `charset "GB18030"`},
			{"GBK bytes, charset=gb2312", "application/json;charset=gb2312", bodyFile(t, "note-gbk.json"), 415, `charset "gb2312"`},
			{"GBK bytes, no charset", "application/json", bodyFile(t, "note-gbk.json"), 415, "not UTF-8"},
			{"GBK bytes, no Content-Type", "", bodyFile(t, "note-gbk.json"), 415, "not UTF-8"},
			{"Big5 bytes, charset=big5", "application/json; charset=big5", bodyFile(t, "note-big5.json"), 415, `charset "big5"`},
			{"UTF-16LE bytes, charset=utf-16", "application/json; charset=utf-16", bodyFile(t, "note-utf16le.json"), 415, `charset "utf-16"`},
			{"UTF-16LE bytes, no charset", "application/json", bodyFile(t, "note-utf16le.json"), 415, "not UTF-8"},
			{"UTF-8 bytes, charset=gbk", "application/json; charset=gbk", v, 415, `charset "gbk"`},
			{"UTF-8 bytes, charset=iso-8859-1", `application/json; charset="iso-8859-1"`, v, 415, `charset "iso-8859-1"`},
			{"text/plain", "text/plain; charset=utf-8", v, 415, "not text/plain"},
			{"a second object", "application/json", then(ok), 400, "more after its JSON value"},
			{"a second object after a newline", "application/json", then("\n{}"), 400, "more after its JSON value"},
			{"a word after the object", "application/json", then(" x"), 400, "more after its JSON value"},
			{"a bracket after the object", "application/json", then("]"), 400, "more after its JSON value"},
			{"a comma after the object", "application/json", then(","), 400, "more after its JSON value"},
			{"a NUL after the object", "application/json", then("\x00"), 400, "more after its JSON value"},
		}
	}
	for i, rt := range bodyRoutes(e) {
		for _, tc := range cases(valid[i]) {
			before, caseBefore := tableCounts(t, e.s), caseRow(t, e.s, e.own.CaseNo)
			status, b := e.rawAPI(rt.role, rt.method, rt.path, tc.contentType, tc.body)
			var answer struct {
				Error struct {
					Status  int
					Message string
				}
			}
			if status != tc.status || json.Unmarshal(b, &answer) != nil || answer.Error.Status != tc.status || !strings.Contains(answer.Error.Message, tc.says) {
				t.Errorf("%s %s, %s: %d %s; want %d saying %q", rt.method, rt.path, tc.name, status, b, tc.status, tc.says)
			}
			if after := tableCounts(t, e.s); !reflect.DeepEqual(before, after) {
				t.Errorf("%s %s, %s: refused but changed the data: %v → %v", rt.method, rt.path, tc.name, before, after)
			}
			if after := caseRow(t, e.s, e.own.CaseNo); after != caseBefore {
				t.Errorf("%s %s, %s: refused but changed case %s", rt.method, rt.path, tc.name, e.own.CaseNo)
			}
		}
	}

	// The controls: UTF-8, declared so or not, alone or with whitespace after.
	path := "/api/v1/cases/" + e.own.CaseNo + "/events"
	for i, ct := range []string{"application/json; charset=utf-8", `application/json; charset="UTF-8"`, "application/json; charset=utf8",
		"application/json", ""} {
		comment := fmt.Sprintf("已联系信访人（第%d次）", i+1)
		body := fmt.Sprintf(`{"kind":"note","comment":%q}`+"\r\n\t ", comment)
		if status, b := e.rawAPI(models.RoleUnit, "POST", path, ct, []byte(body)); status != http.StatusCreated && status != http.StatusOK {
			t.Errorf("a UTF-8 note with Content-Type %q: %d %s", ct, status, b)
			continue
		}
		_, b := e.api(models.RoleUnit, "GET", "/api/v1/cases/"+e.own.CaseNo, nil)
		if !strings.Contains(string(b), comment) {
			t.Errorf("the note sent with Content-Type %q is not stored as sent (%q)", ct, comment)
		}
	}
}
