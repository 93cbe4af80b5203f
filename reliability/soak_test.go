package reliability_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"duban/internal/faultkit"
	"duban/internal/poll"
	"duban/loadgen"
	"duban/models"
	"duban/store/storetest"
)

// rss reads a process's resident set size in bytes.
func rss(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if kb, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(kb), "kB")), 10, 64)
			return n << 10, err
		}
	}
	return 0, fmt.Errorf("no VmRSS for pid %d", pid)
}

var metricLine = regexp.MustCompile(`(?m)^(\w+)(?:\{[^}]*\})? ([0-9.e+-]+)$`)

// metricSum sums a metric's samples in a /metrics scrape.
func metricSum(scrape []byte, name string) float64 {
	sum := 0.0
	for _, m := range metricLine.FindAllSubmatch(scrape, -1) {
		if string(m[1]) == name {
			v, _ := strconv.ParseFloat(string(m[2]), 64)
			sum += v
		}
	}
	return sum
}

type memSample struct {
	AtS      float64 `json:"at_s"`
	RSSMB    float64 `json:"rss_mb"`
	HeapMB   float64 `json:"heap_inuse_mb,omitempty"`
	Goroutin float64 `json:"goroutines,omitempty"`
}

// TestServiceHoldsUnderLoad soaks `duban serve` over a generated province
// with the default rules ticking every 5 seconds, new cases arriving every
// 10 seconds, notices delivered to a webhook, and a second process calling
// its HTTP endpoints without pause. Memory must stay flat, every instant
// must be ticked (and, in the long run, none skipped), the endpoints must
// answer without error, and every new case must raise its notice once. CI
// runs it for 30 seconds on 20,000 cases; DUBAN_SOAK=1 for
// DUBAN_SOAK_MINUTES (10) on 200,000, on SQLite and MariaDB.
func TestServiceHoldsUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("runs processes")
	}
	t.Parallel()
	backends := []storetest.Backend{storetest.SQLite}
	if faultkit.Soak() {
		backends = append(backends, storetest.MySQL)
	}
	for _, b := range backends {
		t.Run(b.Name, func(t *testing.T) { soak(t, b.NewDSN(t)) })
	}
}

func soak(t *testing.T, dsn string) {
	cases := faultkit.Scale(20000, 200000)
	duration := 30 * time.Second
	rate := 50.0
	if faultkit.Soak() {
		minutes := 10
		if s := os.Getenv("DUBAN_SOAK_MINUTES"); s != "" {
			minutes, _ = strconv.Atoi(s)
		}
		duration, rate = time.Duration(minutes)*time.Minute, 200
	}
	db := "--db=" + dsn
	dir := t.TempDir()
	now := time.Now().UTC().Truncate(time.Second)
	genStart := time.Now()
	faultkit.MustRun(t, "bench", "generate", db, "--cases", strconv.Itoa(cases), "--now", now.Format(time.RFC3339))
	genTook := time.Since(genStart)

	// The default rules, every 5 seconds.
	rulesDir := filepath.Join(dir, "rules")
	faultkit.MustRun(t, "rules", "init", rulesDir)
	files, _ := filepath.Glob(filepath.Join(rulesDir, "*.yaml"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		os.WriteFile(f, bytes.ReplaceAll(b, []byte(`schedule: "0 8 * * *"`), []byte(`schedule: "@every 5s"`)), 0o644)
	}
	recv := faultkit.NewReceiver(t, "hook-secret", nil)
	notifyFile := filepath.Join(dir, "notify.yaml")
	os.WriteFile(notifyFile, []byte(`retry: {initial_backoff: 1s, max_backoff: 10s, give_up_after: 1h}
channels:
  - {name: hook, type: webhook, url: "`+recv.URL+`", secret: "${HOOK_SECRET}", timeout: 5s}
routes:
  - {channels: [hook]}
`), 0o644)
	// A supervisor's API token: the load includes the JSON API's lists, as
	// an integration would call them.
	faultkit.MustRun(t, "users", "add", "soak", "--role", "supervisor", "--no-password", db)
	out := strings.TrimSpace(faultkit.MustRun(t, "users", "token", "create", "soak", "--name", "soak", db))
	token := out[strings.LastIndex(out, "\n")+1:]
	srv := faultkit.StartServer(t, "serve", []string{"HOOK_SECRET=hook-secret"}, db, "--rules", rulesDir, "--notify", notifyFile)
	st := openStore(t, dsn)
	ruleRuns := func(where string, args ...any) []models.RuleRun {
		var runs []models.RuleRun
		st.DB.Where("rule_id = ?", "deadline.breach").Where(where, args...).Order("now").Find(&runs)
		return runs
	}
	faultkit.Within(t, 5*time.Minute, "the first tick over the province", func() bool { return len(ruleRuns("errors = 0")) > 0 })
	first := ruleRuns("errors = 0")[0]
	t.Logf("first tick: %d subjects in %dms (%s)", first.Subjects, first.DurationMS, first.Mode)

	// The second process: the load generator.
	loadStart := time.Now()
	load := exec.Command(faultkit.Binary(t), "bench", "load", "--url", "http://"+srv.Addr, "--duration", duration.String(),
		"--concurrency", "4", "--rate", fmt.Sprint(rate), "--format", "json",
		// A slow answer is a figure (its latency), not an error: the timeout only bounds a hang.
		"--timeout", poll.Bound.String(),
		"--target", "healthz=/healthz", "--target", "metrics=/metrics",
		"--target", "notices=/api/v1/notices?status=open&limit=50", "--target", "cases=/api/v1/cases?open=true&limit=50",
		"--header", "Authorization: Bearer "+token)
	var loadOut, loadErr bytes.Buffer
	load.Stdout, load.Stderr = &loadOut, &loadErr
	if err := load.Start(); err != nil {
		t.Fatal(err)
	}
	loadDone := make(chan error, 1)
	go func() { loadDone <- load.Wait() }()

	// New cases every 10 seconds, each past its deadline: one notice each.
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var newCases []string
	var importTimes []time.Duration
	wg.Go(func() {
		for round := 0; ; round++ {
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Second):
			}
			var b strings.Builder
			received := now.Add(-80 * 24 * time.Hour).Format(time.RFC3339)
			for i := 0; i < 50; i++ {
				no := fmt.Sprintf("SOAK-%03d-%02d", round, i)
				newCases = append(newCases, no)
				fmt.Fprintf(&b, `{"case_no":%q,"petitioner_id":"SOAK-P%d","channel":"visit","category":"劳资纠纷","status":"assigned","received_at":%q,"accepted_at":%q,"assigned_unit":"c00-x0-d0","assigned_at":%q}`+"\n",
					no, i, received, received, received)
			}
			path := filepath.Join(dir, fmt.Sprintf("new-%d.jsonl", round))
			os.WriteFile(path, []byte(b.String()), 0o644)
			began := time.Now()
			if code, out, errOut := faultkit.Run(t, nil, "import", db, path); code != 0 {
				t.Errorf("import during the soak: %s%s", out, errOut)
				return
			}
			importTimes = append(importTimes, time.Since(began))
		}
	})

	// Memory, sampled every second.
	var samples []memSample
	var lastScrape []byte
	sampling := time.NewTicker(time.Second)
	for running := true; running; {
		select {
		case err := <-loadDone:
			if err != nil {
				t.Errorf("the load generator: %v\n%s", err, loadErr.String())
			}
			running = false
		case <-sampling.C:
			r, err := rss(srv.Pid())
			if err != nil {
				t.Fatal(err)
			}
			s := memSample{AtS: time.Since(loadStart).Seconds(), RSSMB: float64(r) / (1 << 20)}
			if len(samples)%5 == 0 {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				if _, scrape, err := srv.Get(ctx, "/metrics"); err == nil {
					lastScrape = scrape
					s.HeapMB = metricSum(scrape, "go_memstats_heap_inuse_bytes") / (1 << 20)
					s.Goroutin = metricSum(scrape, "go_goroutines")
				}
				cancel()
			}
			samples = append(samples, s)
		}
	}
	sampling.Stop()
	close(stop)
	wg.Wait()
	loadEnd := time.Now()

	var res loadgen.Result
	if err := json.Unmarshal(loadOut.Bytes(), &res); err != nil {
		t.Fatalf("load generator output %q: %v", loadOut.String(), err)
	}
	if res.Errors > 0 {
		t.Errorf("%d of %d requests failed: %+v", res.Errors, res.Requests, res.Targets)
	}

	// Every new case raised its notice once, and it was delivered.
	faultkit.Within(t, 2*time.Minute, "the new cases' notices raised and delivered", func() bool {
		var n int64
		st.DB.Model(&models.Notice{}).Where("rule_id = ? AND case_no LIKE ?", "deadline.breach", "SOAK-%").Count(&n)
		var waiting int64
		st.DB.Model(&models.Delivery{}).Where("status <> ?", models.DeliverySent).Count(&waiting)
		undispatched, _ := st.UndispatchedCount(context.Background())
		return int(n) == len(newCases) && waiting == 0 && undispatched == 0
	})
	var twice int64
	st.DB.Raw("SELECT COUNT(*) FROM (SELECT case_no FROM notices WHERE case_no LIKE 'SOAK-%' GROUP BY rule_id, case_no HAVING COUNT(*) > 1) d").Scan(&twice)
	if twice > 0 {
		t.Errorf("%d new cases raised a notice twice", twice)
	}
	srv.Stop()

	// Ticks kept their schedule: every 5-second instant of the window ticked.
	runs := ruleRuns("now >= ? AND now < ?", loadStart.Add(5*time.Second).UTC(), loadEnd.Add(-5*time.Second).UTC())
	expected := int(loadEnd.Add(-5*time.Second).Sub(loadStart.Add(5*time.Second)) / (5 * time.Second))
	var lateness, durations []time.Duration
	distinct := map[time.Time]bool{}
	errs := 0
	for _, r := range runs {
		distinct[r.Now] = true
		lateness = append(lateness, r.StartedAt.Sub(r.Now))
		durations = append(durations, time.Duration(r.DurationMS)*time.Millisecond)
		errs += r.Errors
	}
	// Instants skipped over the service's whole run (a tick that overran
	// the next ones) fail the long soak, which has the machine to itself.
	// The short one shares two cores with the rest of `go test ./...` —
	// browsers, MariaDB, other services — and once saw the scheduler held
	// up for a minute there, with every instant of the window still ticked;
	// it reports skipped instants and fails only on instants of the window
	// that never ticked.
	missed := metricSum(lastScrape, "duban_scheduler_missed_ticks_total")
	report := fmt.Sprintf("%d of %d instants ticked, %v instants skipped, %d rule errors; the service's warnings:\n%s",
		len(distinct), expected, missed, errs, faultkit.Tail(warnings(srv.Logs()), 60))
	switch {
	case len(distinct) < expected || errs > 0 || (faultkit.Soak() && missed > 0):
		t.Error(report)
	case missed > 0:
		t.Log(report)
	}

	// Memory stayed flat: after the first tenth of the run, the last third
	// holds no more than the first third did, give or take.
	third := len(samples) / 3
	warm := len(samples) / 10
	mean := func(ss []memSample) float64 {
		sum := 0.0
		for _, s := range ss {
			sum += s.RSSMB
		}
		return sum / float64(max(1, len(ss)))
	}
	early, late := mean(samples[warm:warm+third]), mean(samples[len(samples)-third:])
	peak := 0.0
	for _, s := range samples {
		peak = max(peak, s.RSSMB)
	}
	if late > early*1.25+16 {
		t.Errorf("memory grew: RSS %.0f MB early, %.0f MB late (peak %.0f MB)", early, late, peak)
	}
	every := max(1, len(samples)/60)
	var kept []memSample
	for i, s := range samples {
		if i%every == 0 || i == len(samples)-1 {
			kept = append(kept, s)
		}
	}
	faultkit.Record(t, "soak-"+strings.SplitN(dsn, ":", 2)[0], map[string]any{
		"backend": strings.SplitN(dsn, ":", 2)[0], "cases": cases, "generate_seconds": genTook.Seconds(),
		"first_tick": map[string]any{"subjects": first.Subjects, "ms": first.DurationMS, "mode": first.Mode},
		"seconds":    loadEnd.Sub(loadStart).Seconds(), "schedule": "@every 5s (all 11 default rules)",
		"load": res, "new_cases": len(newCases), "new_case_notices_twice": twice, "imports": faultkit.Summarise(importTimes),
		"ticks": map[string]any{"instants_expected": expected, "instants_ticked": len(distinct), "skipped": missed, "rule_errors": errs,
			"start_lateness": faultkit.Summarise(lateness), "duration": faultkit.Summarise(durations)},
		"rss_mb": map[string]any{"early_mean": early, "late_mean": late, "peak": peak}, "memory": kept,
		"deliveries": recv.Stats().Keys,
	})
}

// warnings keeps the lines of a service log above level INFO, and the
// scheduler's, which say when each tick ran and how long it took.
func warnings(log string) string {
	var b strings.Builder
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, "level=WARN") || strings.Contains(l, "level=ERROR") || strings.Contains(l, `msg="scheduler: tick"`) {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}
