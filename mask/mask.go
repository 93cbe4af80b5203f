// Package mask hides petitioners' identity numbers and phone numbers
// wherever they leave the people who handle the case: notices sent out,
// pages, API answers and exports for other roles, logs.
//
// Text finds the numbers however they are written: ASCII or full-width
// digits (１３８…), in spaced or dashed groups (138 0013 8000,
// 138-0013-8000), with a country prefix (+86, 0086), a landline's area
// code in brackets ((0371)65123456), 15- and 18-digit identity numbers,
// and numbers run into other digits (013800138000, an identity number
// followed by a phone number). It leaves dates and times (2026-03-10
// 08:00), case numbers (XF202601914) and amounts (2000000 元) readable:
// a digit run is masked only where it holds an identity number (with a
// valid birth date), a mobile number (1[3-9] and nine digits) or, as the
// whole run, a landline with its area code.
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

// The shapes searched for inside a run of digits (separators removed,
// full-width digits read as ASCII), each with the digits it keeps at the
// head and the tail.
var (
	birth = `(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])`
	// 18-character resident identity numbers (the last may be X) and the
	// older 15-digit ones: area code, birth date, sequence.
	id18 = regexp.MustCompile(`[1-9][0-9]{5}(?:18|19|20)[0-9]{2}` + birth + `[0-9]{3}[0-9X]`)
	id15 = regexp.MustCompile(`[1-9][0-9]{5}[0-9]{2}` + birth + `[0-9]{3}`)
	// Mainland mobile numbers.
	mobile = regexp.MustCompile(`1[3-9][0-9]{9}`)
	// A landline with its area code, as a whole run (optionally after the
	// country code): 0371-65123456, (010)12345678.
	landline = regexp.MustCompile(`^(?:0{0,2}86)?(0[1-9][0-9]{1,2}[2-9][0-9]{6,7})$`)
)

// Text masks every identity number and phone number inside free text, such
// as a case summary, a notice body or a petitioner key.
func Text(s string) string {
	if !hasDigit(s) {
		return s
	}
	rs := []rune(s)
	changed := false
	for i := 0; i < len(rs); {
		run, next := scanRun(rs, i)
		if run == nil {
			i++
			continue
		}
		if maskRun(rs, run) {
			changed = true
		}
		i = next
	}
	if !changed {
		return s
	}
	return string(rs)
}

func hasDigit(s string) bool {
	for _, r := range s {
		if digit(r) >= 0 {
			return true
		}
	}
	return false
}

// digit is the value of an ASCII or full-width digit, else -1.
func digit(r rune) int {
	switch {
	case r >= '0' && r <= '9':
		return int(r - '0')
	case r >= '０' && r <= '９':
		return int(r - '０')
	}
	return -1
}

// separator is a character that may stand between the groups of one
// number: spaces, dashes, dots, brackets (ASCII and full-width).
func separator(r rune) bool {
	switch r {
	case ' ', '\u00a0', '\u3000', '-', '－', '‐', '‑', '–', '—', '.', '．', '(', ')', '（', '）', '/', '／':
		return true
	}
	return false
}

func letterOrDigit(r rune) bool {
	return digit(r) >= 0 || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= 'ａ' && r <= 'ｚ') || (r >= 'Ａ' && r <= 'Ｚ')
}

// digitRun is one run of digits: the ASCII digits (X for a final check
// character), the index in the text of each, and the length of each group
// with the separator before it.
type digitRun struct {
	digits []byte
	at     []int
	groups []group
}

type group struct {
	n   int
	sep rune // the last separator before the group; 0 for the first
}

// scanRun reads the run of digits that starts at i (at a digit, or at +, (
// or a full-width one right before a digit), and returns it with the index
// after it; nil if none starts there.
func scanRun(rs []rune, i int) (*digitRun, int) {
	start := i
	if digit(rs[i]) < 0 {
		if !strings.ContainsRune("+＋(（", rs[i]) || i+1 >= len(rs) || digit(rs[i+1]) < 0 {
			return nil, i + 1
		}
		start = i + 1
	}
	run := &digitRun{}
	j := start
	var sep rune
	for j < len(rs) {
		if d := digit(rs[j]); d >= 0 {
			if len(run.groups) == 0 || sep != 0 {
				run.groups = append(run.groups, group{sep: sep})
				sep = 0
			}
			run.digits = append(run.digits, byte('0'+d))
			run.at = append(run.at, j)
			run.groups[len(run.groups)-1].n++
			j++
			continue
		}
		// An identity number's check character X ends the run.
		if (rs[j] == 'X' || rs[j] == 'x' || rs[j] == 'Ｘ' || rs[j] == 'ｘ') && sep == 0 &&
			(j+1 == len(rs) || !letterOrDigit(rs[j+1])) {
			run.digits = append(run.digits, 'X')
			run.at = append(run.at, j)
			run.groups[len(run.groups)-1].n++
			j++
			break
		}
		// Up to three separators (") ", " - ") join groups of one number.
		k := j
		for k < len(rs) && k-j < 3 && separator(rs[k]) {
			k++
		}
		if k == j || k >= len(rs) || digit(rs[k]) < 0 {
			break
		}
		sep = rs[k-1]
		if rs[j] != ' ' && rs[j] != '\u3000' {
			sep = rs[j]
		}
		j = k
	}
	return run, j
}

// maskRun masks the numbers in a run, leaving a leading date (2026-03-10,
// 2026/3/1, 2026.03.01 and the hour after it) readable; it reports whether
// it masked anything.
func maskRun(rs []rune, run *digitRun) bool {
	skip := 0
	if g := run.groups; len(g) >= 2 && g[0].n == 4 && (string(run.digits[:2]) == "19" || string(run.digits[:2]) == "20") &&
		g[1].n <= 2 && g[1].sep != ' ' && g[1].sep != '\u3000' {
		ng := 2
		if len(g) >= 3 && g[2].n <= 2 {
			ng = 3
			if len(g) >= 4 && g[3].n <= 2 { // the hour: 2026-03-10 08:00
				ng = 4
			}
		}
		for _, gr := range g[:ng] {
			skip += gr.n
		}
	}
	d, at := string(run.digits[skip:]), run.at[skip:]
	hide := make([]bool, len(d))
	masked := false
	mark := func(start, end, head, tail int) {
		for k := start + head; k < end-tail; k++ {
			hide[k] = true
			masked = true
		}
	}
	if skip == 0 {
		if m := landline.FindStringSubmatchIndex(d); m != nil {
			mark(m[2], m[3], 3, 4)
		}
	}
	// Each shape in turn is searched for in the digits no earlier shape
	// took, so that an identity number is not read as a phone number and
	// numbers run together are each found.
	taken := make([]bool, len(d))
	for _, p := range shapes {
		for k := 0; k < len(d); k++ {
			if taken[k] {
				continue
			}
			end := k
			for end < len(d) && !taken[end] {
				end++
			}
			for _, m := range p.re.FindAllStringIndex(d[k:end], -1) {
				mark(k+m[0], k+m[1], p.head, p.tail)
				for t := k + m[0]; t < k+m[1]; t++ {
					taken[t] = true
				}
			}
			k = end
		}
	}
	for k, h := range hide {
		if h {
			rs[at[k]] = '*'
		}
	}
	return masked
}

var shapes = []struct {
	re         *regexp.Regexp
	head, tail int
}{{id18, 6, 4}, {id15, 6, 4}, {mobile, 3, 4}}
