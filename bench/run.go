package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"syscall"
	"time"

	"duban/engine"
	"duban/models"
	"duban/rules"
	"duban/store"
)

// Options configure a benchmark run.
type Options struct {
	DSN     string
	Size    Size
	Now     time.Time
	Binary  string // the duban binary, for ticks and imports in their own processes
	WorkDir string // for the import file
	Notices int    // notices to list from (1,000,000 in the full run)
	Log     func(format string, args ...any)
}

// Run builds the province and measures everything, in an order that lets
// one database serve every phase.
func Run(ctx context.Context, rs *rules.RuleSet, o Options) (*Report, error) {
	rep := &Report{Database: o.DSN, Size: o.Size, Now: o.Now}
	s, err := store.Open(ctx, o.DSN, store.Options{})
	if err != nil {
		return nil, err
	}
	defer s.Close()
	rep.Database = s.DSN
	counts, err := s.Counts(ctx)
	if err != nil {
		return nil, err
	}
	if counts["cases"] > 0 {
		return nil, fmt.Errorf("%s is not empty (%d cases): the benchmark builds its own province in an empty database", s.DSN, counts["cases"])
	}
	o.Log("generating %s", o.Size)
	start := time.Now()
	if err := Generate(ctx, s, rs.Calendar, o.Size, o.Now); err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	rep.GenerateS = time.Since(start).Seconds()

	o.Log("floor: plain scan")
	fl, err := Floor(ctx, s, rs, o.Now)
	if err != nil {
		return nil, fmt.Errorf("floor: %w", err)
	}
	rep.Floor = FloorFigures{Rows: fl.Rows, Seconds: fl.Duration.Seconds()}

	o.Log("peer: hand-written SQL")
	pr, err := Peer(ctx, s, rs.Calendar, o.Now)
	if err != nil {
		return nil, fmt.Errorf("peer: %w", err)
	}
	rep.Peer = PeerFigures{Seconds: pr.Duration.Seconds(), PerRule: pr.PerRule}

	o.Log("full tick")
	if rep.FullTick, err = childTick(ctx, o, o.Now, false); err != nil {
		return nil, err
	}
	o.Log("full re-evaluation: every subject again, ten minutes later")
	if rep.Reeval, err = childTick(ctx, o, o.Now.Add(10*time.Minute), true); err != nil {
		return nil, err
	}

	changed, err := changeCases(ctx, s, o.Size.Cases/1000, o.Now.Add(30*time.Minute))
	if err != nil {
		return nil, fmt.Errorf("changing cases: %w", err)
	}
	o.Log("steady tick: +1h, %d cases changed", changed)
	if rep.Steady, err = childTick(ctx, o, o.Now.Add(time.Hour), false); err != nil {
		return nil, err
	}
	rep.Steady.Changed = changed

	o.Log("next-day tick")
	if rep.NextDay, err = childTick(ctx, o, o.Now.Add(24*time.Hour), false); err != nil {
		return nil, err
	}

	n := min(200_000, max(10_000, o.Size.Cases/15))
	o.Log("import of %d cases", n)
	if rep.Import, err = importRun(ctx, s, o, n); err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}

	o.Log("notice list at %d notices", o.Notices)
	if rep.NoticeList, err = listLatency(ctx, s, o.Notices, o.Now); err != nil {
		return nil, fmt.Errorf("notice list: %w", err)
	}
	return rep, nil
}

// childTick runs `duban bench tick` in its own process, so that its peak
// memory is its own.
func childTick(ctx context.Context, o Options, now time.Time, full bool) (TickFigures, error) {
	args := []string{"bench", "tick", "--db", o.DSN, "--now", now.Format(time.RFC3339)}
	if full {
		args = append(args, "--full")
	}
	cmd := exec.CommandContext(ctx, o.Binary, args...)
	cmd.Stderr = os.Stderr
	start := time.Now()
	out, err := cmd.Output()
	if err != nil {
		return TickFigures{}, fmt.Errorf("tick at %s: %w", now.Format(time.RFC3339), err)
	}
	var tf TickFigures
	if err := json.Unmarshal(out, &tf); err != nil {
		return tf, fmt.Errorf("tick output %q: %w", out, err)
	}
	tf.Seconds = time.Since(start).Seconds()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		tf.PeakRSSMB = float64(ru.Maxrss) / 1024
		tf.CPUSeconds = time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
	}
	return tf, nil
}

// Tick runs one tick and sums it up (what `duban bench tick` prints).
func Tick(ctx context.Context, s *store.Store, rs *rules.RuleSet, now time.Time, full bool) (TickFigures, error) {
	var tf TickFigures
	rep, err := engine.New(s, nil).Tick(ctx, rs, now, engine.TickOptions{Full: full, OnOutcome: func(o engine.Outcome) {
		if o.Action != engine.ActionResolved {
			tf.Outcomes++
		}
	}})
	if err != nil {
		return tf, err
	}
	tf.Holds = map[string]int{}
	perKind := map[string]int{}
	for _, r := range rep.Runs {
		tf.Holds[r.RuleID] = r.Fired
		kind := rs.Rule(r.RuleID).Subject
		perKind[kind] = max(perKind[kind], r.Subjects)
		if r.Errors > 0 {
			return tf, fmt.Errorf("rule %s: %d errors: %s", r.RuleID, r.Errors, r.FirstError)
		}
	}
	for _, n := range perKind {
		tf.Subjects += n
	}
	return tf, nil
}

// changeCases closes n assigned cases, as a busy hour of handling would.
func changeCases(ctx context.Context, s *store.Store, n int, at time.Time) (int, error) {
	rows, err := s.SQL.QueryContext(ctx, "SELECT id FROM cases WHERE status = 'assigned' ORDER BY id")
	if err != nil {
		return 0, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	rnd := rand.New(rand.NewPCG(7, 7))
	rnd.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	ids = ids[:min(n, len(ids))]
	at = at.UTC()
	for _, id := range ids {
		if _, err := s.SQL.ExecContext(ctx, "UPDATE cases SET status = 'closed', closed_at = ?, updated_at = ? WHERE id = ?", at, at, id); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

// importRun writes n new cases as JSON Lines and imports them with `duban
// import` in its own process.
func importRun(ctx context.Context, s *store.Store, o Options, n int) (ImportFigures, error) {
	var units []string
	if err := s.DB.WithContext(ctx).Model(&models.Unit{}).Order("code").Limit(500).Pluck("code", &units).Error; err != nil {
		return ImportFigures{}, err
	}
	path := filepath.Join(o.WorkDir, "import.jsonl")
	f, err := os.Create(path)
	if err != nil {
		return ImportFigures{}, err
	}
	w := bufio.NewWriter(f)
	rnd := rand.New(rand.NewPCG(11, 11))
	for i := range n {
		received := o.Now.Add(-time.Duration(rnd.IntN(30*24)) * time.Hour)
		rec := map[string]any{"case_no": fmt.Sprintf("IMP%08d", i), "petitioner_id": fmt.Sprintf("Q%07d", rnd.IntN(n/3+1)),
			"petitioner_name": "信访人", "channel": "online", "category": categories[rnd.IntN(len(categories))],
			"status": "assigned", "received_at": received.Format(time.RFC3339),
			"accepted_at": received.Add(24 * time.Hour).Format(time.RFC3339), "assigned_unit": units[rnd.IntN(len(units))],
			"assigned_at": received.Add(25 * time.Hour).Format(time.RFC3339), "due_at": received.Add(60 * 24 * time.Hour).Format(time.RFC3339)}
		b, _ := json.Marshal(rec)
		w.Write(b)
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		return ImportFigures{}, err
	}
	f.Close()
	defer os.Remove(path)
	cmd := exec.CommandContext(ctx, o.Binary, "import", "--db", o.DSN, path)
	cmd.Stderr = os.Stderr
	start := time.Now()
	if out, err := cmd.Output(); err != nil {
		return ImportFigures{}, fmt.Errorf("%w: %s", err, out)
	}
	fig := ImportFigures{Cases: n, Seconds: time.Since(start).Seconds()}
	// The insert floor: the same number of rows written with plain
	// multi-row INSERTs into the same table (no reading, no checking, no
	// upsert), then removed again.
	rnd = rand.New(rand.NewPCG(11, 11))
	at := o.Now.UTC()
	start = time.Now()
	err = bulkInsert(ctx, s.SQL, "cases", caseCols, n, func(i int, v []any) {
		received := at.Add(-time.Duration(rnd.IntN(30*24)) * time.Hour)
		v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7] = fmt.Sprintf("RAW%08d", i), fmt.Sprintf("Q%07d", rnd.IntN(n/3+1)), "信访人", "online", categories[rnd.IntN(len(categories))], "", 1, received
		v[8], v[9], v[10], v[11], v[12], v[13], v[14], v[15] = "", received.Add(24*time.Hour), units[rnd.IntN(len(units))], received.Add(25*time.Hour), received.Add(60*24*time.Hour), nil, nil, nil
		v[16], v[17], v[18], v[19], v[20] = "assigned", false, false, at, at
	})
	if err != nil {
		return fig, fmt.Errorf("insert floor: %w", err)
	}
	fig.FloorSeconds = time.Since(start).Seconds()
	_, err = s.SQL.ExecContext(ctx, "DELETE FROM cases WHERE case_no LIKE 'RAW%'")
	return fig, err
}

// listLatency tops the notices up to total and times the listing queries the
// notice board and the API run, with filters and keyset pages.
func listLatency(ctx context.Context, s *store.Store, total int, now time.Time) (ListFigures, error) {
	var have int64
	if err := s.DB.WithContext(ctx).Model(&models.Notice{}).Count(&have).Error; err != nil {
		return ListFigures{}, err
	}
	var units []string
	s.DB.WithContext(ctx).Model(&models.Unit{}).Pluck("code", &units)
	levels := rules.Levels
	statuses := []string{models.NoticeOpen, models.NoticeOpen, models.NoticeAcknowledged, models.NoticeResolved}
	ruleIDs := []string{"deadline.breach", "deadline.warning", "acceptance.overdue", "return_visit.missing", "roster.gap"}
	add := total - int(have)
	if add > 0 {
		rnd := rand.New(rand.NewPCG(13, 13))
		at := now.UTC()
		err := bulkInsert(ctx, s.SQL, "notices", []string{"episode_id", "dedup_key", "rule_id", "subject_kind", "subject_key",
			"case_no", "level", "title", "body", "unit_code", "recipients", "status", "raised_at", "last_sent_at", "send_count",
			"acked_by", "ack_comment", "evidence"}, add, func(i int, v []any) {
			cn := fmt.Sprintf("XF%08d", rnd.IntN(max(1, total)))
			v[0], v[1], v[2], v[3], v[4], v[5] = int64(1e12)+int64(i), fmt.Sprintf("bench/%d", i), ruleIDs[rnd.IntN(len(ruleIDs))], "case", cn, cn
			v[6], v[7], v[8], v[9], v[10] = levels[rnd.IntN(len(levels))], cn+" 已超期", "", units[rnd.IntN(len(units))], "[]"
			v[11], v[12], v[13], v[14], v[15], v[16], v[17] = statuses[rnd.IntN(len(statuses))], at.Add(-time.Duration(i)*time.Second), at, 1, "", "", "{}"
		})
		if err != nil {
			return ListFigures{}, err
		}
	}
	var lat []float64
	rnd := rand.New(rand.NewPCG(17, 17))
	filters := []func() store.NoticeFilter{
		func() store.NoticeFilter { return store.NoticeFilter{Limit: 50} },
		func() store.NoticeFilter {
			return store.NoticeFilter{Units: []string{units[rnd.IntN(len(units))]}, Limit: 50}
		},
		func() store.NoticeFilter {
			return store.NoticeFilter{Status: models.NoticeOpen, Level: "督办", Limit: 50}
		},
		func() store.NoticeFilter {
			return store.NoticeFilter{Rule: ruleIDs[rnd.IntN(len(ruleIDs))], Status: models.NoticeOpen, Limit: 50}
		},
		func() store.NoticeFilter { return store.NoticeFilter{Level: levels[rnd.IntN(len(levels))], Limit: 50} },
	}
	for q := 0; q < 500; q++ {
		f := filters[q%len(filters)]()
		if q%2 == 1 {
			f.Before = uint64(rnd.IntN(total) + 1) // a page deep in the list
		}
		t := time.Now()
		if _, err := s.ListNotices(ctx, f); err != nil {
			return ListFigures{}, err
		}
		lat = append(lat, float64(time.Since(t).Microseconds())/1000)
	}
	sort.Float64s(lat)
	return ListFigures{Notices: total, Queries: len(lat), P50ms: lat[len(lat)/2], P99ms: lat[len(lat)*99/100], MaxMs: slices.Max(lat)}, nil
}
