package importer_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"duban/clock"
	"duban/importer"
	"duban/models"
	"duban/store"
	"duban/store/storetest"
)

// petitionerOf is the petitioner of case i among m: scattered, as a real
// file's are, so that the petitioner index is written all over.
func petitionerOf(i, m int) string { return fmt.Sprintf("P%06d", (i*7919+13)%m) }

// casesFile writes n valid cases as JSON Lines, and a last line with an
// unknown unit when bad.
func casesFile(t testing.TB, n, petitioners int, units []string, bad bool) string {
	t.Helper()
	var b strings.Builder
	for i := range n {
		day := 1 + (i*37)%28
		fmt.Fprintf(&b, `{"case_no":"B%06d","petitioner_id":"%s","petitioner_name":"信访人","channel":"online","category":"劳资",`+
			`"status":"assigned","received_at":"2026-03-%02dT09:00:00+08:00","accepted_at":"2026-03-%02dT10:00:00+08:00",`+
			`"assigned_unit":"%s","assigned_at":"2026-03-%02dT11:00:00+08:00","due_at":"2026-05-01T23:59:59+08:00"}`+"\n",
			i, petitionerOf(i, petitioners), day, day, units[(i*7907+5)%len(units)], day)
	}
	if bad {
		b.WriteString(`{"case_no":"BAD","channel":"online","status":"assigned","received_at":"2026-03-01T09:00:00+08:00","assigned_unit":"nosuchunit","assigned_at":"2026-03-02T10:00:00+08:00"}` + "\n")
	}
	path := filepath.Join(t.TempDir(), "cases.jsonl")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// testUnits are the units of testdata/units.csv.
var testUnits = []string{"zjj", "rsj", "xzf"}

// caseIndexes lists the cases table's index definitions on SQLite (nil on
// MySQL, where imports keep their indexes).
func caseIndexes(t *testing.T, s *store.Store) []string {
	t.Helper()
	if s.Dialect != store.SQLite {
		return nil
	}
	var defs []string
	if err := s.DB.Raw("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'cases' AND sql IS NOT NULL ORDER BY name").
		Scan(&defs).Error; err != nil {
		t.Fatal(err)
	}
	return defs
}

// A first load larger than the table writes without the secondary indexes
// and builds them again: what a user sees is the same import, all or
// nothing, with every index in place afterwards.
func TestALargeFirstLoadBuildsTheIndexesAgain(t *testing.T) {
	storetest.Each(t, t0, func(t *testing.T, s *store.Store, clk *clock.Fixed) {
		ctx := context.Background()
		if _, err := importer.File(ctx, s, "testdata/units.csv", importer.Options{Kind: importer.KindUnits}); err != nil {
			t.Fatal(err)
		}
		before := caseIndexes(t, s)
		if s.Dialect == store.SQLite && len(before) < 4 {
			t.Fatalf("the cases table has %d indexes: %v", len(before), before)
		}
		const n = 25000 // past the point where the writer drops the indexes

		_, err := importer.File(ctx, s, casesFile(t, n, 7000, testUnits, true), importer.Options{})
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf(":%d:", n+1)) || !strings.Contains(err.Error(), "nosuchunit") {
			t.Fatalf("a bad last row: %v", err)
		}
		if got := count(s, &models.Case{}); got != 0 {
			t.Fatalf("a failed import left %d cases", got)
		}
		if got := caseIndexes(t, s); strings.Join(got, ";") != strings.Join(before, ";") {
			t.Fatalf("a failed import changed the indexes:\nbefore %v\nafter  %v", before, got)
		}

		res, err := importer.File(ctx, s, casesFile(t, n, 7000, testUnits, false), importer.Options{})
		if err != nil || res.Created != n {
			t.Fatalf("import: %+v %v", res, err)
		}
		if got := caseIndexes(t, s); strings.Join(got, ";") != strings.Join(before, ";") {
			t.Fatalf("the indexes after a large import:\nbefore %v\nafter  %v", before, got)
		}
		if s.Dialect == store.SQLite {
			var check string
			s.DB.Raw("PRAGMA integrity_check").Scan(&check)
			if check != "ok" {
				t.Fatalf("integrity_check: %s", check)
			}
			// The rebuilt petitioner index answers the petitioner rules' query.
			var plan []struct{ Detail string }
			s.DB.Raw("EXPLAIN QUERY PLAN SELECT case_no FROM cases WHERE petitioner_key = 'P000042' AND received_at >= '2026-01-01'").Scan(&plan)
			if len(plan) == 0 || !strings.Contains(plan[0].Detail, "idx_case_petitioner") {
				t.Errorf("plan: %+v", plan)
			}
		}
		var perPetitioner, want int64
		s.DB.Model(&models.Case{}).Where("petitioner_key = ?", "P000042").Count(&perPetitioner)
		for i := range n {
			if petitionerOf(i, 7000) == "P000042" {
				want++
			}
		}
		if want == 0 || perPetitioner != want {
			t.Errorf("petitioner P000042 has %d cases, want %d", perPetitioner, want)
		}
		// Importing the file again finds every case as stored; the indexes stay.
		res, err = importer.File(ctx, s, casesFile(t, n, 7000, testUnits, false), importer.Options{})
		if err != nil || res.Unchanged != n || res.Updated != 0 || res.Created != 0 {
			t.Fatalf("import again: %+v %v", res, err)
		}
		if got := caseIndexes(t, s); strings.Join(got, ";") != strings.Join(before, ";") {
			t.Fatalf("the indexes after an update: %v", got)
		}
	})
}

// BenchmarkFirstLoad imports 200,000 cases of 66,667 petitioners and 500
// units into an empty SQLite database, as a province's first load of its
// history does:
//
//	go test ./importer -run '^$' -bench FirstLoad -benchtime 3x
func BenchmarkFirstLoad(b *testing.B) {
	const n = 200000
	units := make([]string, 500)
	csv := "code,name,parent\n"
	for i := range units {
		units[i] = fmt.Sprintf("U%03d", i)
		csv += units[i] + ",单位" + units[i] + ",\n"
	}
	unitsPath := filepath.Join(b.TempDir(), "units.csv")
	if err := os.WriteFile(unitsPath, []byte(csv), 0o644); err != nil {
		b.Fatal(err)
	}
	path := casesFile(b, n, n/3, units, false)
	ctx := context.Background()
	var total time.Duration
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		s, err := store.Open(ctx, fmt.Sprintf("sqlite:%s/load%d.db", b.TempDir(), i), store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := importer.File(ctx, s, unitsPath, importer.Options{Kind: importer.KindUnits}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		res, err := importer.File(ctx, s, path, importer.Options{})
		total += time.Since(start)
		if err != nil || res.Created != n {
			b.Fatalf("%+v %v", res, err)
		}
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(n*b.N)/total.Seconds(), "cases/s")
}
