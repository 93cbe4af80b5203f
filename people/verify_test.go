package people_test

import (
	"context"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"duban/models"
	"duban/store"
)

var chainStatus = regexp.MustCompile(`(?s)id="chain-status">(.*?)</div>`)

// TestUnitUsersDoNotLearnOtherUnitsCounts checks the chain's verification,
// API and page, as each role sees it. A unit user learns whether the chain
// verifies and how many entries its own units have: no total, no head, no
// place of a failure; and its answer does not move when another unit gets
// an entry. The others see the whole report.
func TestUnitUsersDoNotLearnOtherUnitsCounts(t *testing.T) {
	e := sqliteEnv(t)
	ctx := context.Background()
	units, err := e.s.ListUnits(ctx)
	if err != nil {
		t.Fatal(err)
	}
	count := func(us []string) int64 {
		var n int64
		q := e.s.DB.Model(&models.AccountabilityRecord{})
		if us != nil {
			q = q.Where("unit_code IN ?", us)
		}
		if err := q.Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	own := count(store.UnitAndBelow(units, e.own.Unit))
	if total := count(nil); own == 0 || own == total {
		t.Fatalf("the test needs entries in the unit and outside it: %d of %d", own, total)
	}
	verify := func(role string) (map[string]json.RawMessage, []byte) {
		status, b := e.api(role, "GET", "/api/v1/accountability/verify", nil)
		if status != 200 {
			t.Fatalf("verify as %s: %d %s", role, status, b)
		}
		var m map[string]json.RawMessage
		mustJSON(t, b, &m)
		return m, b
	}
	keys := func(m map[string]json.RawMessage) string {
		var out []string
		for _, k := range []string{"ok", "scope", "records", "head_seq", "head_hash", "first_problem", "problem"} {
			if _, ok := m[k]; ok {
				out = append(out, k)
			}
		}
		return strings.Join(out, ",")
	}
	unitPage := e.signIn(models.RoleUnit)
	pageStatus := func(b *browser) string {
		_, page := b.get("/accountability")
		m := chainStatus.FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("the accountability page has no chain status:\n%s", page)
		}
		return m[1]
	}

	m, unitAnswer := verify(models.RoleUnit)
	if got := keys(m); got != "ok,scope,records" || string(m["ok"]) != "true" || string(m["scope"]) != `"units"` ||
		string(m["records"]) != strconv.FormatInt(own, 10) {
		t.Errorf("a unit user's verify: %s; want ok, scope units and its %d entries only", unitAnswer, own)
	}
	wantPage := "哈希链校验通过：本单位（含下级单位）共 " + strconv.FormatInt(own, 10) + " 条记录。任何修改、删除、插入或调序都会在此报出。"
	if got := pageStatus(unitPage); got != wantPage {
		t.Errorf("a unit user's page says %q, want %q", got, wantPage)
	}
	for _, role := range []string{models.RoleAdmin, models.RoleSupervisor, models.RoleInspector} {
		m, b := verify(role)
		if got := keys(m); got != "ok,scope,records,head_seq,head_hash" || string(m["records"]) != strconv.FormatInt(count(nil), 10) {
			t.Errorf("verify as %s: %s; want the whole report (%d entries)", role, b, count(nil))
		}
	}

	// Another unit gets an entry: the unit user's answer does not move.
	seq := strconv.FormatInt(e.foreign.RecordSeq, 10)
	if status, b := e.api(models.RoleInspector, "POST", "/api/v1/accountability/"+seq+"/reviews",
		map[string]string{"decision": "confirm", "reason": "超期属实"}); status != 201 {
		t.Fatalf("review: %d %s", status, b)
	}
	if _, b := verify(models.RoleUnit); string(b) != string(unitAnswer) {
		t.Errorf("another unit's new entry shows in a unit user's verify: %s → %s", unitAnswer, b)
	}
	if got := pageStatus(unitPage); got != wantPage {
		t.Errorf("another unit's new entry shows on a unit user's page: %q", got)
	}

	// Another unit's record is edited: the unit user learns that the chain
	// fails, not where.
	if _, err := e.s.SQL.ExecContext(ctx, "UPDATE accountability_records SET reason = 'edited' WHERE seq = ?", e.foreign.RecordSeq); err != nil {
		t.Fatal(err)
	}
	m, b := verify(models.RoleUnit)
	if got := keys(m); got != "ok,scope,records,problem" || string(m["ok"]) != "false" || strings.Contains(string(m["problem"]), seq) {
		t.Errorf("a unit user's verify of a broken chain: %s; want ok false and a problem that names no record", b)
	}
	if got := pageStatus(unitPage); !strings.Contains(got, "哈希链校验失败") || strings.Contains(got, seq) {
		t.Errorf("a unit user's page of a broken chain: %q", got)
	}
	var rep store.ChainReport
	_, b = e.api(models.RoleInspector, "GET", "/api/v1/accountability/verify", nil)
	mustJSON(t, b, &rep)
	if rep.OK || rep.First == nil || rep.First.Seq != e.foreign.RecordSeq {
		t.Errorf("an inspector's verify of the broken chain: %s", b)
	}
}
