package yamlguard

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml/parser"
)

// laughs is the billion laughs: nine lines that expand to 10^9 values.
func laughs() string {
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 9; i++ {
		fmt.Fprintf(&b, "a%d: &a%d [", i, i)
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*a%d", i-1)
		}
		b.WriteString("]\n")
	}
	return b.String()
}

func TestRefusesWhatWouldHangTheParserOrADecoder(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
	}{
		{"deep flow nesting", "rules: " + strings.Repeat("[", 100000) + strings.Repeat("]", 100000), "1:72: [...] and {...} nested more than 64 deep"},
		{"deep flow mappings", "a: " + strings.Repeat("{a: ", 70) + "1" + strings.Repeat("}", 70), "1:260: [...] and {...} nested more than 64 deep"},
		{"billion laughs", laughs(), "7:10: aliases expand the file to more than 1000000 values"},
		{"too big", strings.Repeat("# comment\n", 500000), "the file is 5000000 bytes; at most 4194304"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			err := CheckSource([]byte(tc.src), Default)
			if err == nil {
				f, perr := parser.ParseBytes([]byte(tc.src), 0)
				if perr != nil {
					t.Fatal(perr)
				}
				err = CheckAliases(f, Default)
			}
			if err == nil || err.Error() != tc.want {
				t.Errorf("got %v, want %q", err, tc.want)
			}
			t.Logf("refused in %s", time.Since(start).Round(time.Millisecond)) // a figure, not a verdict: it depends on the machine
		})
	}
}

func TestAcceptsOrdinaryAnchorsAndNesting(t *testing.T) {
	src := `defaults: &d {level: 督办, to: [督查组, [a, [b, {c: [d]}]]]}
rules:
  - {id: a, notice: *d}
  - {id: b, notice: *d}
`
	if err := CheckSource([]byte(src), Default); err != nil {
		t.Fatal(err)
	}
	f, err := parser.ParseBytes([]byte(src), 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckAliases(f, Default); err != nil {
		t.Fatal(err)
	}
}
