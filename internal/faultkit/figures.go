package faultkit

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"
)

// Soak reports whether the long runs were asked for (DUBAN_SOAK=1): more
// iterations, longer outages, for the figures of RELIABILITY.md.
func Soak() bool { return os.Getenv("DUBAN_SOAK") == "1" }

// Scale picks the CI count or the soak count.
func Scale(ci, soak int) int {
	if Soak() {
		return soak
	}
	return ci
}

// Record logs a test's figures and, when DUBAN_RELIABILITY_OUT names a
// directory, writes them there as NAME.json, for RELIABILITY.md.
func Record(t testing.TB, name string, figures any) {
	t.Helper()
	b, err := json.MarshalIndent(figures, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("figures %s: %s", name, b)
	dir := os.Getenv("DUBAN_RELIABILITY_OUT")
	if dir == "" {
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".json"), append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Durations sums up a set of measured durations.
type Durations struct {
	N      int     `json:"n"`
	MinMS  float64 `json:"min_ms"`
	P50MS  float64 `json:"p50_ms"`
	P90MS  float64 `json:"p90_ms"`
	P99MS  float64 `json:"p99_ms"`
	MaxMS  float64 `json:"max_ms"`
	MeanMS float64 `json:"mean_ms"`
}

// Summarise computes percentiles of ds.
func Summarise(ds []time.Duration) Durations {
	if len(ds) == 0 {
		return Durations{}
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	at := func(q float64) float64 { return ms(s[min(len(s)-1, int(q*float64(len(s))))]) }
	var sum time.Duration
	for _, d := range s {
		sum += d
	}
	return Durations{N: len(s), MinMS: ms(s[0]), P50MS: at(0.50), P90MS: at(0.90), P99MS: at(0.99),
		MaxMS: ms(s[len(s)-1]), MeanMS: ms(sum / time.Duration(len(s)))}
}
