package people_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"duban/auth"
	"duban/clock"
	"duban/demo"
	"duban/engine"
	"duban/models"
	"duban/people"
	"duban/rules"
	"duban/store"
	"duban/store/storetest"
)

// BenchmarkNoticeLists measures how fast the notice lists answer with
// 1,000,000 notices in the table: the store's keyset queries for the
// filters people use, the board's counts, and whole pages and API answers
// through the handler. Each sub-benchmark reports p50 and p99 latency.
//
//	go test ./people -run '^$' -bench NoticeLists -benchtime 200x            # SQLite
//	DUBAN_BENCH_DB=mariadb go test ./people -run '^$' -bench NoticeLists -benchtime 200x
//	DUBAN_BENCH_DB=keep DUBAN_BENCH_DSN='mysql://root@tcp(127.0.0.1:3306)/duban_bench' go test ...   # reuse a filled database
//
// The SQLite database is kept in bench-out/ and reused by later runs.
func BenchmarkNoticeLists(b *testing.B) {
	const total = 1_000_000
	ctx := context.Background()
	rs, err := rules.Load(rules.Defaults(), rules.Options{Now: demoNow})
	if err != nil {
		b.Fatal(err)
	}
	clk := clock.NewFixed(demoNow)
	var dsn string
	switch os.Getenv("DUBAN_BENCH_DB") {
	case "keep":
		dsn = os.Getenv("DUBAN_BENCH_DSN") // a database kept between runs, e.g. mysql://root@tcp(127.0.0.1:3306)/duban_bench
	case "", "sqlite":
		dir := filepath.Join("..", "bench-out")
		os.MkdirAll(dir, 0o755)
		dsn = "sqlite:" + filepath.Join(dir, "notices-1m.db")
	case "mariadb", "mysql":
		dsn = storetest.MySQL.NewDSN(b)
	default:
		b.Fatalf("DUBAN_BENCH_DB=%s: want sqlite or mariadb", os.Getenv("DUBAN_BENCH_DB"))
	}
	s, err := store.Open(ctx, dsn, store.Options{Clock: clk})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	var have int64
	s.DB.Model(&models.Notice{}).Count(&have)
	if have < total {
		started := time.Now()
		if err := s.Reset(ctx); err != nil {
			b.Fatal(err)
		}
		county := demo.Generate(rs.Calendar, demo.Options{Seed: 1, Now: demoNow})
		if err := demo.Load(ctx, s, county, 1); err != nil {
			b.Fatal(err)
		}
		if _, err := engine.New(s, nil).Tick(ctx, rs, demoNow, engine.TickOptions{}); err != nil {
			b.Fatal(err)
		}
		if err := fillNotices(ctx, s, total, county); err != nil {
			b.Fatal(err)
		}
		b.Logf("filled %d notices in %s (%s)", total, time.Since(started).Round(time.Second), s.DSN)
	}
	s.DB.Model(&models.Notice{}).Count(&have)

	// A unit user for the busiest unit, and the admin's and supervisor's tokens.
	tokens := map[string]string{}
	for _, u := range []auth.UserSpec{{Username: "bench-sup", Role: models.RoleSupervisor, NoPassword: true},
		{Username: "bench-unit", Role: models.RoleUnit, Unit: "zjj", NoPassword: true}} {
		if _, err := s.UserByName(ctx, u.Username); err != nil {
			if _, _, err := auth.AddUser(ctx, s, u); err != nil {
				b.Fatal(err)
			}
		}
		tok, _, err := auth.CreateToken(ctx, s, u.Username, "bench", time.Time{})
		if err != nil {
			b.Fatal(err)
		}
		tokens[u.Username] = tok
	}
	h, err := people.New(people.Deps{Store: s, Rules: rules.Static{Set: rs}, Clock: clk, Location: shanghai})
	if err != nil {
		b.Fatal(err)
	}
	var mid uint64
	if err := s.SQL.QueryRowContext(ctx, "SELECT MAX(id) FROM notices").Scan(&mid); err != nil {
		b.Fatal(err)
	}
	mid /= 2
	month := demoNow.AddDate(0, -1, 0)

	queries := []struct {
		name string
		f    store.NoticeFilter
	}{
		{"store/open", store.NoticeFilter{Status: models.NoticeOpen, Limit: 51}},
		{"store/open+unit", store.NoticeFilter{Status: models.NoticeOpen, Units: []string{"zjj"}, Limit: 51}},
		{"store/open+unitscope3", store.NoticeFilter{Status: models.NoticeOpen, Units: []string{"cgz", "cgz-dj", "cgz-xj"}, Limit: 51}},
		{"store/open+level", store.NoticeFilter{Status: models.NoticeOpen, Level: "督办", Limit: 51}},
		{"store/open+rule", store.NoticeFilter{Status: models.NoticeOpen, Rule: "deadline.breach", Limit: 51}},
		{"store/open+level+rule", store.NoticeFilter{Status: models.NoticeOpen, Level: "督办", Rule: "deadline.breach", Limit: 51}},
		{"store/unit-all", store.NoticeFilter{Units: []string{"zjj"}, Limit: 51}},
		{"store/unit+lastmonth", store.NoticeFilter{Units: []string{"zjj"}, Since: month, Limit: 51}},
		{"store/deep-page", store.NoticeFilter{Status: models.NoticeOpen, Before: mid, Limit: 51}},
		{"store/case", store.NoticeFilter{CaseNo: "XF202600100", Limit: 51}},
	}
	for _, q := range queries {
		b.Run(q.name, func(b *testing.B) {
			measure(b, func() error { _, err := s.ListNotices(ctx, q.f); return err })
		})
	}
	b.Run("store/board-counts-open", func(b *testing.B) {
		measure(b, func() error {
			_, err := s.CountNotices(ctx, store.NoticeFilter{Status: models.NoticeOpen})
			return err
		})
	})
	b.Run("store/board-counts-open+level+rule", func(b *testing.B) {
		measure(b, func() error {
			_, err := s.CountNotices(ctx, store.NoticeFilter{Status: models.NoticeOpen, Level: "督办", Rule: "deadline.breach"})
			return err
		})
	})
	b.Run("store/board-counts-open+unit", func(b *testing.B) {
		measure(b, func() error {
			_, err := s.CountNotices(ctx, store.NoticeFilter{Status: models.NoticeOpen, Units: []string{"zjj"}})
			return err
		})
	})
	for _, p := range []struct{ name, user, path string }{
		{"http/api-open", "bench-sup", "/api/v1/notices?status=open"},
		{"http/api-unit-user", "bench-unit", "/api/v1/notices?status=open"},
		{"http/board-supervisor", "bench-sup", "/"},
		{"http/board-unit-user", "bench-unit", "/"},
		{"http/board-level+rule", "bench-sup", "/?level=%E7%9D%A3%E5%8A%9E&rule=deadline.breach"},
		{"http/board-next-page", "bench-sup", fmt.Sprintf("/?status=open&before=%d", mid)},
		{"http/scorecard-6-months", "bench-sup", "/scorecard?month=2026-02"},
	} {
		b.Run(p.name, func(b *testing.B) {
			measure(b, func() error {
				req := httptest.NewRequest("GET", p.path, nil)
				req.Header.Set("Authorization", "Bearer "+tokens[p.user])
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					return fmt.Errorf("%s: %d %.200s", p.path, rec.Code, rec.Body.String())
				}
				return nil
			})
		})
	}
	b.Logf("%d notices in %s", have, s.DSN)
}

// measure runs fn b.N times and reports the latency's p50 and p99.
func measure(b *testing.B, fn func() error) {
	b.Helper()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if err := fn(); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

// fillNotices inserts n notices with raw multi-row INSERTs, spread over
// the county's units, levels, rules and two years, newest last, with the
// status mix of a running installation: most resolved, some open, some
// acknowledged.
func fillNotices(ctx context.Context, s *store.Store, n int, county *demo.County) error {
	rnd := rand.New(rand.NewPCG(1, 2))
	var units []string
	for _, u := range county.Units {
		units = append(units, u.Code)
	}
	ruleIDs := []string{"deadline.breach", "deadline.warning", "acceptance.overdue", "handoff.next_day", "return_visit.missing",
		"abnormal.repeat", "roster.gap"}
	start := demoNow.AddDate(-2, 0, 0).UTC()
	span := demoNow.UTC().Sub(start)
	const cols = "(episode_id, dedup_key, rule_id, subject_kind, subject_key, case_no, level, title, body, unit_code, recipients, status, raised_at, last_sent_at, send_count, evidence)"
	const batch = 500
	row := "(" + strings.TrimSuffix(strings.Repeat("?,", 16), ",") + ")"
	stmtRows := strings.TrimSuffix(strings.Repeat(row+",", batch), ",")
	tx, err := s.SQL.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	stmt, err := tx.PrepareContext(ctx, "INSERT INTO notices "+cols+" VALUES "+stmtRows)
	if err != nil {
		return err
	}
	args := make([]any, 0, 16*batch)
	for i := 0; i < n; i++ {
		at := start.Add(time.Duration(float64(span) * float64(i) / float64(n))).Truncate(time.Millisecond)
		unit := units[rnd.IntN(len(units))]
		status := models.NoticeResolved
		switch r := rnd.IntN(100); {
		case r < 8:
			status = models.NoticeOpen
		case r < 16:
			status = models.NoticeAcknowledged
		}
		caseNo := fmt.Sprintf("B%07d", rnd.IntN(300000))
		rule := ruleIDs[rnd.IntN(len(ruleIDs))]
		level := models.NoticeLevels[rnd.IntN(3)]
		args = append(args, 50_000_000+i, fmt.Sprintf("bench/%d", i), rule, "case", caseNo, caseNo, level,
			caseNo+" 已超期", "信访件 "+caseNo+" 已超过办理期限，请抓紧办结。", unit, `["`+unit+`","督查组"]`, status, at, at, 1,
			`{"rule":"`+rule+`","subject":"`+caseNo+`","when":"Case.Open","now":"","result":true,"values":[]}`)
		if len(args) == cap(args) {
			if _, err := stmt.ExecContext(ctx, args...); err != nil {
				return err
			}
			args = args[:0]
			if (i+1)%50_000 == 0 { // commit in slices, so a failure costs little and the WAL stays small
				stmt.Close()
				if err := tx.Commit(); err != nil {
					return err
				}
				if tx, err = s.SQL.BeginTx(ctx, nil); err != nil {
					return err
				}
				if stmt, err = tx.PrepareContext(ctx, "INSERT INTO notices "+cols+" VALUES "+stmtRows); err != nil {
					return err
				}
			}
		}
	}
	stmt.Close()
	if len(args) > 0 {
		return fmt.Errorf("fill: %d notices left over; make n a multiple of %d", len(args)/16, batch)
	}
	return tx.Commit()
}
