package columns

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"text/tabwriter"

	"github.com/mattn/go-runewidth"
)

// On ASCII text the output is text/tabwriter's, so replacing it changes no
// English listing.
func TestASCIIMatchesTabwriter(t *testing.T) {
	text := "ID\tRULE\tUNIT\tTITLE\n" +
		"1\tdeadline.breach\tzjj\tC1 overdue\n" +
		"204\thandoff.next_day\txfj\tC2 not handed over\n" +
		"\n" +
		"tick at 08:00\n" +
		"RULE\tSUBJECTS\tTIME\n" +
		"a\t1000\t4ms\n"
	for _, right := range []bool{false, true} {
		var want, got bytes.Buffer
		flags := uint(0)
		w := NewWriter(&got)
		if right {
			flags = tabwriter.AlignRight
			w = NewRightAligned(&got)
		}
		tw := tabwriter.NewWriter(&want, 0, 0, 2, ' ', flags)
		fmt.Fprint(tw, text)
		tw.Flush()
		fmt.Fprint(w, text)
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("right=%v:\n got:\n%s\nwant:\n%s", right, got.String(), want.String())
		}
	}
}

// Every column starts at the same terminal cell on every line, Chinese or not.
func TestChineseCellsLineUp(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out)
	fmt.Fprint(w, "RULE\tNAME\tLEVEL\tUNIT\tTITLE\n")
	fmt.Fprint(w, "deadline.breach\t超期督办\t督办\t住建局\tXF1 已超期 3 天\n")
	fmt.Fprint(w, "handoff.accountability\t领导接访件逾期未交办问责\t催办\tzjj\tXF2\n")
	w.Flush()
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines:\n%s", len(lines), out.String())
	}
	// the display column where each line's n-th cell begins
	starts := func(line string) []int {
		var at []int
		col, inSpace := 0, true
		for _, r := range line {
			if r != ' ' && inSpace {
				at = append(at, col)
			}
			inSpace = r == ' '
			col += runewidth.RuneWidth(r)
		}
		return at
	}
	want := starts(lines[0])
	for _, l := range lines[1:] {
		got := starts(l)
		// titles hold spaces; compare the first four columns' starts
		if len(got) < 5 || fmt.Sprint(got[:5]) != fmt.Sprint(want[:5]) {
			t.Errorf("columns start at %v, the header's at %v:\n%s", got, want, out.String())
		}
	}
}

func TestUnfinishedLastLineIsWritten(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out)
	fmt.Fprint(w, "a\tb\nlonger\tc")
	w.Flush()
	if want := "a       b\nlonger  c"; out.String() != want {
		t.Errorf("got %q, want %q", out.String(), want)
	}
}

func TestPad(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{
		{"abc", 5, "abc  "},
		{"督办→信访局", 12, "督办→信访局 "}, // → is one cell, the five Han characters two each
		{"集体访", 4, "集体访"},
	} {
		if got := Pad(c.in, c.n); got != c.want {
			t.Errorf("Pad(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}
