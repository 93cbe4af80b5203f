package bench

import (
	"fmt"
	"io"
	"sort"
	"time"

	"duban/internal/columns"
)

// Report is one benchmark run, side by side.
type Report struct {
	Database   string         `json:"database"`
	Size       Size           `json:"size"`
	Now        time.Time      `json:"now"`
	GenerateS  float64        `json:"generate_seconds"`
	Floor      FloorFigures   `json:"floor"`
	FullTick   TickFigures    `json:"full_tick"`
	Reeval     TickFigures    `json:"full_reevaluation"`
	Peer       PeerFigures    `json:"peer"`
	Steady     TickFigures    `json:"steady_tick"`
	NextDay    TickFigures    `json:"next_day_tick"`
	Import     ImportFigures  `json:"import"`
	NoticeList ListFigures    `json:"notice_list"`
	Agreement  map[string]int `json:"-"`
}

// FloorFigures is the plain scan.
type FloorFigures struct {
	Rows    int     `json:"rows"`
	Seconds float64 `json:"seconds"`
}

// TickFigures is one tick run in its own process.
type TickFigures struct {
	Seconds    float64        `json:"seconds"`
	CPUSeconds float64        `json:"cpu_seconds"`
	PeakRSSMB  float64        `json:"peak_rss_mb"`
	Subjects   int            `json:"subjects"`
	Outcomes   int            `json:"outcomes"`
	Holds      map[string]int `json:"holds"`
	Changed    int            `json:"changed_cases,omitempty"`
}

// PeerFigures is the hand-written SQL.
type PeerFigures struct {
	Seconds float64        `json:"seconds"`
	PerRule map[string]int `json:"per_rule"`
}

// ImportFigures is import throughput.
type ImportFigures struct {
	Cases        int     `json:"cases"`
	Seconds      float64 `json:"seconds"`
	FloorSeconds float64 `json:"insert_floor_seconds"` // the same rows as plain multi-row INSERTs
}

// ListFigures is notice-list latency.
type ListFigures struct {
	Notices int     `json:"notices"`
	Queries int     `json:"queries"`
	P50ms   float64 `json:"p50_ms"`
	P99ms   float64 `json:"p99_ms"`
	MaxMs   float64 `json:"max_ms"`
}

func ratio(a, b float64) string {
	if b == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2fx", a/b)
}

// Print writes the report as a table.
func (r *Report) Print(w io.Writer) {
	fmt.Fprintf(w, "duban bench on %s: %s, now %s\n", r.Database, r.Size, r.Now.Format(time.RFC3339))
	fmt.Fprintf(w, "province generated in %.1fs\n\n", r.GenerateS)
	tw := columns.NewWriter(w)
	fmt.Fprintln(tw, "MEASURE\tWALL\tCPU\tPEAK RSS\tSUBJECTS\tOUTCOMES\tRATIO\tTARGET")
	t := r.FullTick
	fmt.Fprintf(tw, "floor: plain scan of the tick's rows\t%.2fs\t\t\t%d rows\t\t1.00x\t\n", r.Floor.Seconds, r.Floor.Rows)
	fmt.Fprintf(tw, "full tick (first, all outcomes new)\t%.2fs\t%.2fs\t%.0f MB\t%d (%.0f/s)\t%d\t%s of floor\t≤ 1.5x, < 256 MB\n",
		t.Seconds, t.CPUSeconds, t.PeakRSSMB, t.Subjects, float64(t.Subjects)/t.Seconds, t.Outcomes, ratio(t.Seconds, r.Floor.Seconds))
	e := r.Reeval
	fmt.Fprintf(tw, "full re-evaluation (+10min, forced full)\t%.2fs\t%.2fs\t%.0f MB\t%d (%.0f/s)\t%d\t%s of floor\t≤ 1.5x\n",
		e.Seconds, e.CPUSeconds, e.PeakRSSMB, e.Subjects, float64(e.Subjects)/e.Seconds, e.Outcomes, ratio(e.Seconds, r.Floor.Seconds))
	fmt.Fprintf(tw, "peer: the rules as hand-written SQL\t%.2fs\t\t\t\t%d\t%s duban/peer\tduban ≤ peer\n",
		r.Peer.Seconds, sum(r.Peer.PerRule), ratio(t.Seconds, r.Peer.Seconds))
	s := r.Steady
	fmt.Fprintf(tw, "steady tick (+1h, %d cases changed)\t%.2fs\t%.2fs\t%.0f MB\t%d\t%d\t%s of full\t≤ 10%%\n",
		s.Changed, s.Seconds, s.CPUSeconds, s.PeakRSSMB, s.Subjects, s.Outcomes, ratio(s.Seconds, t.Seconds))
	n := r.NextDay
	fmt.Fprintf(tw, "next-day tick (+24h, re-sends)\t%.2fs\t%.2fs\t%.0f MB\t%d\t%d\t%s of floor\t\n",
		n.Seconds, n.CPUSeconds, n.PeakRSSMB, n.Subjects, n.Outcomes, ratio(n.Seconds, r.Floor.Seconds))
	fmt.Fprintf(tw, "import (read, check, upsert, one transaction)\t%.2fs\t\t\t%d cases\t\t%.0f cases/s\t≥ 100,000/s (SQLite)\n",
		r.Import.Seconds, r.Import.Cases, float64(r.Import.Cases)/r.Import.Seconds)
	fmt.Fprintf(tw, "insert floor: the same rows, plain INSERTs\t%.2fs\t\t\t%d rows\t\t%.0f rows/s\t\n",
		r.Import.FloorSeconds, r.Import.Cases, float64(r.Import.Cases)/r.Import.FloorSeconds)
	l := r.NoticeList
	fmt.Fprintf(tw, "notice list at %d notices\tp50 %.1fms\tp99 %.1fms\t\t%d queries\t\tmax %.1fms\tp99 < 50 ms\n",
		l.Notices, l.P50ms, l.P99ms, l.Queries, l.MaxMs)
	tw.Flush()

	fmt.Fprintln(w, "\nwhat each rule holds for, duban against the peer:")
	tw = columns.NewWriter(w)
	fmt.Fprintln(tw, "RULE\tDUBAN\tPEER\t")
	var ids []string
	for id := range t.Holds {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		mark := ""
		if t.Holds[id] != r.Peer.PerRule[id] {
			mark = "differs"
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\n", id, t.Holds[id], r.Peer.PerRule[id], mark)
	}
	tw.Flush()
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
