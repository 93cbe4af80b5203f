package importer_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"duban/importer"
)

// workbook builds an .xlsx of the cases header and rows; edit changes it
// further (number cells, date cells, merges).
func workbook(t *testing.T, rows [][]any, edit func(f *excelize.File)) []byte {
	t.Helper()
	f := excelize.NewFile()
	header := []any{"case_no", "channel", "status", "petitioner_id_number", "received_at"}
	if err := f.SetSheetRow("Sheet1", "A1", &header); err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	if edit != nil {
		edit(f)
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestXLSXCellsAreReadAsExcelShowsThem(t *testing.T) {
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	ok := []any{"A1", "visit", "received", "11010519491231002X", "2026-03-01 09:00"}
	cases := []struct {
		name     string
		in       []byte
		limits   importer.Limits
		wantErr  string
		wantTime time.Time // received_at of A2, read in Asia/Shanghai
	}{
		{name: "an identity number typed as a number is refused at its cell",
			in:      workbook(t, [][]any{ok, {"A2", "visit", "received", 410102199001011000.0, "2026-03-01"}}, nil),
			wantErr: "3: petitioner_id_number: Sheet1!D3 is a number in the workbook (410102199001011000)"},
		{name: "merged cells are refused with their range",
			in:      workbook(t, [][]any{ok, {"A2", "visit"}}, func(f *excelize.File) { f.MergeCell("Sheet1", "B3", "C3") }),
			wantErr: "3: Sheet1!B3:C3 are merged cells"},
		{name: "a date cell is its serial read in the zone",
			in: workbook(t, [][]any{ok, {"A2", "visit", "received", "", nil}}, func(f *excelize.File) {
				style, _ := f.NewStyle(&excelize.Style{NumFmt: 22}) // m/d/yy h:mm
				f.SetCellValue("Sheet1", "E3", 46082.375)           // 2026-03-01 09:00
				f.SetCellStyle("Sheet1", "E3", "E3", style)
			}),
			wantTime: time.Date(2026, 3, 1, 9, 0, 0, 0, shanghai)},
		{name: "a text date as Excel writes it",
			in: workbook(t, [][]any{ok, {"A2", "visit", "received", "", "2026/3/1 9:00"}}, nil), wantTime: time.Date(2026, 3, 1, 9, 0, 0, 0, shanghai)},
		{name: "a workbook over the file cap", in: workbook(t, [][]any{ok}, nil), limits: importer.Limits{XLSXFile: 1000},
			wantErr: "the workbook is larger than 1000 bytes"},
		{name: "a workbook over the unzipped cap", in: workbook(t, [][]any{ok}, nil), limits: importer.Limits{XLSXUnzipped: 2000},
			wantErr: "the workbook unpacks to more than 2000 bytes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			recs, err := importer.ReadRecordsWith(bytes.NewReader(tc.in), "xlsx", importer.SourceOptions{Limits: tc.limits})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			ci, errs := importer.ParseCases(recs, nil, shanghai)
			if len(errs) > 0 {
				t.Fatalf("%v", errs)
			}
			if got := ci.Cases[1].ReceivedAt; !got.Equal(tc.wantTime) {
				t.Errorf("received_at %v, want %v", got, tc.wantTime.UTC())
			}
		})
	}
}

// TestDatesAndIdentityNumbers: the dates offices write are read in the
// zone; an identity number is 15 or 18 characters, a wrong check digit
// only warns.
func TestDatesAndIdentityNumbers(t *testing.T) {
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	nine := time.Date(2026, 3, 1, 9, 0, 0, 0, shanghai)
	midnight := time.Date(2026, 3, 1, 0, 0, 0, 0, shanghai)
	cases := []struct {
		receivedAt, idNumber string
		want                 time.Time
		wantErr, wantWarning string
	}{
		{receivedAt: "2026/3/1 9:00", want: nine},
		{receivedAt: "2026-3-1", want: midnight},
		{receivedAt: "2026.03.01", want: midnight},
		{receivedAt: "2026年3月1日", want: midnight},
		{receivedAt: "2026年3月1日 9:00", want: nine},
		{receivedAt: "2026-03-01T09:00:00+08:00", want: nine},
		{receivedAt: "3/1/2026", wantErr: "received_at"},
		{receivedAt: "2026-03-01", idNumber: "11010519491231002X", want: midnight},
		{receivedAt: "2026-03-01", idNumber: "110105491231002", want: midnight},
		{receivedAt: "2026-03-01", idNumber: "4.10102199001011E+17", wantErr: "is 20 characters; an identity number has 18"},
		{receivedAt: "2026-03-01", idNumber: "1101051949123100", wantErr: "is 16 characters"},
		{receivedAt: "2026-03-01", idNumber: "11010519491231002Y", wantErr: "digits only"},
		{receivedAt: "2026-03-01", idNumber: "110105194912310021", want: midnight, wantWarning: "check digit of 110105194912310021 is 1, GB 11643 wants X"},
	}
	for _, tc := range cases {
		t.Run(tc.receivedAt+" "+tc.idNumber, func(t *testing.T) {
			fields := map[string]any{"case_no": "A1", "channel": "visit", "status": "received", "received_at": tc.receivedAt,
				"petitioner_id": "P1"}
			if tc.idNumber != "" {
				fields["petitioner_id_number"] = tc.idNumber
			}
			ci, errs := importer.ParseCases(importer.FromMaps([]map[string]any{fields}), nil, shanghai)
			if tc.wantErr != "" {
				if len(errs) != 1 || !strings.Contains(errs[0].Error(), tc.wantErr) {
					t.Fatalf("errs = %v, want %q", errs, tc.wantErr)
				}
				return
			}
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			if got := ci.Cases[0].ReceivedAt; !got.Equal(tc.want) {
				t.Errorf("received_at %v, want %v", got, tc.want)
			}
			var warned string
			for _, w := range ci.Warnings {
				warned += w.Error()
			}
			if (tc.wantWarning == "") != (warned == "") || !strings.Contains(warned, tc.wantWarning) {
				t.Errorf("warnings %q, want %q", warned, tc.wantWarning)
			}
		})
	}
}

// TestAWorkbookOverTheCapIsRefusedUnread: a file over the cap is refused
// from its size, before a byte of it is read.
func TestAWorkbookOverTheCapIsRefusedUnread(t *testing.T) {
	path := t.TempDir() + "/big.xlsx"
	if err := os.WriteFile(path, workbook(t, nil, nil), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := importer.File(context.Background(), nil, path, importer.Options{Limits: importer.Limits{XLSXFile: 1000}})
	if err == nil || !strings.Contains(err.Error(), path+":1: the workbook is larger than 1000 bytes") {
		t.Errorf("err = %v", err)
	}
}
