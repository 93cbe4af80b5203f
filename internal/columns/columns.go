// Package columns aligns tab-separated text in columns the way
// text/tabwriter does, but measures cells in terminal cells rather than
// runes: a Chinese character takes two, so a table of rule names, unit names
// and notice titles lines up in a terminal (text/tabwriter counts 超期督办 as
// four wide and every column after it drifts).
//
// Use it as tabwriter is used here: cells end with a tab, lines with a
// newline, Flush writes. Consecutive lines that hold a tab form a table;
// a line without one is written as it is and ends the table.
package columns

import (
	"bytes"
	"io"
	"strings"

	"github.com/mattn/go-runewidth"
)

// width measures display cells; ambiguous-width characters count one, as in
// the terminals offices use, whatever the locale says.
var width = func() *runewidth.Condition {
	c := runewidth.NewCondition()
	c.EastAsianWidth = false
	return c
}()

// padding is the space between columns, as tabwriter was given here.
const padding = 2

// Writer buffers text until Flush.
type Writer struct {
	out        io.Writer
	alignRight bool
	buf        bytes.Buffer
}

// NewWriter writes to out with two spaces between columns, cells aligned left.
func NewWriter(out io.Writer) *Writer { return &Writer{out: out} }

// NewRightAligned is NewWriter with cells aligned right (for figures).
func NewRightAligned(out io.Writer) *Writer { return &Writer{out: out, alignRight: true} }

// Write buffers p.
func (w *Writer) Write(p []byte) (int, error) { return w.buf.Write(p) }

// Flush aligns and writes everything written so far; an unfinished last
// line is written as a line of its own.
func (w *Writer) Flush() error {
	text := w.buf.String()
	w.buf.Reset()
	if text == "" {
		return nil
	}
	lines := strings.SplitAfter(text, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	var out strings.Builder
	for i := 0; i < len(lines); {
		if !strings.Contains(lines[i], "\t") {
			out.WriteString(lines[i])
			i++
			continue
		}
		j := i
		for j < len(lines) && strings.Contains(lines[j], "\t") {
			j++
		}
		w.table(&out, lines[i:j])
		i = j
	}
	_, err := io.WriteString(w.out, out.String())
	return err
}

// table writes lines whose cells end in tabs, each column as wide as its
// widest cell plus the padding. The text after a line's last tab is not a
// cell and is written as it is.
func (w *Writer) table(out *strings.Builder, lines []string) {
	rows := make([][]string, len(lines))
	cellWidths := make([][]int, len(lines)) // each cell's, measured once
	var widths []int                        // each column's
	for i, l := range lines {
		cells := strings.Split(l, "\t")
		rows[i], cellWidths[i] = cells, make([]int, len(cells)-1)
		for c, cell := range cells[:len(cells)-1] {
			cw := width.StringWidth(cell)
			cellWidths[i][c] = cw
			if c == len(widths) {
				widths = append(widths, 0)
			}
			widths[c] = max(widths[c], cw)
		}
	}
	for i, cells := range rows {
		for c, cell := range cells[:len(cells)-1] {
			pad := strings.Repeat(" ", widths[c]-cellWidths[i][c]+padding)
			if w.alignRight {
				out.WriteString(pad + cell)
			} else {
				out.WriteString(cell + pad)
			}
		}
		out.WriteString(cells[len(cells)-1])
	}
}

// Pad fills s with spaces to n terminal cells (a line printed as it goes,
// where no table can be gathered first). Longer text is left as it is.
func Pad(s string, n int) string {
	if w := width.StringWidth(s); w < n {
		return s + strings.Repeat(" ", n-w)
	}
	return s
}
