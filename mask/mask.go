// Package mask hides petitioners' identity numbers and phone numbers
// wherever they leave the people who handle the case: notices sent out,
// pages and API answers for other roles, logs.
package mask

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// IDNumber keeps the first 6 and last 4 characters of a resident identity
// number (身份证号): 410102********1234.
func IDNumber(s string) string { return keep(s, 6, 4) }

// Phone keeps the first 3 and last 4 digits of a phone number: 138****0000.
func Phone(s string) string { return keep(s, 3, 4) }

func keep(s string, head, tail int) string {
	n := utf8.RuneCountInString(s)
	if n == 0 {
		return s
	}
	if n <= head+tail {
		return strings.Repeat("*", n)
	}
	r := []rune(s)
	return string(r[:head]) + strings.Repeat("*", n-head-tail) + string(r[n-tail:])
}

var (
	// 18-character resident identity numbers (the last may be X) and the
	// older 15-digit ones, not inside a longer run of digits.
	idPattern = regexp.MustCompile(`(^|[^0-9])([1-9][0-9]{16}[0-9Xx]|[1-9][0-9]{14})($|[^0-9Xx])`)
	// Mainland mobile numbers, optionally with +86, and landlines like 0371-12345678.
	phonePattern = regexp.MustCompile(`(^|[^0-9])((?:\+?86[- ]?)?1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})($|[^0-9])`)
)

// Text masks every identity number and phone number inside free text, such
// as a case summary or a notice body.
func Text(s string) string {
	s = replaceAll(idPattern, s, IDNumber)
	return replaceAll(phonePattern, s, Phone)
}

// replaceAll applies f to group 2 of each match, keeping the boundary
// characters of groups 1 and 3; it repeats so adjacent numbers sharing a
// boundary character are all masked.
func replaceAll(re *regexp.Regexp, s string, f func(string) string) string {
	for i := 0; i < 4; i++ {
		next := re.ReplaceAllStringFunc(s, func(m string) string {
			sub := re.FindStringSubmatch(m)
			return sub[1] + f(sub[2]) + sub[3]
		})
		if next == s {
			break
		}
		s = next
	}
	return s
}
