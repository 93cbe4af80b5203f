package importer_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"hash/crc32"
	"slices"
	"strings"
	"testing"
	"time"

	"duban/clock"
	"duban/importer"
	"duban/models"
	"duban/store"
	"duban/store/storetest"
)

// Bad files get a clear error naming the line (and field), and nothing of
// them is imported.
func TestBadFilesAreRefusedWithTheirLine(t *testing.T) {
	for _, tc := range []struct {
		name, format, data, want string
	}{
		{"a column named twice", "csv", "case_no,channel,status,status\nA1,visit,received,closed\n",
			"line 1: status: named by columns 3 and 4 of the header"},
		{"a column without a name", "csv", "case_no,,status\nA1,visit,received\n", "line 1: column 2 of the header has no name"},
		// Found by FuzzReadAndCheck: the reader panicked asking for the line
		// of a row it could not read (testdata/fuzz/FuzzReadAndCheck).
		{"a stray quote", "csv", "case_no,channel,parent\n0\"0000000000", `line 2: bare " in non-quoted-field`},
		{"not a workbook", "xlsx", "case_no\nA1\n", "not an XLSX workbook"},
		// Go 1.26 and 1.27's decoders stop at different places; either way the line says so.
		{"a JSON array that is not closed", "json", "[\n{\"case_no\": \"A1\"},\n{\"case_no\": \"A2\"}\n", "line 3: the JSON array is not closed|line 4: not a JSON object: unexpected end of JSON input"},
		{"a JSON line that is not an object", "jsonl", "{\"case_no\": \"A1\"}\n[1, 2]\n", "line 2: not a JSON object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := importer.ReadRecords(strings.NewReader(tc.data), tc.format)
			if err == nil || !slices.ContainsFunc(strings.Split(tc.want, "|"), func(w string) bool { return strings.Contains(err.Error(), w) }) {
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
}

// A JSON array's records keep their line numbers, counted once over the
// file (a 20,000-record array used to be counted from the start for each).
// Counted once, 100,000 records read in well under a second; counted from
// the start for each, they scan about 150 GB, minutes on any machine. The
// limit between the two is far from both, so the verdict does not depend on
// the machine's speed.
func TestJSONArrayLinesAreCountedOnce(t *testing.T) {
	var b strings.Builder
	b.WriteString("[\n")
	const n = 100000
	for i := 0; i < n; i++ {
		sep := ","
		if i == n-1 {
			sep = ""
		}
		fmt.Fprintf(&b, "  {\"case_no\": \"A%d\"}%s\n", i, sep)
	}
	b.WriteString("]\n")
	start := time.Now()
	recs, err := importer.ReadRecords(strings.NewReader(b.String()), "json")
	if err != nil || len(recs) != n {
		t.Fatalf("%d records, %v", len(recs), err)
	}
	if recs[0].Line != 2 || recs[n-1].Line != n+1 {
		t.Errorf("lines %d and %d, want 2 and %d", recs[0].Line, recs[n-1].Line, n+1)
	}
	took := time.Since(start)
	t.Logf("read %d records in %s", n, took.Round(time.Millisecond))
	if took > 30*time.Second {
		t.Errorf("reading took %s: the lines are counted more than once", took)
	}
}

// zipBomb is a workbook whose worksheet says it inflates to 2 GiB.
func zipBomb(t *testing.T) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Store,
		CompressedSize64: 4, UncompressedSize64: 2 << 30, CRC32: crc32.ChecksumIEEE([]byte("<x/>"))})
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("<x/>"))
	zw.Close()
	return b.Bytes()
}

func TestAZipBombIsRefusedBeforeItInflates(t *testing.T) {
	_, err := importer.ReadRecords(bytes.NewReader(zipBomb(t)), "xlsx")
	// Refused from the zip's directory, before excelize unpacks anything.
	if err == nil || !strings.Contains(err.Error(), "the workbook unpacks to more than") || !strings.Contains(err.Error(), "sheet1.xml") {
		t.Errorf("got %v", err)
	}
}

// A file that fails to import leaves the database exactly as it was, even
// when its bad row comes after thousands of good ones.
func TestAFailedImportChangesNothing(t *testing.T) {
	storetest.Each(t, t0, func(t *testing.T, s *store.Store, clk *clock.Fixed) {
		ctx := context.Background()
		if _, err := importer.File(ctx, s, "testdata/units.csv", importer.Options{Kind: importer.KindUnits}); err != nil {
			t.Fatal(err)
		}
		if _, err := importer.File(ctx, s, "testdata/cases.csv", importer.Options{}); err != nil {
			t.Fatal(err)
		}
		before := fingerprint(t, s)
		var b strings.Builder
		for i := 0; i < 5000; i++ {
			fmt.Fprintf(&b, `{"case_no":"B%d","channel":"visit","status":"received","received_at":"2026-03-01T09:00:00+08:00"}`+"\n", i)
		}
		b.WriteString(`{"case_no":"XF1","channel":"visit","status":"closed","received_at":"2026-03-01T09:00:00+08:00"}` + "\n")
		_, err := importer.Reader(ctx, s, strings.NewReader(b.String()), importer.Options{Format: "jsonl"})
		if err == nil || !strings.Contains(err.Error(), "5001: closed_at") {
			t.Fatalf("got %v", err)
		}
		if fingerprint(t, s) != before {
			t.Error("the failed import changed the database")
		}
		var n int64
		s.DB.Model(&models.Case{}).Count(&n)
		if n != 2 {
			t.Errorf("%d cases after the failed import, want the 2 imported before", n)
		}
	})
}
