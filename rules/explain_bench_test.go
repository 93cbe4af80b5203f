package rules

import (
	"testing"
	"time"
)

// Explain runs for every outcome a tick raises. These measure it against
// the condition alone, and against evaluating each part on its own (the
// fallback when a part fails).
//
//	go test ./rules -run - -bench 'Holds|Explain' -benchmem

func benchEnv(b *testing.B) (*Tick, *Rule, *CaseEnv) {
	rs, err := Load(Defaults(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	r := rs.Rule("deadline.breach")
	now := time.Date(2026, 3, 10, 8, 0, 0, 0, rs.Location)
	c := &Case{CaseNo: "C1", Status: "assigned", AssignedUnit: "zjj", AcceptedAt: now.AddDate(0, -2, 0), AssignedAt: now.AddDate(0, -2, 0)}
	c.Fill()
	return rs.At(now), r, &CaseEnv{Now: now, Case: c, Params: r.Params}
}

func BenchmarkHolds(b *testing.B) {
	_, r, env := benchEnv(b)
	e := &Evaluator{}
	for b.Loop() {
		e.Holds(r, env)
	}
}

func BenchmarkExplain(b *testing.B) {
	tick, r, env := benchEnv(b)
	e := &Evaluator{}
	for b.Loop() {
		tick.Explain(e, r, env, "C1")
	}
}

func BenchmarkExplainPartByPart(b *testing.B) {
	tick, r, env := benchEnv(b)
	ex := *r.explain
	ex.all = nil
	r.explain = &ex
	e := &Evaluator{}
	for b.Loop() {
		tick.Explain(e, r, env, "C1")
	}
}
