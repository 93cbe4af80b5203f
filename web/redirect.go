package web

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxUnescapes bounds how many layers of percent-encoding a target may
// carry before it is refused: a real link carries one at most.
const maxUnescapes = 4

// localTarget is where a form or the sign-in page may send the browser next:
// s when it is a path on this site, else fallback. It is the one judge for
// every "next" and "back" value, and it judges s as a browser would read it
// in a Location header, and as any proxy that decodes it again would:
//
//   - it must begin with one "/": not "//host" or "/\host" (browsers read a
//     backslash as a slash), not "https:", "javascript:" or a bare name;
//   - no control character anywhere (browsers drop tab, CR and LF, so
//     "/<TAB>/evil" becomes "//evil"), and valid UTF-8;
//   - its path, percent-decoded layer by layer, must still begin with a
//     single "/" and hold no "//", no backslash, no control character and
//     no "." or ".." segment (dot segments are resolved before the path is
//     used: "/.//evil" becomes "//evil").
//
// The query and fragment cannot move a URL to another origin and are kept as
// they are.
func localTarget(s, fallback string) string {
	if onThisSite(s) {
		return s
	}
	return fallback
}

func onThisSite(s string) bool {
	if !strings.HasPrefix(s, "/") || !utf8.ValidString(s) || hasControl(s) {
		return false
	}
	p := s
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	for range maxUnescapes {
		if !cleanPath(p) {
			return false
		}
		u, err := url.PathUnescape(p)
		if err != nil {
			return false
		}
		if u == p {
			return true
		}
		if !utf8.ValidString(u) || hasControl(u) {
			return false
		}
		p = u
	}
	return false // still encoded after maxUnescapes layers: no real link is
}

// cleanPath reports whether p is a path a browser resolves without leaving
// this site: one leading slash, no "//", no "." or ".." segment, no
// backslash. (An empty segment is then only a trailing slash.)
func cleanPath(p string) bool {
	if !strings.HasPrefix(p, "/") || strings.ContainsAny(p, "\\") || strings.Contains(p, "//") {
		return false
	}
	for _, seg := range strings.Split(p[1:], "/") {
		if seg == "." || seg == ".." {
			return false
		}
	}
	return true
}

// hasControl reports a control character (C0, DEL, C1) or a line or
// paragraph separator in s.
func hasControl(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool {
		return unicode.IsControl(r) || r == '\u2028' || r == '\u2029'
	}) >= 0
}
