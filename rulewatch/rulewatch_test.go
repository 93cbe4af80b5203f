package rulewatch_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"duban/internal/poll"
	"duban/rulewatch"
)

const good = `timezone: Asia/Shanghai
rules:
  - id: a.open
    subject: case
    schedule: "@every 1h"
    when: Case.Open
    flag: {label: x}
`

// broken has an unknown field at line 6, column 11.
const broken = `timezone: Asia/Shanghai
rules:
  - id: a.open
    subject: case
    schedule: "@every 1h"
    when: Case.DueDate != nil
    flag: {label: x}
`

func TestABrokenFileKeepsTheRunningRulesUntilFixed(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "r.yaml")
	os.WriteFile(file, []byte(good), 0o644)
	reg := prometheus.NewRegistry()
	w, err := rulewatch.New(dir, nil, nil, nil, reg)
	if err != nil {
		t.Fatal(err)
	}
	w.Debounce = 50 * time.Millisecond
	first := w.Current()
	if len(first.Rules) != 1 {
		t.Fatalf("loaded %d rules", len(first.Rules))
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go w.Run(ctx)
	<-w.Ready()

	os.WriteFile(file, []byte(broken), 0o644)
	poll.Until(t, "the error shows", func() bool { return w.State().Error != nil })
	st := w.State()
	if len(st.Error.Problems) != 1 || !strings.HasPrefix(st.Error.Problems[0], file+":6:") || !strings.Contains(st.Error.Problems[0], "rule a.open") {
		t.Errorf("problems %q", st.Error.Problems)
	}
	if w.Current() != first || st.Rules != 1 {
		t.Error("a broken file replaced the running rules")
	}
	if v := gauge(t, reg, "duban_rules_load_error"); v != 1 {
		t.Errorf("duban_rules_load_error = %v", v)
	}
	select {
	case <-w.Changes():
		t.Error("Changes signalled for a set that did not load")
	default:
	}

	// Fixed, with a second rule in a new file of a new subdirectory.
	os.WriteFile(file, []byte(good), 0o644)
	// No wait between the two: the new directory is watched before the
	// reload its creation causes, and that reload reads whatever it holds.
	os.Mkdir(filepath.Join(dir, "more"), 0o755)
	os.WriteFile(filepath.Join(dir, "more", "b.yaml"), []byte(strings.ReplaceAll(good, "a.open", "b.open")), 0o644)
	poll.Until(t, "the fixed rules are in force", func() bool { return len(w.Current().Rules) == 2 })
	if st := w.State(); st.Error != nil {
		t.Errorf("error still shown: %v", st.Error)
	}
	select {
	case <-w.Changes():
	case <-time.After(poll.Bound):
		t.Error("Changes not signalled")
	}
	if v := gauge(t, reg, "duban_rules_load_error"); v != 0 {
		t.Errorf("duban_rules_load_error = %v after the fix", v)
	}

	// Touching a file without changing it swaps nothing.
	cur := w.Current()
	if err := w.Reload(); err != nil || w.Current() != cur {
		t.Errorf("an unchanged reload swapped the set: %v", err)
	}
}

func TestTheBuiltinPackLoadsAndABadDirectoryFailsAtStart(t *testing.T) {
	w, err := rulewatch.New("", nil, nil, nil, nil)
	if err != nil || len(w.Current().Rules) < 10 || w.State().Source != rulewatch.Builtin {
		t.Fatalf("built-in: %v", err)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "r.yaml"), []byte(broken), 0o644)
	if _, err := rulewatch.New(dir, nil, nil, nil, nil); err == nil || !strings.Contains(err.Error(), "r.yaml:6:") {
		t.Errorf("a broken directory at start: %v", err)
	}
}

// gauge reads a gauge from the registry.
func gauge(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			return mf.GetMetric()[0].GetGauge().GetValue()
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}
