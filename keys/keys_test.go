package keys

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestNormalise(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
		fn             func(string) (string, error)
		err            string // part of the error, "" for none
	}{
		{"plain", "XF1", "XF1", CaseNo, ""},
		{"full-width letters and digits", "ＸＦ１", "XF1", CaseNo, ""},
		{"full-width hyphen", "XF－2026－１", "XF-2026-1", CaseNo, ""},
		{"ideographic space trimmed", "\u3000XF1\u3000", "XF1", CaseNo, ""},
		{"white space trimmed", " \tXF1\r\n", "XF1", CaseNo, ""},
		{"zero-width space at the end trimmed", "P1\u200b", "P1", Petitioner, ""},
		{"BOM at the start trimmed", "\ufeffP1", "P1", Petitioner, ""},
		{"Han kept", "豫信2026第123号", "豫信2026第123号", CaseNo, ""},
		{"underscore and hyphen", "zjj_2-a", "zjj_2-a", Unit, ""},
		{"case kept", "xf1", "xf1", CaseNo, ""},
		{"identity number lowercase x", "41010219900101123x", "41010219900101123X", Petitioner, ""},
		{"full-width identity number", "４１０１０２１９９００１０１１２３Ｘ", "41010219900101123X", Petitioner, ""},
		{"lowercase x only for identity numbers", "P12345678901234567x", "P12345678901234567x", Petitioner, ""},

		{"slash", "A/B", "", CaseNo, `U+002F '/' at character 2`},
		{"question mark", "A?b=1", "", CaseNo, `'?'`},
		{"hash", "A#x", "", CaseNo, `'#'`},
		{"percent", "%41", "", CaseNo, `U+0025 '%' at character 1`},
		{"dot", "A.B", "", CaseNo, `'.'`},
		{"dot dot", "..", "", CaseNo, `'.'`},
		{"zero-width space inside", "P\u200b1", "", Petitioner, "U+200B (an invisible format character) at character 2"},
		{"BOM inside", "P\ufeff1", "", Petitioner, "U+FEFF (an invisible format character)"},
		{"RTL override", "\u202eXF1", "", CaseNo, "U+202E (an invisible format character) at character 1"},
		{"RTL override at the end", "XF1\u202e", "", CaseNo, "U+202E"},
		{"NUL", "XF\x001", "", CaseNo, "U+0000 (a control character)"},
		{"newline inside", "XF\n1", "", CaseNo, "U+000A (a control character)"},
		{"space inside", "XF 1", "", CaseNo, "U+0020 (a space)"},
		{"Cyrillic look-alike", "ХF1", "", CaseNo, "U+0425"},
		{"leading hyphen", "-1", "", CaseNo, "at the start"},
		{"leading underscore", "_1", "", Unit, "at the start"},
		{"empty", "", "", CaseNo, "empty"},
		{"only a zero-width space", "\u200b", "", Petitioner, "empty"},
		{"invalid UTF-8", "XF\xff", "", CaseNo, "not valid UTF-8"},
		{"too long", strings.Repeat("A", MaxLen+1), "", CaseNo, "longer than 64"},

		{"leader", "王建国", "王建国", Leader, ""},
		{"leader with a middle dot and padding", " 买买提·艾力\u200b", "买买提·艾力", Leader, ""},
		{"leader full-width", "Ｗａｎｇ Ｊｉａｎ", "Wang Jian", Leader, ""},
		{"leader with a slash", "王/建国", "", Leader, "U+002F '/' at character 2"},
		{"leader with a zero-width space inside", "王\u200b建国", "", Leader, "U+200B"},
		{"leader with a newline", "王\n建国", "", Leader, "U+000A"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.fn(tc.in)
			if tc.err == "" {
				if err != nil || got != tc.want {
					t.Fatalf("%q: got %q, %v; want %q", tc.in, got, err, tc.want)
				}
				// normalising is idempotent
				if again, err := tc.fn(got); err != nil || again != got {
					t.Fatalf("%q normalised again: %q, %v", got, again, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("%q: accepted as %q; want an error with %q", tc.in, got, tc.err)
			}
			if !strings.Contains(err.Error(), tc.err) || !errors.Is(err, ErrKey) {
				t.Fatalf("%q: error %q; want one with %q", tc.in, err, tc.err)
			}
		})
	}
}

func TestErrorsDoNotQuoteTheValue(t *testing.T) {
	// a petitioner id may be an identity number: the error names the
	// character, not the id
	_, err := Petitioner("41010219900101123/")
	if err == nil || strings.Contains(err.Error(), "4101021990") {
		t.Fatalf("error %v", err)
	}
}

func TestPath(t *testing.T) {
	for _, tc := range []struct{ route, seg, want string }{
		{"/cases", "XF1", "/cases/XF1"},
		{"/cases/", "豫信1", "/cases/%E8%B1%AB%E4%BF%A11"},
		{"/cases", "a/b?c#d", "/cases/a%2Fb%3Fc%23d"},
		{"/cases", "%41", "/cases/%2541"},
		{"/cases", "..", "/cases/.."}, // refused by CaseNo; the link stays one segment the router cleans away
		{"/api/v1/cases", "x y", "/api/v1/cases/x%20y"},
	} {
		if got := Path(tc.route, tc.seg); got != tc.want {
			t.Errorf("Path(%q, %q) = %q, want %q", tc.route, tc.seg, got, tc.want)
		}
	}
}

func TestPathValue(t *testing.T) {
	var got string
	var gotErr error
	mux := http.NewServeMux()
	mux.HandleFunc("GET /cases/{case_no}/events", func(w http.ResponseWriter, r *http.Request) {
		got, gotErr = PathValue(r, "case_no")
	})
	for _, tc := range []struct {
		path, want string
		refused    bool
	}{
		{"/cases/XF1/events", "XF1", false},
		{"/cases/%E8%B1%AB1/events", "豫1", false},
		{"/cases/%41/events", "", true},
		{"/cases/%2e%2e/events", "", true},
		{"/cases/a%2Fb/events", "", true},
		{"/cases/a%3Fb/events", "", true},
		{"/cases/a%00b/events", "", true},
	} {
		got, gotErr = "", nil
		mux.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", tc.path, nil))
		if tc.refused {
			if gotErr == nil {
				t.Errorf("%s: read as %q; want it refused", tc.path, got)
			} else if !strings.Contains(gotErr.Error(), "case_no") {
				t.Errorf("%s: error %q does not name the parameter", tc.path, gotErr)
			}
			continue
		}
		if gotErr != nil || got != tc.want {
			t.Errorf("%s: got %q, %v; want %q", tc.path, got, gotErr, tc.want)
		}
	}
}
