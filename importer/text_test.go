package importer_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"duban/clock"
	"duban/importer"
	"duban/store"
	"duban/store/storetest"
)

const csvHeader = "case_no,channel,status,summary,received_at\n"

func gbk(t *testing.T, s string) []byte {
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func utf16le(t *testing.T, s string, bom bool) []byte {
	policy := unicode.IgnoreBOM
	if bom {
		policy = unicode.UseBOM
	}
	b, err := unicode.UTF16(unicode.LittleEndian, policy).NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readFixture(t *testing.T, name string) []byte {
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestTextIsDecodedOrRefusedAtItsLine: every text file is UTF-8 once read,
// whatever encoding an office saved it in, or it is refused naming its line;
// a record over the cap and a NUL are refused at their line.
func TestTextIsDecodedOrRefusedAtItsLine(t *testing.T) {
	row := "A1,visit,received,拆迁补偿,2026-03-01 09:00\n"
	long := strings.Repeat("长", 60)                                                // 180 bytes, over the 100-byte cap below
	utf8Rows := strings.Repeat("A0,visit,received,拆迁补偿未到位情况说明,2026-03-01\n", 1500) // > 64 KiB
	cases := []struct {
		name, format, encoding string
		in                     []byte
		limit                  int
		wantSummary            string // of the last record, when it reads
		wantEncoding           string
		wantErr                string
	}{
		{name: "GBK CSV is detected", format: "csv", in: gbk(t, csvHeader+row), wantSummary: "拆迁补偿", wantEncoding: "gb18030"},
		{name: "GBK forced", format: "csv", encoding: "gbk", in: gbk(t, csvHeader+row), wantSummary: "拆迁补偿", wantEncoding: "gbk"},
		{name: "GBK read as forced UTF-8 is refused", format: "csv", encoding: "utf-8", in: gbk(t, csvHeader+row),
			wantErr: "line 2: byte 0xB2 is not utf-8 text"},
		{name: "GBK after 64 KiB of UTF-8 is refused at its line", format: "csv",
			in: append([]byte(csvHeader+utf8Rows), gbk(t, strings.Replace(row, "A1", "B1", 1))...), wantErr: "line 1502: byte 0xB2 is not utf-8"},
		{name: "neither UTF-8 nor GB18030", format: "csv", in: []byte(csvHeader + "A1,visit,received,\xff\xfe\xff,2026-03-01\n"),
			wantErr: "line 2: byte 0xFF is not UTF-8, GB18030 or UTF-16 text"},
		{name: "an unknown encoding is refused", format: "csv", encoding: "latin1", in: []byte(csvHeader + row), wantErr: `unknown encoding "latin1"`},
		{name: "JSONL with a BOM", format: "jsonl", in: readFixture(t, "testdata/text/bom.jsonl"), wantSummary: "拆迁", wantEncoding: "utf-8 (with BOM)"},
		{name: "UTF-16 with a BOM, tab-separated (Excel's Unicode text)", format: "csv",
			in: utf16le(t, strings.ReplaceAll(csvHeader+row, ",", "\t"), true), wantSummary: "拆迁补偿", wantEncoding: "utf-16le"},
		{name: "UTF-16 without a BOM is refused, saying so", format: "csv", in: utf16le(t, csvHeader+row, false),
			wantErr: "line 1: a NUL byte; this is not a text file (or it is UTF-16 without a byte-order mark"},
		{name: "a NUL byte at its line", format: "csv", in: readFixture(t, "testdata/text/nul.csv"), wantErr: "line 3: a NUL byte"},
		{name: "a NUL byte in JSON", format: "json", in: []byte("[\n{\"case_no\": \"A\x00\"}]"), wantErr: "line 2: a NUL byte"},
		{name: "a CSV record over the cap", format: "csv", limit: 100, in: []byte(csvHeader + row + "A2,visit,received," + long + ",2026-03-01\n"),
			wantErr: "line 3: a record longer than 100 bytes"},
		{name: "a quoted CSV record over the cap across lines", format: "csv", limit: 100,
			in: []byte(csvHeader + row + "A2,visit,received,\"" + strings.Repeat("短\n", 40) + "\",2026-03-01\n"), wantErr: "line 3: a record longer than 100 bytes"},
		{name: "a JSON Lines record over the cap", format: "jsonl", limit: 100,
			in: []byte("{\"case_no\":\"A1\"}\n\n{\"summary\":\"" + long + "\"}\n"), wantErr: "line 3: a record longer than 100 bytes"},
		{name: "a JSON array element over the cap", format: "json", limit: 100,
			in: []byte("[\n{\"case_no\":\"A1\"},\n{\"summary\":\n\"" + long + "\"}]"), wantErr: "line 3: a record longer than 100 bytes"},
		{name: "a JSON array of short elements under the cap", format: "json", limit: 100,
			in: []byte("[\n" + strings.Repeat("{\"summary\":\"短\"},\n", 50) + "{\"summary\":\"拆迁补偿\"}\n]"), wantSummary: "拆迁补偿", wantEncoding: "utf-8"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var read string
			recs, err := importer.ReadRecordsWith(bytes.NewReader(tc.in), tc.format, importer.SourceOptions{
				Encoding: tc.encoding, Limits: importer.Limits{Record: tc.limit}, Read: &read})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			last := recs[len(recs)-1]
			if got, _ := last.Fields["summary"].(string); got != tc.wantSummary || read != tc.wantEncoding {
				t.Errorf("summary %q read as %q, want %q as %q", got, read, tc.wantSummary, tc.wantEncoding)
			}
		})
	}
}

// TestJunkFilesFail: a misspelt column is refused from the header before any
// row is read, and a file without records is an error, not "0 created".
func TestJunkFilesFail(t *testing.T) {
	storetest.Each(t, t0, func(t *testing.T, s *store.Store, clk *clock.Fixed) {
		ctx := context.Background()
		_, err := importer.File(ctx, s, "testdata/text/header_typo.csv", importer.Options{})
		msg := ""
		if err != nil {
			msg = err.Error()
		}
		for _, want := range []string{"header_typo.csv:1: chanel: column 2 of the header is not a field; did you mean channel?",
			"header_typo.csv:1: recieved_at: column 4 of the header is not a field; did you mean received_at?"} {
			if !strings.Contains(msg, want) {
				t.Errorf("err = %v, want %q", err, want)
			}
		}
		if strings.Contains(msg, ":2:") || strings.Contains(msg, "not a time") {
			t.Errorf("rows were read after a bad header: %v", err)
		}
		for _, f := range []string{"testdata/text/header_only.csv", "testdata/text/empty.jsonl"} {
			if res, err := importer.File(ctx, s, f, importer.Options{}); err == nil || !strings.Contains(err.Error(), "no records") {
				t.Errorf("%s: %+v %v", f, res, err)
			}
		}
		if _, err := importer.File(ctx, s, "testdata/text/units_header_only.csv", importer.Options{Kind: importer.KindUnits}); err == nil || !strings.Contains(err.Error(), "no records") {
			t.Errorf("a units file with no records imported")
		}
	})
}
