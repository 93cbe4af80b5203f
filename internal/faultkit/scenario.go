package faultkit

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// Scenario is a county whose outcomes are known in advance: open cases
// raise a notice each (re-sent every Repeat), group petitions a flag and an
// accountability record, and petitioners with three cases or more a repeat
// flag on each of their cases. Case rules and the petitioner rule run in
// passes side by side, like the default pack's.
type Scenario struct {
	Cases    int
	Schedule string        // "@every 2s", or the run-once tests' hourly schedule
	Repeat   time.Duration // 0: sent once
	// Received is when the cases came in (within the petitioner window of
	// the ticks).
	Received time.Time
}

// RulesYAML is the scenario's rule file.
func (sc Scenario) RulesYAML() string {
	repeat := ""
	if sc.Repeat > 0 {
		repeat = "\n      repeat: " + sc.Repeat.String()
	}
	return fmt.Sprintf(`timezone: Asia/Shanghai
rules:
  - id: fault.open
    name: 在办督办
    subject: case
    schedule: %[1]q
    when: Case.Open
    notice:
      level: 督办
      to: [Case.AssignedUnit, 督查组]
      title: '{{ .Case.CaseNo }} 在办'
      body: '信访人 {{ .Case.PetitionerID }} 的信访件 {{ .Case.CaseNo }} 仍在办理。'%[2]s
  - id: fault.group
    name: 集体访
    subject: case
    schedule: %[1]q
    when: Case.Open && Case.GroupSize >= 5
    flag: {label: 集体访}
  - id: fault.account
    name: 集体访问责
    subject: case
    schedule: %[1]q
    when: Case.Open && Case.GroupSize >= 3
    accountability:
      against: Case.AssignedUnit
      grade: 通报批评
      reason: '{{ .Case.CaseNo }}（{{ .Case.GroupSize }} 人）在办'
  - id: fault.repeat
    name: 重复访
    subject: petitioner
    schedule: %[1]q
    window: 90d
    when: len(Petitioner.Cases) >= 3
    flag:
      label: 重复访
      cases: 'map(Petitioner.Cases, .CaseNo)'
`, sc.Schedule, repeat)
}

// Units is the units file the cases refer to.
const Units = `{"code":"zjj","name":"住建局"}
{"code":"rsj","name":"人社局"}
`

// caseRow is one generated case.
type caseRow struct {
	no, petitioner, unit string
	group                int
	open                 bool
}

func (sc Scenario) rows() []caseRow {
	out := make([]caseRow, 0, sc.Cases)
	for i := 1; i <= sc.Cases; i++ {
		r := caseRow{no: fmt.Sprintf("F-%05d", i), unit: []string{"zjj", "rsj"}[i%2], group: 1 + i%6, open: i%7 != 0,
			petitioner: fmt.Sprintf("P%03d", i%40)}
		if i%10 == 0 {
			r.petitioner = fmt.Sprintf("U%05d", i) // a petitioner with one case
		}
		out = append(out, r)
	}
	return out
}

// CasesJSONL is the scenario's cases in the import format.
func (sc Scenario) CasesJSONL() string { return sc.CasesPart(0, sc.Cases) }

// CasesPart is the cases from lo (inclusive) to hi (exclusive), numbered
// from 0, for tests that import the county in batches. Rows past Cases
// are generated the same way.
func (sc Scenario) CasesPart(lo, hi int) string {
	var b strings.Builder
	wide := sc
	wide.Cases = hi
	for _, r := range wide.rows()[lo:] {
		sc.writeRow(&b, r)
	}
	return b.String()
}

func (sc Scenario) writeRow(b *strings.Builder, r caseRow) {
	rec := sc.Received.Format(time.RFC3339)
	acc := sc.Received.Add(time.Hour).Format(time.RFC3339)
	asg := sc.Received.Add(2 * time.Hour).Format(time.RFC3339)
	status, closedAt := "assigned", ""
	if !r.open {
		status, closedAt = "closed", `,"closed_at":"`+sc.Received.Add(10*24*time.Hour).Format(time.RFC3339)+`"`
	}
	fmt.Fprintf(b, `{"case_no":%q,"petitioner_id":%q,"petitioner_name":"信访人%s","channel":"visit","category":"征地拆迁","status":%q,"group_size":%d,"received_at":%q,"accepted_at":%q,"assigned_unit":%q,"assigned_at":%q%s}`+"\n",
		r.no, r.petitioner, r.petitioner, status, r.group, rec, acc, r.unit, asg, closedAt)
}

// Changes is the i-th batch of updates (i >= 1) for tests that tick many
// instants: a slice of the open cases closes, and the slice closed two
// batches ago opens again (a new episode of each of its outcomes).
func (sc Scenario) Changes(i int) string {
	var b strings.Builder
	for j, r := range sc.rows() {
		if r.open == false {
			continue // closed from the start: stays closed
		}
		switch (j + 1) % 11 {
		case i % 11:
			r.open = false
		case (i + 9) % 11:
			// closed by batch i-2: open again
		default:
			continue
		}
		sc.writeRow(&b, r)
	}
	return b.String()
}

// Files writes the scenario's rules directory, units and cases under dir
// and returns their paths.
func (sc Scenario) Files(t testing.TB, dir string) (rulesDir, units, cases string) {
	t.Helper()
	rulesDir = filepath.Join(dir, "rules")
	units, cases = filepath.Join(dir, "units.jsonl"), filepath.Join(dir, "cases.jsonl")
	if err := os.MkdirAll(rulesDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for path, text := range map[string]string{filepath.Join(rulesDir, "fault.yaml"): sc.RulesYAML(), units: Units, cases: sc.CasesJSONL()} {
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return rulesDir, units, cases
}

// Expect is what the scenario must raise, each exactly once.
type Expect struct {
	// Notices are rule/subject keys of notices (one episode each).
	Notices []string
	// Flags are case/label/rule.
	Flags []string
	// Accounts are dedup keys of accountability records.
	Accounts []string
	// Repeat is the least time between two sendings of a notice.
	Repeat time.Duration
	// Due also checks that at the last clean tick of fault.open no open
	// notice was left due a re-send.
	Due bool
}

// Expect works out what the scenario raises.
func (sc Scenario) Expect() Expect { return sc.ExpectUpTo(sc.Cases) }

// ExpectUpTo is what the first n cases raise.
func (sc Scenario) ExpectUpTo(n int) Expect {
	sc.Cases = n
	e := Expect{Repeat: sc.Repeat}
	byPetitioner := map[string][]string{}
	for _, r := range sc.rows() {
		byPetitioner[r.petitioner] = append(byPetitioner[r.petitioner], r.no)
		if !r.open {
			continue
		}
		e.Notices = append(e.Notices, "fault.open/"+r.no)
		if r.group >= 5 {
			e.Flags = append(e.Flags, r.no+"/集体访/fault.group")
		}
		if r.group >= 3 {
			e.Accounts = append(e.Accounts, "fault.account/"+r.no+"/1")
		}
	}
	for _, cases := range byPetitioner {
		if len(cases) >= 3 {
			for _, c := range cases {
				e.Flags = append(e.Flags, c+"/重复访/fault.repeat")
			}
		}
	}
	sort.Strings(e.Notices)
	sort.Strings(e.Flags)
	sort.Strings(e.Accounts)
	return e
}

// Missing lists the expected outcomes a state lacks.
func (e Expect) Missing(s *State) []string {
	var out []string
	for _, k := range e.Notices {
		if _, ok := s.Notices[k+"/1"]; !ok {
			out = append(out, "notice "+k)
		}
	}
	for _, k := range e.Flags {
		if _, ok := s.Flags[k]; !ok {
			out = append(out, "flag "+k)
		}
	}
	for _, k := range e.Accounts {
		if _, ok := s.Accounts[k]; !ok {
			out = append(out, "accountability record "+k)
		}
	}
	return out
}
