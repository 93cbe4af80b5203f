package export

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/csv"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

type formulaCell struct {
	dangerous bool
	value     string
	line      int
}

// formulaCells reads testdata/formula-cells.txt.
func formulaCells(t *testing.T) []formulaCell {
	t.Helper()
	f, err := os.Open("testdata/formula-cells.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []formulaCell
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		kind, value, ok := strings.Cut(line, "\t")
		if !ok || (kind != "dangerous" && kind != "harmless") {
			t.Fatalf("testdata/formula-cells.txt:%d: want dangerous or harmless, a tab and the value", n)
		}
		value = strings.NewReplacer(`\t`, "\t", `\r`, "\r").Replace(value)
		out = append(out, formulaCell{kind == "dangerous", value, n})
	}
	return out
}

// TestCSVNeutralisesFormulas writes every value of the table as a CSV cell,
// parses the file back as a spreadsheet would read it, and checks that each
// dangerous cell begins with an apostrophe and each harmless one is as it was.
func TestCSVNeutralisesFormulas(t *testing.T) {
	cells := formulaCells(t)
	var buf bytes.Buffer
	w, err := New(&buf, CSV, "台账", []Column{{Header: "编号"}, {Header: "标题"}, {Header: "数"}}, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cells {
		if err := w.Row(i, c.value, -7); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\ufeff")))
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(cells)+1 {
		t.Fatalf("%d records, want the header and %d rows", len(recs), len(cells))
	}
	for i, c := range cells {
		got := recs[i+1][1]
		switch {
		case c.dangerous && got != "'"+c.value:
			t.Errorf("line %d: %q was written as %q, want it behind an apostrophe", c.line, c.value, got)
		case !c.dangerous && got != c.value:
			t.Errorf("line %d: the harmless %q was written as %q", c.line, c.value, got)
		}
		// A number duban writes itself is a number, not free text.
		if recs[i+1][2] != "-7" {
			t.Errorf("line %d: the number cell is %q, want -7", c.line, recs[i+1][2])
		}
	}
}

// TestXLSXCellsAreInlineStrings writes formula-looking titles to an XLSX
// ledger, opens the sheet's XML and checks that each is stored as an inline
// string and that the sheet has no formula at all.
func TestXLSXCellsAreInlineStrings(t *testing.T) {
	var buf bytes.Buffer
	w, err := New(&buf, XLSX, "台账", []Column{{Header: "编号"}, {Header: "标题"}}, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	cells := formulaCells(t)
	for i, c := range cells {
		if c.value == "" {
			continue
		}
		if err := w.Row(i, c.value); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	sheet := sheetXML(t, buf.Bytes())
	if strings.Contains(sheet, "<f>") || strings.Contains(sheet, "<f ") {
		t.Errorf("the sheet holds a formula:\n%s", sheet)
	}
	cellRe := regexp.MustCompile(`<c r="B(\d+)"([^>]*)>`)
	found := 0
	for _, m := range cellRe.FindAllStringSubmatch(sheet, -1) {
		if m[1] == "1" || m[1] == "2" {
			continue // the title and header rows
		}
		found++
		if !strings.Contains(m[2], `t="inlineStr"`) {
			t.Errorf("cell B%s is %s, want an inline string (t=\"inlineStr\")", m[1], m[0])
		}
	}
	if found == 0 {
		t.Fatalf("no title cells found in the sheet:\n%s", sheet)
	}
	if !strings.Contains(sheet, "=HYPERLINK(") {
		t.Errorf("the formula-looking title is not in the sheet as text:\n%s", sheet)
	}
}

func sheetXML(t *testing.T, b []byte) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if strings.HasPrefix(f.Name, "xl/worksheets/sheet") {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			x, _ := io.ReadAll(rc)
			return string(x)
		}
	}
	t.Fatal("the XLSX has no worksheet")
	return ""
}
