package bench

import (
	"context"
	"fmt"
	"strings"
	"time"

	"duban/calendar"
	"duban/store"
)

// The peer is what a petition office would otherwise write: the same rules
// as hand-made SQL statements run by cron, each an INSERT ... SELECT of the
// subjects that match into an outcomes table with a unique key, against a
// table of working days. It is written as carefully as such SQL would be —
// civil-code periods, capped extensions, 调休 — so that its results can be
// compared with duban's, rule by rule.

// PeerResult is what the peer found.
type PeerResult struct {
	Duration time.Duration
	PerRule  map[string]int
}

// dialect spells the few things the two databases write differently.
type dialect struct {
	localDate func(col string) string // civil date in Asia/Shanghai of a UTC instant
	addDays   func(date string, n string) string
	ignore    string // how an INSERT skips existing keys
	dateType  string
	least     string // the smaller of two values
}

var sqliteDialect = dialect{
	localDate: func(col string) string { return "date(" + col + ", '+8 hours')" },
	addDays:   func(d, n string) string { return "date(" + d + ", '+' || (" + n + ") || ' days')" },
	ignore:    "INSERT OR IGNORE INTO",
	dateType:  "TEXT",
	least:     "MIN",
}

var mysqlDialect = dialect{
	localDate: func(col string) string { return "DATE(" + col + " + INTERVAL 8 HOUR)" },
	addDays:   func(d, n string) string { return "(" + d + " + INTERVAL (" + n + ") DAY)" },
	ignore:    "INSERT IGNORE INTO",
	dateType:  "DATE",
	least:     "LEAST",
}

// Peer runs the hand-written SQL at now and counts what each rule matched.
func Peer(ctx context.Context, s *store.Store, cal *calendar.Calendar, now time.Time) (PeerResult, error) {
	d := sqliteDialect
	if s.Dialect == store.MySQL {
		d = mysqlDialect
	}
	db := s.SQL
	for _, q := range []string{
		"DROP TABLE IF EXISTS peer_outcomes", "DROP TABLE IF EXISTS peer_workdays",
		"CREATE TABLE peer_workdays (day " + d.dateType + " PRIMARY KEY, is_workday INTEGER NOT NULL, wi INTEGER NOT NULL)",
		"CREATE INDEX peer_workdays_wi ON peer_workdays (is_workday, day)",
		"CREATE TABLE peer_outcomes (rule_id VARCHAR(64) NOT NULL, subject VARCHAR(128) NOT NULL, raised_at " + d.dateType + ", PRIMARY KEY (rule_id, subject))",
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return PeerResult{}, fmt.Errorf("peer setup: %s: %w", q, err)
		}
	}
	// The working-day table an office keeps from the State Council notices.
	var rows [][]any
	wi := 0
	for t := time.Date(2020, 1, 1, 12, 0, 0, 0, cal.Location()); t.Year() < 2031; t = t.AddDate(0, 0, 1) {
		w := 0
		if cal.IsWorkday(t) {
			w, wi = 1, wi+1
		}
		rows = append(rows, []any{t.Format("2006-01-02"), w, wi})
	}
	if err := bulkInsert(ctx, db, "peer_workdays", []string{"day", "is_workday", "wi"}, len(rows),
		func(i int, v []any) { copy(v, rows[i]) }); err != nil {
		return PeerResult{}, err
	}

	start := time.Now()
	today := now.In(cal.Location()).Format("2006-01-02")
	// periodEnd(x, n): the first working day on or after x's date + n days.
	periodEnd := func(col, n string) string {
		return "(SELECT MIN(day) FROM peer_workdays WHERE is_workday = 1 AND day >= " + d.addDays(d.localDate(col), n) + ")"
	}
	nextWorkday := func(col string) string {
		return "(SELECT MIN(day) FROM peer_workdays WHERE is_workday = 1 AND day > " + d.localDate(col) + ")"
	}
	wiOf := func(dateExpr string) string { return "(SELECT wi FROM peer_workdays WHERE day = " + dateExpr + ")" }
	open := "status IN ('received','accepted','assigned')"
	// The deadline: the leader's, else 60 days from acceptance; an extension
	// counts up to 30 days past it. Compared as local dates, as the rules do
	// (a deadline is the end of its day).
	base := "COALESCE(" + d.localDate("due_at") + ", " + periodEnd("accepted_at", "60") + ")"
	due := "CASE WHEN extended_due_at IS NOT NULL AND " + d.localDate("extended_due_at") + " > " + base +
		" THEN " + d.least + "(" + d.localDate("extended_due_at") + ", (SELECT MIN(day) FROM peer_workdays WHERE is_workday = 1 AND day >= " +
		d.addDays(base, "30") + ")) ELSE " + base + " END"
	dueOf := "SELECT case_no, " + due + " AS due FROM cases WHERE " + open
	statements := []struct{ rule, sql string }{
		{"handoff.next_day", "SELECT case_no AS k FROM cases WHERE channel = 'leader_reception' AND " + open +
			" AND assigned_at IS NULL AND ? > " + nextWorkday("received_at")},
		{"handoff.accountability", "SELECT case_no AS k FROM cases WHERE channel = 'leader_reception' AND " + open +
			" AND assigned_at IS NULL AND " + wiOf("?") + " - " + wiOf(d.localDate("received_at")) + " > 3"},
		{"acceptance.overdue", "SELECT case_no AS k FROM cases WHERE " + open +
			" AND accepted_at IS NULL AND assigned_at IS NULL AND ? > " + periodEnd("received_at", "15")},
		{"deadline.warning", "SELECT case_no AS k FROM (" + dueOf + ") c WHERE due >= ? AND due <= " + d.addDays("?", "5")},
		{"deadline.breach", "SELECT case_no AS k FROM (" + dueOf + ") c WHERE due < ?"},
		{"deadline.accountability", "SELECT case_no AS k FROM (" + dueOf + ") c WHERE due IS NOT NULL AND " +
			wiOf("?") + " - (SELECT wi FROM peer_workdays WHERE day = c.due) > 10"},
		{"abnormal.repeat", "SELECT DISTINCT petitioner_key AS k FROM cases WHERE petitioner_key <> '' AND received_at >= ?" +
			" GROUP BY petitioner_key, category HAVING COUNT(*) >= 3"},
		{"abnormal.escalated", "SELECT case_no AS k FROM cases WHERE escalated = 1"},
		{"abnormal.group", "SELECT case_no AS k FROM cases WHERE group_size >= 5"},
		{"roster.gap", "SELECT " + concat(s, "date", "'/'", "leader") + " AS k FROM reception_slots WHERE leader_available = 0" +
			" AND substitute = '' AND date >= ? AND date <= " + d.addDays("?", "7")},
		{"return_visit.missing", "SELECT case_no AS k FROM cases WHERE status = 'closed' AND return_visit_at IS NULL" +
			" AND closed_at IS NOT NULL AND ? > " + periodEnd("closed_at", "15")},
	}
	res := PeerResult{PerRule: map[string]int{}}
	for _, st := range statements {
		args := make([]any, strings.Count(st.sql, "?"))
		for i := range args {
			args[i] = today
		}
		if st.rule == "abnormal.repeat" {
			args[0] = now.Add(-90 * 24 * time.Hour).UTC()
		}
		q := d.ignore + " peer_outcomes (rule_id, subject, raised_at) SELECT '" + st.rule + "', x.k, '" + today + "' FROM (" + st.sql + ") x"
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			return res, fmt.Errorf("peer %s: %w", st.rule, err)
		}
	}
	res.Duration = time.Since(start)
	r, err := db.QueryContext(ctx, "SELECT rule_id, COUNT(*) FROM peer_outcomes GROUP BY rule_id")
	if err != nil {
		return res, err
	}
	defer r.Close()
	for r.Next() {
		var rule string
		var n int
		if err := r.Scan(&rule, &n); err != nil {
			return res, err
		}
		res.PerRule[rule] = n
	}
	return res, r.Err()
}

func concat(s *store.Store, parts ...string) string {
	if s.Dialect == store.MySQL {
		return "CONCAT(" + strings.Join(parts, ", ") + ")"
	}
	return strings.Join(parts, " || ")
}
