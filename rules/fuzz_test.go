package rules

import (
	"errors"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"duban/calendar"
)

// The fuzz targets feed the rule loader, expressions and templates
// arbitrary input. Whatever comes in, loading returns a rule set or
// Problems that name the file (never a panic, never a hang), and a rule
// set that loads evaluates, renders and explains sample subjects without
// panicking. CI runs each briefly (.ci/fuzz); the seeds are the default
// pack, testdata/ and testdata/fuzz/.

var (
	fuzzNow = time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC)
	fuzzCal = calendar.Official(time.UTC)
)

func fuzzLoad(t *testing.T, files fstest.MapFS) *RuleSet {
	rs, err := Load(files, Options{Now: fuzzNow, Calendar: fuzzCal})
	if err == nil {
		return rs
	}
	var ps Problems
	if !errors.As(err, &ps) || len(ps) == 0 {
		t.Fatalf("error %T is not Problems: %v", err, err)
	}
	for _, p := range ps {
		if _, ok := files[p.File]; !ok && p.File != "(rules)" {
			t.Fatalf("problem names file %q, not one of the rule files: %v", p.File, p)
		}
		if p.Message == "" {
			t.Fatalf("problem without a message: %+v", p)
		}
	}
	return nil
}

// fuzzSubjects are subjects of every kind, with empty and filled fields.
func fuzzSubjects() []any {
	closed := fuzzNow.AddDate(0, 0, -3)
	full := &Case{CaseNo: "F-1", PetitionerID: "P1", PetitionerName: "张三", Channel: "leader_reception", Category: "征地拆迁",
		GroupSize: 7, ReceivedAt: fuzzNow.AddDate(0, -3, 0), ReceptionLeader: "王建国", AcceptedAt: fuzzNow.AddDate(0, -3, 1),
		AssignedUnit: "zjj", AssignedAt: fuzzNow.AddDate(0, -3, 2), DueAt: fuzzNow.AddDate(0, 0, -20), Status: "assigned", Escalated: true}
	full.Fill()
	shut := &Case{CaseNo: "F-2", Channel: "visit", Status: "closed", ReceivedAt: fuzzNow.AddDate(-1, 0, 0), ClosedAt: closed}
	shut.Fill()
	empty := &Case{}
	empty.Fill()
	briefs := []CaseBrief{{CaseNo: "F-1", Category: "征地拆迁", ReceivedAt: fuzzNow.AddDate(0, -2, 0)},
		{CaseNo: "F-3", Category: "征地拆迁", ReceivedAt: fuzzNow.AddDate(0, -1, 0), AssignedUnit: "zjj"}}
	pet := &Petitioner{ID: "P1", Name: "张三", Cases: briefs}
	pet.Summarise()
	nobody := &Petitioner{}
	nobody.Summarise()
	return []any{
		&CaseEnv{Now: fuzzNow, Case: full}, &CaseEnv{Now: fuzzNow, Case: shut}, &CaseEnv{Now: fuzzNow, Case: empty},
		&PetitionerEnv{Now: fuzzNow, Petitioner: pet}, &PetitionerEnv{Now: fuzzNow, Petitioner: nobody},
		&SlotEnv{Now: fuzzNow, Slot: &Slot{Key: "2026-03-12/王建国", Date: fuzzNow.AddDate(0, 0, 2), Leader: "王建国"}},
		&SlotEnv{Now: fuzzNow, Slot: &Slot{}},
	}
}

// exercise evaluates, renders and explains every rule of rs on every
// sample subject of its kind. Errors are fine; panics are not.
func exercise(t *testing.T, rs *RuleSet) {
	var ev Evaluator
	tick := rs.At(fuzzNow)
	for _, r := range rs.Rules {
		for _, env := range fuzzSubjects() {
			kind := ""
			switch env.(type) {
			case *CaseEnv:
				kind = SubjectCase
			case *PetitionerEnv:
				kind = SubjectPetitioner
			case *SlotEnv:
				kind = SubjectSlot
			}
			if kind != r.Subject {
				continue
			}
			setParams(env, r.Params)
			r.Admits(env)
			holds, err := ev.Holds(r, env)
			if err != nil || !holds {
				continue
			}
			tick.Render(&ev, r, env, "subject", "F-1")
			tick.Explain(&ev, r, env, "subject")
			if r.Subject == SubjectPetitioner && r.Flag != nil {
				tick.FlagCases(&ev, r, env)
			}
		}
	}
}

func addSeedFiles(f *testing.F, fsys fs.FS) {
	fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".yaml") {
			if b, err := fs.ReadFile(fsys, path); err == nil {
				f.Add(b)
			}
		}
		return nil
	})
}

// FuzzLoad loads arbitrary bytes as a rule file.
func FuzzLoad(f *testing.F) {
	addSeedFiles(f, Defaults())
	addSeedFiles(f, os.DirFS("testdata"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if rs := fuzzLoad(t, fstest.MapFS{"r.yaml": {Data: data}}); rs != nil {
			exercise(t, rs)
		}
	})
}

// ruleFile is a rule file around one expression and one template, both
// written as YAML double-quoted strings so that any text fits.
func ruleFile(subject, when, title string) []byte {
	return []byte("rules:\n  - id: fuzz.rule\n    subject: " + subject + "\n    schedule: '@every 1h'\n    window: 90d\n" +
		"    params: {days: 15, units: [zjj, rsj], name: 张三}\n" +
		"    when: " + strconv.Quote(when) + "\n" +
		"    notice: {level: 督办, to: [督查组], title: " + strconv.Quote(title) + "}\n")
}

var exprSeeds = []string{
	"Case.Open && Now > Case.DueAt",
	"let due = dueDate(Case, days, 30); Case.Open && !due.IsZero() && Now > due",
	"workdaysBetween(Case.ReceivedAt, Now) > days && Case.AssignedUnit in units",
	"Petitioner.TopCategoryCount >= 3 && len(filter(Petitioner.Cases, .Category == Petitioner.TopCategory)) > 1",
	"!Slot.LeaderAvailable && Slot.Substitute == '' && daysUntil(Slot.Date) <= 7",
	"Case.GroupSize >= 5 || Case.Escalated",
	"all(1..1000, all(1..1000, # > 0))",
	`repeat("x", 1000000000) != ""`,
	"count(Petitioner.Cases, any(Petitioner.Cases, all(Petitioner.Cases, true)))",
	`reduce(1..100000, #acc + "xx", "") != ""`,
	strings.Repeat("(", 300) + "true" + strings.Repeat(")", 300),
}

// FuzzExpr compiles and evaluates arbitrary conditions on case,
// petitioner and slot rules.
func FuzzExpr(f *testing.F) {
	for _, s := range exprSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, when string) {
		for _, subject := range []string{SubjectCase, SubjectPetitioner, SubjectSlot} {
			if rs := fuzzLoad(t, fstest.MapFS{"r.yaml": {Data: ruleFile(subject, when, "x")}}); rs != nil {
				exercise(t, rs)
			}
		}
	})
}

var templateSeeds = []string{
	"{{ .Case.CaseNo }} 已超期 {{ daysSince .Case.DueAt }} 天",
	"{{ range .Petitioner.Cases }}{{ .CaseNo }} {{ date .ReceivedAt }}；{{ end }}",
	"{{ .Params.name }} {{ printf \"%05d\" .Case.GroupSize }}",
	"{{ range .Petitioner.Cases }}{{ range $.Petitioner.Cases }}{{ range $.Petitioner.Cases }}x{{ end }}{{ end }}{{ end }}",
	`{{ define "x" }}{{ template "x" . }}{{ end }}{{ template "x" . }}`,
	"{{ printf \"%0999999d\" 1 }}",
}

// FuzzTemplate parses and renders arbitrary notice titles.
func FuzzTemplate(f *testing.F) {
	for _, s := range templateSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, title string) {
		for _, subject := range []string{SubjectCase, SubjectPetitioner} {
			if rs := fuzzLoad(t, fstest.MapFS{"r.yaml": {Data: ruleFile(subject, "true", title)}}); rs != nil {
				exercise(t, rs)
			}
		}
	})
}
