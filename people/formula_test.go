package people_test

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"duban/clock"
	"duban/models"
	"duban/store"
	"duban/store/storetest"
)

// formulaValues reads the dangerous and harmless cells of
// export/testdata/formula-cells.txt.
func formulaValues(t *testing.T) (dangerous, harmless []string) {
	t.Helper()
	f, err := os.Open("../export/testdata/formula-cells.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		kind, v, ok := strings.Cut(sc.Text(), "\t")
		if !ok || strings.HasPrefix(kind, "#") {
			continue
		}
		v = strings.NewReplacer(`\t`, "\t", `\r`, "\r").Replace(v)
		if kind == "dangerous" {
			dangerous = append(dangerous, v)
		} else if v != "" {
			harmless = append(harmless, v)
		}
	}
	return dangerous, harmless
}

// csvLedger fetches a CSV export as the supervisor and reads it back as a
// spreadsheet would: the header row and each row by column name.
func csvLedger(t *testing.T, e *env, path string) []map[string]string {
	t.Helper()
	status, b := e.api(models.RoleSupervisor, "GET", path, nil)
	if status != 200 {
		t.Fatalf("%s: %d %s", path, status, b)
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(b), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatalf("%s is not CSV: %v", path, err)
	}
	var out []map[string]string
	for _, r := range recs[1:] {
		row := map[string]string{}
		for i, h := range recs[0] {
			row[h] = r[i]
		}
		out = append(out, row)
	}
	return out
}

// TestCSVExportsNeutraliseFormulas puts formula-looking values (and
// harmless ones) into every column a person controls — a notice's title and
// subject, an ack comment, a review reason — and checks, in both CSV
// exports parsed back, that each dangerous cell begins with an apostrophe
// followed by the value as stored, and each harmless one is as stored.
func TestCSVExportsNeutraliseFormulas(t *testing.T) {
	storetest.Each(t, demoNow, func(t *testing.T, s *store.Store, clk *clock.Fixed) {
		e := newEnv(t, s, clk, 1000)
		dangerous, harmless := formulaValues(t)
		values := append(append([]string{}, dangerous...), harmless...)
		isDangerous := func(i int) bool { return i < len(dangerous) }
		var open []models.Notice
		if err := s.DB.Where("status = ?", models.NoticeOpen).Order("id").Limit(len(values)).Find(&open).Error; err != nil || len(open) < len(values) {
			t.Fatalf("want %d open notices, have %d (%v)", len(values), len(open), err)
		}
		noticeOf := map[string]int{} // notice id → value index
		for i, v := range values {
			if err := s.DB.Model(&models.Notice{}).Where("id = ?", open[i].ID).Updates(map[string]any{"title": v, "subject_key": v}).Error; err != nil {
				t.Fatal(err)
			}
			if status, b := e.api(models.RoleSupervisor, "POST", fmt.Sprintf("/api/v1/notices/%d/ack", open[i].ID), map[string]string{"comment": v}); status != 200 {
				t.Fatalf("ack %d: %d %s", open[i].ID, status, b)
			}
			if status, b := e.api(models.RoleInspector, "POST", fmt.Sprintf("/api/v1/accountability/%d/reviews", e.own.RecordSeq),
				map[string]string{"decision": "confirm", "reason": v}); status != 201 && status != 200 {
				t.Fatalf("review: %d %s", status, b)
			}
			noticeOf[strconv.FormatUint(open[i].ID, 10)] = i
		}
		want := func(i int, stored string) string {
			if isDangerous(i) {
				return "'" + stored
			}
			return stored
		}
		checked := 0
		for _, row := range csvLedger(t, e, "/api/v1/notices/export?format=csv&status=acknowledged") {
			i, ok := noticeOf[row["编号"]]
			if !ok {
				continue
			}
			v := values[i]
			for col, stored := range map[string]string{"标题": v, "督办对象": v, "签收意见": strings.TrimSpace(v)} {
				checked++
				if stored == "" {
					continue
				}
				if got := row[col]; got != want(i, stored) {
					t.Errorf("notice ledger, notice %s, %s: %q, want %q", row["编号"], col, got, want(i, stored))
				}
			}
			delete(noticeOf, row["编号"])
		}
		if len(noticeOf) > 0 {
			t.Errorf("the notice ledger lacks the notices %v", noticeOf)
		}
		reasons := map[string]int{}
		for i, v := range values {
			if s := strings.TrimSpace(v); s != "" {
				reasons[want(i, s)]++
			}
		}
		for _, row := range csvLedger(t, e, "/api/v1/accountability/export?format=csv&case="+e.own.CaseNo) {
			if row["类型"] != "审查" || row["所审记录序号"] != strconv.FormatInt(e.own.RecordSeq, 10) {
				continue
			}
			checked++
			if reasons[row["审查意见"]] == 0 {
				t.Errorf("accountability log, review %s: 审查意见 %q is none of the neutralised reasons", row["序号"], row["审查意见"])
			}
			reasons[row["审查意见"]]--
		}
		for r, n := range reasons {
			if n > 0 {
				t.Errorf("accountability log: the review reason %q is missing", r)
			}
		}
		t.Logf("%d cells checked (%d dangerous values, %d harmless)", checked, len(dangerous), len(harmless))
	})
}
