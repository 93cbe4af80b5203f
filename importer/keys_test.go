package importer_test

import (
	"context"
	"strings"
	"testing"

	"duban/clock"
	"duban/importer"
	"duban/models"
	"duban/store"
	"duban/store/storetest"
)

// Hostile keys are refused at their row and field, and nothing of the file
// is imported; look-alikes (full-width, padded) are normalised, so they are
// the same case, petitioner and unit as the plain key.
func TestHostileKeysAreRefusedOrNormalised(t *testing.T) {
	storetest.Each(t, t0, func(t *testing.T, s *store.Store, clk *clock.Fixed) {
		ctx := context.Background()
		if _, err := importer.File(ctx, s, "testdata/units.csv", importer.Options{Kind: importer.KindUnits}); err != nil {
			t.Fatal(err)
		}
		if _, err := importer.File(ctx, s, "testdata/cases.csv", importer.Options{}); err != nil {
			t.Fatal(err)
		}
		const rest = `"channel":"visit","status":"received","received_at":"2026-03-05T09:00:00+08:00"`
		for _, tc := range []struct {
			name, field, value, want string
		}{
			{"slash", "case_no", `A/B`, `'/' at character 2`},
			{"question mark", "case_no", `A?x=1`, `'?'`},
			{"hash", "case_no", `A#top`, `'#'`},
			{"percent-encoded", "case_no", `%41`, `'%' at character 1`},
			{"dot", "case_no", `.`, `'.'`},
			{"dot dot", "case_no", `..`, `'.'`},
			{"zero-width space inside", "case_no", `XF\u200b1`, `U+200B`},
			{"BOM inside", "case_no", `XF\ufeff1`, `U+FEFF`},
			{"RTL override", "case_no", `\u202e1FX`, `U+202E`},
			{"NUL", "case_no", `XF\u00001`, `U+0000`},
			{"newline", "case_no", `XF\n1`, `U+000A`},
			{"space inside", "case_no", `XF 1`, `U+0020`},
			{"Cyrillic look-alike", "case_no", `ХF1`, `U+0425`},
			{"petitioner id with a slash", "petitioner_id", `P/1`, `'/'`},
			{"petitioner id with a zero-width space inside", "petitioner_id", `P\u200b1`, `U+200B`},
			{"petitioner id with an RTL override", "petitioner_id", `P1\u202e`, `U+202E`},
			{"unit code with a dot", "assigned_unit", `zjj.`, `'.'`},
		} {
			t.Run(tc.name, func(t *testing.T) {
				row := `{"case_no":"K1",` + rest + `}`
				if tc.field != "case_no" {
					row = `{"case_no":"K1","` + tc.field + `":"` + tc.value + `",` + rest + `}`
					if tc.field == "assigned_unit" {
						row = strings.Replace(row, `"status":"received"`, `"status":"assigned","assigned_at":"2026-03-05T10:00:00+08:00"`, 1)
					}
				} else {
					row = `{"case_no":"` + tc.value + `",` + rest + `}`
				}
				body := `{"case_no":"K0",` + rest + "}\n" + row + "\n"
				_, err := importer.Reader(ctx, s, strings.NewReader(body), importer.Options{Format: importer.FormatJSONL})
				re, ok := err.(*importer.RowErrors)
				if !ok {
					t.Fatalf("%s %s: error %T %v, want *RowErrors", tc.field, tc.value, err, err)
				}
				if msg := re.Error(); !strings.Contains(msg, "2: "+tc.field+": ") || !strings.Contains(msg, tc.want) {
					t.Errorf("%s %s: errors do not say line 2, %s and %q:\n%s", tc.field, tc.value, tc.field, tc.want, msg)
				}
				if n := count(s, &models.Case{}); n != 2 {
					t.Errorf("%d cases after a refused file, want the 2 imported before", n)
				}
			})
		}

		// Full-width and padded keys are the plain ones: XF1 (petitioner P1,
		// unit zjj) is updated, not duplicated.
		res, err := importer.File(ctx, s, "testdata/cases_lookalike.csv", importer.Options{})
		if err != nil || res.Created != 0 || res.Updated != 1 {
			t.Fatalf("cases_lookalike.csv: %+v %v; want XF1 updated", res, err)
		}
		if n := count(s, &models.Case{}); n != 2 {
			t.Errorf("%d cases, want 2", n)
		}
		if n := count(s, &models.Petitioner{}); n != 2 {
			t.Errorf("%d petitioners, want P1 and P2", n)
		}
		var c models.Case
		if err := s.DB.Where("case_no = ?", "XF1").Take(&c).Error; err != nil {
			t.Fatal(err)
		}
		if c.PetitionerKey != "P1" || c.AssignedUnit != "zjj" || c.Category != "房屋质量" {
			t.Errorf("XF1 after the look-alike row: petitioner %q, unit %q, category %q", c.PetitionerKey, c.AssignedUnit, c.Category)
		}
	})
}

// A unit file's codes and parents are keys too.
func TestHostileUnitCodesAreRefused(t *testing.T) {
	storetest.Each(t, t0, func(t *testing.T, s *store.Store, clk *clock.Fixed) {
		body := "code,name,parent\nxzf,县政府,\n../zjj,住建局,xzf\nrsj,人社局,xzf\u202e\n"
		_, err := importer.Reader(context.Background(), s, strings.NewReader(body), importer.Options{Kind: importer.KindUnits, Format: "csv"})
		if err == nil {
			t.Fatal("accepted")
		}
		for _, want := range []string{"3: code: U+002E '.' at character 1", "4: parent: U+202E"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("errors do not say %q:\n%v", want, err)
			}
		}
	})
}

// A reception slot's leader is half of its key (date/leader): padded and
// full-width names are the same leader, a '/' or a hidden character is
// refused.
func TestSlotLeadersAreKeys(t *testing.T) {
	storetest.Each(t, t0, func(t *testing.T, s *store.Store, clk *clock.Fixed) {
		ctx := context.Background()
		body := "date,leader,location\n2026-03-10,王建国/副县长,接访室\n2026-03-11,王\u200b建国,接访室\n"
		_, err := importer.Reader(ctx, s, strings.NewReader(body), importer.Options{Kind: importer.KindSlots, Format: "csv"})
		for _, want := range []string{"2: leader: U+002F '/'", "3: leader: U+200B"} {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("errors do not say %q: %v", want, err)
			}
		}
		body = "date,leader,location\n2026-03-10,王建国,接访室\n2026-03-10,\u3000王建国\u200b,接访室\n"
		_, err = importer.Reader(ctx, s, strings.NewReader(body), importer.Options{Kind: importer.KindSlots, Format: "csv"})
		if err == nil || !strings.Contains(err.Error(), "3: date: 2026-03-10/王建国 appears again (first on line 2)") {
			t.Errorf("a padded leader is not the same slot: %v", err)
		}
	})
}
