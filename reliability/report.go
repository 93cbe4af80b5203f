// Package reliability renders the figures of the reliability suite into
// RELIABILITY.md. The suite's tests write their figures as JSON (see
// internal/faultkit.Record) into reliability/results; Sections turns them
// into the markdown tables between the <!-- figures:NAME --> markers of
// RELIABILITY.md, and a test fails when the page and the results disagree,
// so every figure on the page is the suite's own output.
//
//	DUBAN_SOAK=1 DUBAN_RELIABILITY_OUT=$PWD/reliability/results go test ./reliability -timeout 90m
//	FUZZTIME=2m DUBAN_RELIABILITY_OUT=reliability/results .ci/fuzz
//	go generate ./reliability
package reliability

//go:generate go run duban/reliability/gen -results results -page ../RELIABILITY.md

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// results are the JSON files of one run of the suite, by name.
type results map[string]map[string]any

func readResults(dir string) (results, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	out := results{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		out[strings.TrimSuffix(filepath.Base(f), ".json")] = m
	}
	return out, nil
}

// get walks a dotted path through nested objects.
func get(m any, path string) any {
	for _, k := range strings.Split(path, ".") {
		mm, ok := m.(map[string]any)
		if !ok {
			return nil
		}
		m = mm[k]
	}
	return m
}

func num(m any, path string) float64 {
	f, _ := get(m, path).(float64)
	return f
}

func count(m any, path string) string { return fmt.Sprintf("%d", int64(num(m, path))) }

// dbName names a backend as the suite ran it (the server is MariaDB).
func dbName(s any) string {
	if s == "mysql" {
		return "mariadb"
	}
	return fmt.Sprint(s)
}

func ms(m any, path string) string {
	v := num(m, path)
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

// lostCount is the number of lost or doubled outcomes an Outcome lists.
func lostCount(m any, path string) int {
	l, _ := get(m, path).([]any)
	return len(l)
}

func phases(m any) string { return pairs(m, "kills_by_phase", "; ") }

type table struct {
	head []string
	rows [][]string
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

func (t *table) markdown() string {
	var b strings.Builder
	b.WriteString("| " + strings.Join(t.head, " | ") + " |\n|")
	for range t.head {
		b.WriteString(" --- |")
	}
	b.WriteString("\n")
	for _, r := range t.rows {
		b.WriteString("| " + strings.Join(r, " | ") + " |\n")
	}
	return b.String()
}

func backends(r results, prefix string) []string {
	var out []string
	for k := range r {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// faults is the table of fault injections.
func faults(r results) string {
	t := &table{head: []string{"fault", "database", "tried", "how often", "outcomes checked", "lost or doubled"}}
	for _, k := range backends(r, "kill-run-once-") {
		m := r[k]
		t.add("`run --once` SIGKILLed at a random point of the tick, then run again (as cron would)", dbName(m["backend"]),
			fmt.Sprintf("%s cases, %s instants; %s runs with a kill timer, by where the kill landed: %s", count(m, "cases"), count(m, "instants"), count(m, "attempts"), phases(m)),
			count(m, "sigkills")+" kills",
			fmt.Sprintf("%s outcomes compared with an uninterrupted twin database after every instant; `audit verify` after every instant", count(m, "outcomes_compared")),
			fmt.Sprintf("**%s** (differences), %s chain failures", count(m, "differences_from_uninterrupted"), count(m, "audit_verify_failures")))
	}
	for _, k := range backends(r, "kill-serve-") {
		m := r[k]
		what := "`duban serve` SIGKILLed mid-tick and mid-delivery, restarted"
		if num(m, "replicas") > 1 {
			what = fmt.Sprintf("two `duban serve` replicas, one SIGKILLed (mostly the lease holder) mid-tick and mid-delivery, restarted; the lease changed hands in %s–%s ms (p50 %s)",
				ms(m, "lease_takeover.min_ms"), ms(m, "lease_takeover.max_ms"), ms(m, "lease_takeover.p50_ms"))
		}
		t.add(what, dbName(m["backend"]),
			fmt.Sprintf("%s cases, rules every 2s, re-sent every 4s; kills: %s; %s deliveries claimed and unfinished at the kills",
				count(m, "cases"), phases(m), count(m, "deliveries_in_flight_at_kills")),
			count(m, "sigkills")+" kills",
			fmt.Sprintf("%s notices, %s flags, %s accountability records once each; %s sendings delivered (%s repeats dropped by the receiver); chain verified",
				count(m, "outcome.notices"), count(m, "outcome.flags"), count(m, "outcome.accountability_records"),
				count(m, "outcome.sendings_delivered"), count(m, "receiver.repeats")),
			fmt.Sprintf("**%d**", lostCount(m, "outcome.lost")))
	}
	if m, ok := r["database-gone-mid-tick"]; ok {
		cuts, _ := m["cuts"].([]any)
		diffs := 0.0
		for _, c := range cuts {
			diffs += num(c, "differences")
		}
		t.add("the database connection reset in the middle of a tick, after a given number of outcomes (in-process, exact)", "mariadb",
			fmt.Sprintf("%s cases, page size 50; the tick then retried at the same instant", count(m, "cases")), fmt.Sprintf("%d cuts", len(cuts)),
			"every outcome against an uninterrupted twin; the cut tick always reported errors; chain verified",
			fmt.Sprintf("**%.0f** (differences)", diffs))
	}
	if m, ok := r["database-outages-serve"]; ok {
		outs, _ := m["outages"].([]any)
		byMode := map[string]int{}
		maxRec, allUnavailable := 0.0, true
		for _, o := range outs {
			byMode[get(o, "mode").(string)]++
			maxRec = max(maxRec, num(o, "recovered_after_restore_ms"))
			if b, _ := get(o, "healthz_said_unavailable").(bool); !b {
				allUnavailable = false
			}
		}
		t.add("the database goes away under `duban serve` just after a tick starts, new cases waiting: connections reset for 1.5s (lease kept), or a blackhole for 4s+", "mariadb (through a TCP proxy)",
			fmt.Sprintf("%d resets, %d blackholes; every outcome written %.0f ms at most after the database was back (rules every 10s); /healthz said unavailable: %v",
				byMode["reset"], byMode["blackhole"], maxRec, allUnavailable),
			fmt.Sprintf("%d outages", len(outs)),
			fmt.Sprintf("%s notices, %s flags, %s accountability records; %s sendings delivered; chain verified",
				count(m, "outcome.notices"), count(m, "outcome.flags"), count(m, "outcome.accountability_records"), count(m, "outcome.sendings_delivered")),
			fmt.Sprintf("**%d**", lostCount(m, "outcome.lost")))
	}
	if m, ok := r["sqlite-locked-out"]; ok {
		t.add("another connection holds the SQLite file's write lock for 3s over a tick", "sqlite",
			fmt.Sprintf("%s cases; the tick waited and was recorded %s ms after its instant at most", count(m, "cases"), ms(m, "locked_tick_recorded_after_instant.max_ms")),
			count(m, "lock_held.n")+" locks",
			fmt.Sprintf("%s notices, %s sendings delivered; chain verified", count(m, "outcome.notices"), count(m, "outcome.sendings_delivered")),
			fmt.Sprintf("**%d**", lostCount(m, "outcome.lost")))
	}
	if m, ok := r["sqlite-disk-full"]; ok {
		rounds, _ := m["rounds"].([]any)
		failed, partial, diffs := 0, 0, 0.0
		integrity := true
		for _, rd := range rounds {
			if num(rd, "exit_status") != 0 {
				failed++
			}
			if num(rd, "outcomes_written_before_full") > 0 {
				partial++
			}
			diffs += num(rd, "differences_after_space_freed")
			if s, _ := get(rd, "integrity_check").(string); s != "ok" {
				integrity = false
			}
		}
		errText := ""
		if len(rounds) > 0 {
			errText, _ = get(rounds[len(rounds)-1], "error").(string)
		}
		t.add("the SQLite file's disk fills during `run --once` ("+fmt.Sprint(m["disk"])+"), then space is freed", "sqlite",
			fmt.Sprintf("%s cases; %d ticks failed (%d after writing part of their outcomes) with `%s`; integrity_check ok every time: %v",
				count(m, "cases"), failed, partial, errText, integrity),
			fmt.Sprintf("%d fills", len(rounds)), "every outcome against an uninterrupted twin after the rerun; chain verified",
			fmt.Sprintf("**%.0f** (differences)", diffs))
	}
	if m, ok := r["sqlite-disk-full-serve"]; ok {
		t.add("the disk fills under `duban serve` for 4s at a time, then frees", "sqlite ("+fmt.Sprint(m["disk"])+")",
			fmt.Sprintf("%s disk-full errors logged, the service kept running", count(m, "disk_full_errors_logged")),
			count(m, "fills")+" fills",
			fmt.Sprintf("%s notices, %s sendings delivered; chain verified", count(m, "outcome.notices"), count(m, "outcome.sendings_delivered")),
			fmt.Sprintf("**%d**", lostCount(m, "outcome.lost")))
	}
	return t.markdown()
}

// receiver is the table of the misbehaving webhook receiver.
func receiver(r results) string {
	m, ok := r["receiver-misbehaves"]
	if !ok {
		return ""
	}
	t := &table{head: []string{"receiver", "database", "sendings", "posts", "answered", "repeats dropped by the receiver", "dead letters", "lost"}}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := m[k]
		name, db, _ := strings.Cut(k, "/")
		ans, _ := get(v, "receiver.answers").(map[string]any)
		var parts []string
		var names []string
		for a := range ans {
			names = append(names, a)
		}
		sort.Strings(names)
		for _, a := range names {
			parts = append(parts, fmt.Sprintf("%s %d", a, int64(ans[a].(float64))))
		}
		t.add(name, dbName(db), count(v, "sendings"), count(v, "receiver.posts"), strings.Join(parts, ", "), count(v, "receiver.repeats"),
			count(v, "dead_letters"), fmt.Sprintf("**%s**", count(v, "lost")))
	}
	return t.markdown()
}

// fuzz is the table of fuzz runs.
func fuzz(r results) string {
	m, ok := r["fuzz"]
	if !ok {
		return ""
	}
	t := &table{head: []string{"target", "what it feeds", "time", "executions", "corpus", "crashes"}}
	what := map[string]string{
		"rules/FuzzLoad":                           "any bytes as a rule file; loaded sets evaluated, rendered and explained on sample subjects",
		"rules/FuzzExpr":                           "any condition, on case, petitioner and slot rules",
		"rules/FuzzTemplate":                       "any notice title template",
		"importer/FuzzReadAndCheck":                "any bytes as JSONL, JSON, CSV or XLSX, checked as cases, units and slots",
		"importer/FuzzImportChangesNothingOnError": "any bytes imported into one SQLite database: a failed import must change nothing",
		"notify/config/FuzzParse":                  "any bytes as the notify file",
		"calendar/FuzzParse":                       "any bytes as a calendar file; the calendar then asked about far dates",
		"people/FuzzAPIBodies":                     "any bytes as the JSON body of each API write (acknowledge, register, correct, case steps, review), as a user allowed to send it: no 500, a refusal is a JSON error and changes nothing",
		"mask/FuzzText":                            "any text masked: only digits become asterisks, one for one, no panic",
	}
	targets, _ := m["targets"].([]any)
	total := 0.0
	for _, tg := range targets {
		name := fmt.Sprintf("%s/%s", get(tg, "package"), get(tg, "target"))
		total += num(tg, "executions")
		t.add("`"+name+"`", what[name], fmt.Sprint(get(tg, "fuzztime")), count(tg, "executions"), count(tg, "corpus"), count(tg, "crashes"))
	}
	t.add("**all**", "", "", fmt.Sprintf("**%.0f**", total), "", "**0**")
	return t.markdown()
}

// loadTables are the tables of the soak under load.
func loadTables(r results) string {
	t := &table{head: []string{"database", "province", "soak", "endpoint", "requests", "errors", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms"}}
	ticks := &table{head: []string{"database", "instants due", "ticked", "skipped", "tick start lateness p50 / p99 / max ms", "tick duration p50 / p99 / max ms", "RSS early / late / peak MB", "new cases, notices once", "rule errors"}}
	for _, k := range backends(r, "soak-") {
		m := r[k]
		db := dbName(m["backend"])
		targets, _ := get(m, "load.targets").([]any)
		for _, tg := range targets {
			t.add(db, count(m, "cases")+" cases", fmt.Sprintf("%.0f s at %s req/s", num(m, "seconds"), count(m, "load.rate")),
				"`"+fmt.Sprint(get(tg, "path"))+"`", count(tg, "requests"), count(tg, "errors"),
				ms(tg, "latency_ms.p50"), ms(tg, "latency_ms.p90"), ms(tg, "latency_ms.p99"), ms(tg, "latency_ms.p99_9"), ms(tg, "latency_ms.max"))
		}
		ticks.add(db, count(m, "ticks.instants_expected"), count(m, "ticks.instants_ticked"), count(m, "ticks.skipped"),
			fmt.Sprintf("%s / %s / %s", ms(m, "ticks.start_lateness.p50_ms"), ms(m, "ticks.start_lateness.p99_ms"), ms(m, "ticks.start_lateness.max_ms")),
			fmt.Sprintf("%s / %s / %s", ms(m, "ticks.duration.p50_ms"), ms(m, "ticks.duration.p99_ms"), ms(m, "ticks.duration.max_ms")),
			fmt.Sprintf("%.0f / %.0f / %.0f", num(m, "rss_mb.early_mean"), num(m, "rss_mb.late_mean"), num(m, "rss_mb.peak")),
			fmt.Sprintf("%s, %s twice", count(m, "new_cases"), count(m, "new_case_notices_twice")), count(m, "ticks.rule_errors"))
	}
	return t.markdown() + "\n" + ticks.markdown()
}

// secrets is the line on secrets in logs.
func secrets(r results) string {
	m, ok := r["secrets-in-logs"]
	if !ok {
		return ""
	}
	outs, _ := m["outputs"].([]any)
	var names []string
	for _, o := range outs {
		names = append(names, fmt.Sprint(o))
	}
	return fmt.Sprintf("%s secrets searched for in %s bytes of output (%s): **%s found**.\n",
		count(m, "secrets"), count(m, "log_bytes_searched"), strings.Join(names, ", "), count(m, "leaks"))
}

// securityHTTP is the tables of the HTTP API's security tests (people/*_test.go).
func securityHTTP(r results) string {
	var out []string
	m := &table{head: []string{"database", "routes", "roles (with anonymous)", "requests", "objects tried", "answers", "data searched for in every answer", "leaks", "refused writes that changed data"}}
	for _, k := range backends(r, "security-matrix-") {
		v := r[k]
		m.add(dbName(v["backend"]), count(v, "routes"), count(v, "roles"), count(v, "requests"), pairs(v, "objects", ", "), pairs(v, "outcomes", ", "),
			count(v, "markers")+" case numbers, names and whole ID and phone numbers", fmt.Sprintf("**%s**", count(v, "leaks")),
			fmt.Sprintf("**%s** of %s", count(v, "refused_writes_changed"), count(v, "refused_writes_checked")))
	}
	if len(m.rows) > 0 {
		out = append(out, "**Role × endpoint matrix** (`people.TestEveryRouteAgainstEveryRole`):\n\n"+m.markdown())
	}
	in := &table{head: []string{"database", "endpoints", "endpoint × parameter", "payloads", "requests", "answers", "500s", "more rows than an honest filter", "slowest ms", "rows in all tables before / after"}}
	for _, k := range backends(r, "security-injection-") {
		v := r[k]
		in.add(dbName(v["backend"]), count(v, "endpoints"), count(v, "parameters"), count(v, "payloads"), count(v, "requests"), pairs(v, "statuses", ", "),
			fmt.Sprintf("**%s**", count(v, "server_errors")), fmt.Sprintf("**%s**", count(v, "more_rows_than_honest")), count(v, "slowest_ms"),
			fmt.Sprintf("%s / %s in %s tables", count(v, "table_rows"), count(v, "table_rows_after"), count(v, "tables")))
	}
	if len(in.rows) > 0 {
		out = append(out, "**SQL injection** (`people.TestSQLInjectionInEveryParameter`):\n\n"+in.markdown())
	}
	cs := &table{head: []string{"database", "unsafe routes", "requests", "how", "refused (403)", "changed data", "the same with the right token, same origin: went through"}}
	for _, k := range backends(r, "security-csrf-") {
		v := r[k]
		cs.add(dbName(v["backend"]), count(v, "routes"), count(v, "requests"), pairs(v, "cases", ", "), count(v, "refused"),
			fmt.Sprintf("**%s**", count(v, "changed")), count(v, "controls_accepted"))
	}
	if len(cs.rows) > 0 {
		out = append(out, "**CSRF** (`people.TestCSRFOnEveryStateChangingRoute`):\n\n"+cs.markdown())
	}
	ss := &table{head: []string{"database", "checks passed"}}
	for _, k := range backends(r, "security-sessions-") {
		v := r[k]
		checks, _ := v["checks"].([]any)
		var names []string
		for _, c := range checks {
			names = append(names, fmt.Sprint(c))
		}
		ss.add(dbName(v["backend"]), fmt.Sprintf("%d: %s", len(names), strings.Join(names, "; ")))
	}
	if len(ss.rows) > 0 {
		out = append(out, "**Session fixation, sign-out, disabled users** (`people.TestSessionFixationAndSignOut`):\n\n"+ss.markdown())
	}
	bf := &table{head: []string{"database", "guesses from one address (each with a new X-Forwarded-For)", "sent", "checked before the first 429", "429 with Retry-After", "a valid token: from that address / from another / after the window"}}
	for _, k := range backends(r, "security-bruteforce-") {
		v := r[k]
		gs, _ := v["guesses"].([]any)
		for _, g := range gs {
			bf.add(dbName(v["backend"]), fmt.Sprint(get(g, "kind")), count(g, "sent"), count(g, "checked_before_429"), count(g, "refused_429"),
				fmt.Sprintf("%s / %s / %s", count(v, "same_address_valid"), count(v, "other_address_valid"), count(v, "after_window")))
		}
	}
	if len(bf.rows) > 0 {
		first := r[backends(r, "security-bruteforce-")[0]]
		out = append(out, "**Credential guessing** (`people.TestCredentialGuessingIsLimited`; limit "+count(first, "limit")+
			" failures per address in "+count(first, "window_minutes")+" minutes):\n\n"+bf.markdown())
	}
	return strings.Join(out, "\n")
}

// pairs renders a map of counts as "name n" joined by sep, by name.
func pairs(m any, path, sep string) string {
	p, _ := get(m, path).(map[string]any)
	var keys []string
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		f, _ := p[k].(float64)
		parts = append(parts, fmt.Sprintf("%s %d", k, int64(f)))
	}
	return strings.Join(parts, sep)
}

// Sections renders every generated section of RELIABILITY.md from the
// results in dir.
func Sections(dir string) (map[string]string, error) {
	r, err := readResults(dir)
	if err != nil {
		return nil, err
	}
	return map[string]string{"faults": faults(r), "receiver": receiver(r), "fuzz": fuzz(r), "load": loadTables(r), "secrets": secrets(r),
		"security-http": securityHTTP(r)}, nil
}

var section = regexp.MustCompile(`(?s)(<!-- figures:([\w-]+) -->\n).*?(<!-- /figures -->)`)

// Fill replaces each marked section of page with its rendering.
func Fill(page []byte, sections map[string]string) ([]byte, error) {
	var missing []string
	out := section.ReplaceAllFunc(page, func(m []byte) []byte {
		sm := section.FindSubmatch(m)
		body, ok := sections[string(sm[2])]
		if !ok {
			missing = append(missing, string(sm[2]))
			return m
		}
		return bytes.Join([][]byte{sm[1], []byte(body), sm[3]}, nil)
	})
	if len(missing) > 0 {
		return nil, fmt.Errorf("no figures for sections %v", missing)
	}
	return out, nil
}
