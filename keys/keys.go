// Package keys normalises the keys people and files give duban — case
// numbers, petitioner ids and unit codes — the same way wherever they come
// in (import, API, pages, CLI, rule tests), so that a key that looks the
// same is the same key, and a key is safe in a link, a file name and a log.
//
// A key is read as NFKC (full-width ＸＦ１ is XF1), trimmed of white space
// and of the zero-width characters copy-and-paste leaves at its ends (ZWSP,
// ZWNJ, ZWJ, word joiner, BOM), and then must be 1 to 64 of: ASCII letters,
// ASCII digits, Han characters, '-' and '_', beginning with a letter or a
// digit. Anything else — control and format characters anywhere (NUL, line
// breaks, a zero-width space inside, bidi overrides), '/', '?', '#', '%',
// '.', spaces inside, other scripts' look-alike letters — is an error that
// names the character and its position, never the whole value (a
// petitioner id may be an identity number).
//
// Keys are case-sensitive. A petitioner id of 17 digits and a lowercase x
// (an identity number typed without the shift key) is read with X.
package keys

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxLen is the longest key, in characters.
const MaxLen = 64

// Kinds of key, as error messages name them.
const (
	KindCaseNo     = "case number"
	KindPetitioner = "petitioner id"
	KindUnit       = "unit code"
	KindLeader     = "leader"
)

// Error says why a key is refused. Its text is the reason alone: the
// caller names the field or parameter it read.
type Error struct {
	Kind   string // KindCaseNo, …
	Reason string
}

func (e *Error) Error() string { return e.Reason }

// ErrKey is what every *Error is (errors.Is).
var ErrKey = errors.New("invalid key")

func (e *Error) Is(target error) bool { return target == ErrKey }

// CaseNo normalises a case number.
func CaseNo(s string) (string, error) { return normalise(KindCaseNo, s) }

// Petitioner normalises a petitioner id.
func Petitioner(s string) (string, error) {
	k, err := normalise(KindPetitioner, s)
	if err == nil && len(k) == 18 && k[17] == 'x' && allDigits(k[:17]) {
		k = k[:17] + "X"
	}
	return k, err
}

// Unit normalises a unit code.
func Unit(s string) (string, error) { return normalise(KindUnit, s) }

// Leader normalises the leader of a reception slot, a person's name that is
// half of the slot's key (date/leader): NFKC and trimmed like every key,
// but a name keeps its spaces and dots (买买提·艾力); it may not hold '/'
// (the key's separator) or control and format characters.
func Leader(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", &Error{Kind: KindLeader, Reason: "not valid UTF-8"}
	}
	s = strings.TrimFunc(norm.NFKC.String(s), edgeInvisible)
	if s == "" {
		return "", &Error{Kind: KindLeader, Reason: "empty"}
	}
	n := 0
	for _, r := range s {
		n++
		if n > MaxLen {
			return "", &Error{Kind: KindLeader, Reason: fmt.Sprintf("longer than %d characters", MaxLen)}
		}
		if r == '/' || unicode.In(r, unicode.Cc, unicode.Cf) {
			return "", &Error{Kind: KindLeader, Reason: fmt.Sprintf("%s at character %d is not allowed in a name", describe(r), n)}
		}
	}
	return s, nil
}

// Optional applies a normaliser to a value that may be empty (a filter not
// given): "" stays "".
func Optional(fn func(string) (string, error), s string) (string, error) {
	if strings.TrimSpace(s) == "" {
		return "", nil
	}
	return fn(s)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// edgeInvisible are the zero-width characters trimmed from a key's ends:
// spreadsheets and chat apps leave them there, and nobody can see them.
// Inside a key they are refused like any other format character.
func edgeInvisible(r rune) bool {
	switch r {
	case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff':
		return true
	}
	return unicode.IsSpace(r)
}

func normalise(kind, s string) (string, error) {
	fail := func(format string, args ...any) (string, error) {
		return "", &Error{Kind: kind, Reason: fmt.Sprintf(format, args...)}
	}
	if !utf8.ValidString(s) {
		return fail("not valid UTF-8")
	}
	s = strings.TrimFunc(norm.NFKC.String(s), edgeInvisible)
	if s == "" {
		return fail("empty")
	}
	n := 0
	for i, r := range s {
		n++
		if n > MaxLen {
			return fail("longer than %d characters", MaxLen)
		}
		if allowed(r) && (i > 0 || r != '-' && r != '_') {
			continue
		}
		what := ""
		switch {
		case unicode.Is(unicode.Cc, r):
			what = " (a control character)"
		case unicode.Is(unicode.Cf, r):
			what = " (an invisible format character)"
		case unicode.IsSpace(r):
			what = " (a space)"
		case r == '-' || r == '_':
			what = " at the start"
		}
		return fail("%s%s at character %d is not allowed: a key is letters, digits, '-' and '_', beginning with a letter or digit",
			describe(r), what, n)
	}
	return s, nil
}

func allowed(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
		return true
	}
	return unicode.Is(unicode.Han, r)
}

// describe names a character so that an operator can find it: U+200B, or
// U+002F '/' for one that prints.
func describe(r rune) string {
	if unicode.IsPrint(r) && !unicode.IsSpace(r) {
		return fmt.Sprintf("U+%04X %q", r, r)
	}
	return fmt.Sprintf("U+%04X", r)
}

// PathValue returns the wildcard name of r's route as the client sent it,
// percent-decoded. A segment that percent-encodes an ASCII character is
// refused: no key needs it (every ASCII character a key may hold is sent as
// itself), and decoding it would let /cases/%41 open case A, or smuggle a
// '/', '.' or '?' past the router. Normalise the result with the key's own
// function.
func PathValue(r *http.Request, name string) (string, error) {
	v := r.PathValue(name)
	if seg, ok := rawSegment(r, name); ok {
		for i := 0; i+2 < len(seg); i++ {
			if seg[i] == '%' && unhex(seg[i+1]) < 8 {
				return "", fmt.Errorf("%s: the path percent-encodes %q (%s); write it as it is, or it is not allowed in a key",
					name, seg[i:i+3], describe(rune(unhex(seg[i+1])<<4|unhex(seg[i+2]))))
			}
		}
	}
	return v, nil
}

// rawSegment finds the segment of r's escaped path that the pattern's
// {name} matched.
func rawSegment(r *http.Request, name string) (string, bool) {
	pattern := r.Pattern
	if _, rest, ok := strings.Cut(pattern, " "); ok {
		pattern = rest
	}
	if i := strings.IndexByte(pattern, '/'); i >= 0 {
		pattern = pattern[i:] // drop a host
	}
	want := "{" + name + "}"
	psegs := strings.Split(pattern, "/")
	segs := strings.Split(r.URL.EscapedPath(), "/")
	for i, p := range psegs {
		if p == want && i < len(segs) {
			return segs[i], true
		}
	}
	return "", false
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10
	}
	return 255
}

// Path joins a route and its key segments into a link, each segment
// escaped, so that whatever a key holds stays one segment of the link.
func Path(route string, segments ...string) string {
	var b strings.Builder
	b.WriteString(strings.TrimSuffix(route, "/"))
	for _, s := range segments {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(s))
	}
	return b.String()
}
