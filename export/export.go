// Package export writes ledgers people file and send on: the notice ledger
// (督办台账) and the accountability log (问责台账), as XLSX or CSV, with
// Chinese headers. Rows stream out, so a large ledger does not sit in memory
// as a whole.
package export

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Formats.
const (
	XLSX = "xlsx"
	CSV  = "csv"
)

// ContentType returns the media type of a format.
func ContentType(format string) string {
	if format == XLSX {
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

// Column is one column of a ledger.
type Column struct {
	Header string
	Width  float64
}

// Writer writes the rows of one ledger.
type Writer interface {
	// Row writes one row: strings, numbers, or times (shown in the ledger's zone).
	Row(cells ...any) error
	// Close finishes the file.
	Close() error
}

// New starts a ledger in format, with a title row for XLSX and the column
// headers. Times are written in loc.
func New(w io.Writer, format, title string, cols []Column, loc *time.Location) (Writer, error) {
	switch format {
	case CSV:
		// A byte-order mark makes Excel read UTF-8 (Chinese) correctly.
		if _, err := io.WriteString(w, "\ufeff"); err != nil {
			return nil, err
		}
		cw := &csvWriter{w: csv.NewWriter(w), loc: loc}
		hdr := make([]any, len(cols))
		for i, c := range cols {
			hdr[i] = c.Header
		}
		return cw, cw.Row(hdr...)
	case XLSX:
		return newXLSX(w, title, cols, loc)
	}
	return nil, fmt.Errorf("format %q: want xlsx or csv", format)
}

type csvWriter struct {
	w   *csv.Writer
	loc *time.Location
}

func (c *csvWriter) Row(cells ...any) error {
	rec := make([]string, len(cells))
	for i, v := range cells {
		rec[i] = text(v, c.loc)
	}
	return c.w.Write(rec)
}

func (c *csvWriter) Close() error {
	c.w.Flush()
	return c.w.Error()
}

// Neutralise makes a CSV cell that a spreadsheet would read as a formula
// plain text, the way OWASP recommends: a cell whose first character, after
// any leading spaces, is = + - @ (or their full-width forms ＝＋－＠, which
// some spreadsheets fold to ASCII), a tab or a carriage return gets a
// leading apostrophe. Every string cell of every CSV duban writes goes
// through it, including one that only looks like a negative number ("-5"):
// free text cannot be told apart from "-2+cmd|..." safely. Numbers duban
// itself writes (sequence numbers, counts) are not strings and are left.
func Neutralise(s string) string {
	rest := strings.TrimLeft(s, " \u3000")
	if rest == "" {
		return s
	}
	r, _ := utf8.DecodeRuneInString(rest)
	switch r {
	case '=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠':
		return "'" + s
	}
	return s
}

// text renders a cell for CSV.
func text(v any, loc *time.Location) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return Neutralise(v)
	case time.Time:
		if v.IsZero() {
			return ""
		}
		return v.In(loc).Format("2006-01-02 15:04:05")
	case *time.Time:
		if v == nil {
			return ""
		}
		return text(*v, loc)
	}
	return fmt.Sprint(v)
}

type xlsxWriter struct {
	out   io.Writer
	f     *excelize.File
	sw    *excelize.StreamWriter
	loc   *time.Location
	row   int
	ncols int
	tfmt  int
}

const sheetName = "台账"

func newXLSX(w io.Writer, title string, cols []Column, loc *time.Location) (*xlsxWriter, error) {
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", sheetName); err != nil {
		return nil, err
	}
	sw, err := f.NewStreamWriter(sheetName)
	if err != nil {
		return nil, err
	}
	x := &xlsxWriter{out: w, f: f, sw: sw, loc: loc, ncols: len(cols)}
	for i, c := range cols {
		width := c.Width
		if width == 0 {
			width = 14
		}
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return nil, err
		}
	}
	titleStyle, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	if err != nil {
		return nil, err
	}
	headStyle, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill:   excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DCE6F1"}},
		Border: []excelize.Border{{Type: "bottom", Color: "7F7F7F", Style: 1}}})
	if err != nil {
		return nil, err
	}
	x.tfmt, err = f.NewStyle(&excelize.Style{CustomNumFmt: ptr("yyyy-mm-dd hh:mm")})
	if err != nil {
		return nil, err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 2, TopLeftCell: "A3", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	if err := sw.SetRow("A1", []any{excelize.Cell{Value: title, StyleID: titleStyle}}); err != nil {
		return nil, err
	}
	hdr := make([]any, len(cols))
	for i, c := range cols {
		hdr[i] = excelize.Cell{Value: c.Header, StyleID: headStyle}
	}
	if err := sw.SetRow("A2", hdr); err != nil {
		return nil, err
	}
	x.row = 2
	return x, nil
}

func ptr[T any](v T) *T { return &v }

func (x *xlsxWriter) Row(cells ...any) error {
	x.row++
	row := make([]any, len(cells))
	for i, v := range cells {
		switch t := v.(type) {
		case *time.Time:
			if t == nil {
				row[i] = nil
				continue
			}
			v = *t
		}
		if t, ok := v.(time.Time); ok {
			if t.IsZero() {
				row[i] = nil
				continue
			}
			// Spreadsheets have no zones: write the local wall time.
			local := t.In(x.loc)
			row[i] = excelize.Cell{Value: time.Date(local.Year(), local.Month(), local.Day(), local.Hour(), local.Minute(),
				local.Second(), 0, time.UTC), StyleID: x.tfmt}
			continue
		}
		row[i] = v
	}
	cell, err := excelize.CoordinatesToCellName(1, x.row)
	if err != nil {
		return err
	}
	return x.sw.SetRow(cell, row)
}

func (x *xlsxWriter) Close() error {
	defer x.f.Close()
	if x.row > 2 {
		last, _ := excelize.CoordinatesToCellName(x.ncols, x.row)
		// A table gives every column a filter button.
		if err := x.sw.AddTable(&excelize.Table{Range: "A2:" + last, Name: "Ledger", StyleName: "TableStyleLight1"}); err != nil {
			return err
		}
	}
	if err := x.sw.Flush(); err != nil {
		return err
	}
	return x.f.Write(x.out)
}
