package importer_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"duban/clock"
	"duban/importer"
	"duban/models"
	"duban/store"
)

// The fuzz targets feed the import readers and checks arbitrary files.
// Reading and checking never panic and report every problem with its line;
// an import that fails changes nothing in the database. CI runs each
// briefly (.ci/fuzz); the seeds are testdata/ and testdata/fuzz/.

var fuzzFormats = []string{importer.FormatJSONL, importer.FormatJSON, importer.FormatCSV, importer.FormatXLSX}

// xlsxSeed is a workbook of two cases, as a spreadsheet program writes it.
func xlsxSeed(f *testing.F) []byte {
	x := excelize.NewFile()
	rows := [][]any{
		{"case_no", "channel", "status", "received_at", "assigned_unit", "assigned_at", "group_size", "escalated"},
		{"X1", "visit", "assigned", "2026-03-01 09:00", "zjj", "2026-03-02 10:00", 3, "是"},
		{"X2", "letter", "received", "2026-03-03T09:00:00+08:00", "", "", 1, "否"},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		x.SetSheetRow("Sheet1", cell, &r)
	}
	var b bytes.Buffer
	if err := x.Write(&b); err != nil {
		f.Fatal(err)
	}
	return b.Bytes()
}

func addFileSeeds(f *testing.F) {
	for name, format := range map[string]uint8{"cases.csv": 2, "cases.json": 1, "units.csv": 2} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, format)
	}
	f.Add([]byte(`{"case_no":"J1","channel":"visit","status":"closed","received_at":"2026-03-01T09:00:00+08:00","closed_at":"2026-03-09T09:00:00+08:00"}`+"\n"), uint8(0))
	f.Add(xlsxSeed(f), uint8(3))
}

// FuzzReadAndCheck reads any bytes in any format and checks the records as
// cases, units and slots.
func FuzzReadAndCheck(f *testing.F) {
	addFileSeeds(f)
	units := importer.Units{"zjj": true, "rsj": true}
	f.Fuzz(func(t *testing.T, data []byte, format uint8) {
		recs, err := importer.ReadRecords(bytes.NewReader(data), fuzzFormats[int(format)%len(fuzzFormats)])
		if err != nil {
			var re *importer.RowError
			if !errors.As(err, &re) && err.Error() == "" {
				t.Fatalf("an error without a message: %#v", err)
			}
			return
		}
		_, errs := importer.ParseCases(recs, units, time.UTC)
		_, uerrs := importer.ParseUnits(recs, units)
		_, serrs := importer.ParseSlots(recs)
		for _, e := range append(append(errs, uerrs...), serrs...) {
			if e.Line <= 0 || e.Message == "" {
				t.Fatalf("a problem without a line or a message: %+v", e)
			}
		}
	})
}

// fingerprint hashes every row an import can write.
func fingerprint(t *testing.T, s *store.Store) [32]byte {
	h := sha256.New()
	for _, m := range []any{&[]models.Case{}, &[]models.Petitioner{}, &[]models.Unit{}, &[]models.ReceptionSlot{}, &[]models.CaseEvent{}} {
		if err := s.DB.Order("id").Find(m).Error; err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(h, "%+v", m)
	}
	var sum [32]byte
	copy(sum[:], h.Sum(nil))
	return sum
}

// FuzzImportChangesNothingOnError imports any bytes as cases (then units,
// then slots) into one database: an import that fails must leave every row
// as it was.
func FuzzImportChangesNothingOnError(f *testing.F) {
	addFileSeeds(f)
	ctx := context.Background()
	s, err := store.Open(ctx, "sqlite:"+filepath.Join(f.TempDir(), "fuzz.db"), store.Options{Clock: clock.NewFixed(t0)})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close() })
	if _, err := importer.File(ctx, s, "testdata/units.csv", importer.Options{Kind: importer.KindUnits}); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte, format uint8) {
		fm := fuzzFormats[int(format)%len(fuzzFormats)]
		for _, kind := range []string{importer.KindCases, importer.KindUnits, importer.KindSlots} {
			before := fingerprint(t, s)
			if _, err := importer.Reader(ctx, s, bytes.NewReader(data), importer.Options{Kind: kind, Format: fm}); err != nil {
				if fingerprint(t, s) != before {
					t.Fatalf("a %s import failed (%v) and changed the database", kind, err)
				}
			}
		}
	})
}
