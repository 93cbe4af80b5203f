package rules

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"text/template"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm"
	"github.com/robfig/cron/v3"

	"duban/calendar"
)

// Rule is one compiled rule: a plain value, never changed after loading.
// Run state (last run, errors) lives elsewhere.
type Rule struct {
	ID          string
	Name        string
	Description string
	Subject     string // case | petitioner | reception_slot
	Schedule    string
	Window      time.Duration // petitioner rules: how far back cases count
	Params      map[string]any
	When        string
	File        string
	Line        int
	Disabled    bool

	Notice         *NoticeRule
	Flag           *FlagRule
	Accountability *AccountabilityRule
	// Scope is what a store can filter on before evaluating When.
	Scope Scope
	// Time is how the condition depends on Now.
	Time TimeUse

	schedule cron.Schedule
	when     *vm.Program
	explain  *explainer
	admit    func(env any) bool // native check of Scope; nil admits all
	// usedParams are the param names the rule's expressions and templates
	// read; workdays is set when any of them reasons in working days.
	usedParams map[string]bool
	workdays   bool
	// spec is the rule as written, for comparing two versions of a rule.
	spec ruleSpec
}

// NoticeRule is what a rule's notice says and to whom.
type NoticeRule struct {
	Level  string
	To     []Recipient
	Repeat time.Duration // 0: sent once per episode
	title  *template.Template
	body   *template.Template
}

// FlagRule is the label a rule puts on cases.
type FlagRule struct {
	Label string
	cases *vm.Program // petitioner rules: which cases; nil: the subject case
}

// AccountabilityRule is the accountability record a rule writes.
type AccountabilityRule struct {
	Against Recipient
	Grade   string
	reason  *template.Template
}

// Recipient is a unit code or group: a literal name or an expression.
type Recipient struct {
	Literal string
	Source  string
	program *vm.Program
}

// Subject kinds.
const (
	SubjectCase       = "case"
	SubjectPetitioner = "petitioner"
	SubjectSlot       = "reception_slot"
)

// Levels is the notice escalation ladder, lowest first.
var Levels = []string{"提醒", "催办", "督办"}

// Limits that keep a rule file from hanging or flooding the engine.
const (
	maxExprNodes     = 2000
	maxTitleBytes    = 512
	maxBodyBytes     = 8 << 10
	maxReasonBytes   = 4 << 10
	defaultSchedule  = "0 * * * *"
	maxExplainedSubs = 40
	maxParamList     = 1000
)

// Next is the first time the rule's schedule fires after t.
func (r *Rule) Next(t time.Time) time.Time { return r.schedule.Next(t) }

var (
	idPattern    = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$`)
	paramPattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	bareWord     = regexp.MustCompile(`^[\p{L}\p{N}_-]+$`)
	envNames     = map[string]bool{"Now": true, "Case": true, "Petitioner": true, "Slot": true, "Params": true}
	cronParser   = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)
)

type compiler struct {
	cal    *calendar.Calendar
	loc    *time.Location
	bounds Bounds // of the trial runs
}

func newCompiler(cal *calendar.Calendar, loc *time.Location, bounds Bounds) *compiler {
	return &compiler{cal: cal, loc: loc, bounds: bounds}
}

// envFor returns a typed zero env for a subject, for the checker, and a sample
// with a non-nil subject for trying templates.
func envFor(subject string) (typed any, sample any) {
	switch subject {
	case SubjectCase:
		return &CaseEnv{}, &CaseEnv{Case: &Case{}}
	case SubjectPetitioner:
		return &PetitionerEnv{}, &PetitionerEnv{Petitioner: &Petitioner{Cases: []CaseBrief{{}}}}
	case SubjectSlot:
		return &SlotEnv{}, &SlotEnv{Slot: &Slot{}}
	}
	return nil, nil
}

// ruleCompile carries one rule's compilation and collects its problems.
type ruleCompile struct {
	*compiler
	file   string
	pr     parsedRule
	r      *Rule
	env    any
	sample any
	probs  Problems
}

func (rc *ruleCompile) problem(line, col int, format string, args ...any) {
	rc.probs = append(rc.probs, Problem{File: rc.file, Line: line, Col: col, RuleID: rc.r.ID,
		Message: fmt.Sprintf(format, args...)})
}

// keyProblem reports a problem at a key of the rule (a dotted path such as
// notice.repeat), or at its parent key, or at the rule's start.
func (rc *ruleCompile) keyProblem(key string, format string, args ...any) {
	line, col := rc.pr.line, 0
	for k := key; k != ""; {
		if p, ok := rc.pr.keys[k]; ok {
			line, col = p.Line, p.Column
			break
		}
		i := strings.LastIndex(k, ".")
		if i < 0 {
			break
		}
		k = k[:i]
	}
	rc.problem(line, col, format, args...)
}

// missing reports a required key that is absent, unless an earlier problem
// (a bad value or a misspelt key beside it) already explains its absence.
func (rc *ruleCompile) missing(key string, format string, args ...any) {
	if rc.pr.unsure(key) {
		return
	}
	rc.keyProblem(key, format, args...)
}

func (c *compiler) compile(pf *parsedFile, pr parsedRule) (*Rule, Problems) {
	s := pr.spec
	rc := &ruleCompile{compiler: c, file: pf.name, pr: pr, r: &Rule{
		ID: s.ID, Name: s.Name, Description: s.Description, Subject: s.Subject,
		Schedule: s.Schedule, When: strings.TrimSpace(s.When.Text), File: pf.name, Line: pr.line,
		Disabled: s.Disabled,
	}}
	r := rc.r
	switch {
	case s.ID == "":
		rc.problem(pr.line, 0, "rule has no id")
	case !idPattern.MatchString(s.ID):
		rc.keyProblem("id", "id %q must be lower-case words joined by dots, like deadline.breach", s.ID)
	}
	rc.env, rc.sample = envFor(s.Subject)
	if rc.env == nil {
		switch {
		case rc.pr.bad["subject"]:
		case s.Subject == "":
			rc.missing("subject", "rule has no subject: give case, petitioner or reception_slot")
		default:
			rc.keyProblem("subject", "subject %q must be case, petitioner or reception_slot", s.Subject)
		}
		return nil, rc.probs
	}

	if r.Schedule == "" {
		r.Schedule = defaultSchedule
	}
	spec := r.Schedule
	if !strings.HasPrefix(spec, "TZ=") && !strings.HasPrefix(spec, "CRON_TZ=") {
		spec = "CRON_TZ=" + c.loc.String() + " " + spec
	}
	sched, err := cronParser.Parse(spec)
	if err != nil {
		rc.keyProblem("schedule", "schedule %q: %v", r.Schedule, err)
	}
	r.schedule = sched

	if s.Window != "" {
		if s.Subject != SubjectPetitioner {
			rc.keyProblem("window", "window applies to petitioner rules only")
		} else if r.Window, err = parseDuration(s.Window); err != nil || r.Window <= 0 {
			rc.keyProblem("window", "window: %v", orPositive(err))
		}
	}

	r.Params = rc.params(pf.spec.Params, s.Params)

	if r.When == "" {
		rc.missing("when", "rule has no `when` condition")
	} else if prog, err := rc.compileExpr(s.When, expr.AsBool()); err != nil {
		rc.exprProblem(s.When, err)
	} else {
		r.when = prog
		r.Scope = extractScope(s.Subject, r.When, r.Params)
		r.admit = compileAdmit(s.Subject, r.Scope)
		r.explain = rc.explainer(s.When.Text)
		r.Time = rc.analyseTime(s.When.Text)
	}

	if s.Notice == nil && s.Flag == nil && s.Accountability == nil && !rc.pr.unsure("notice") {
		rc.problem(pr.line, 0, "rule raises nothing: give it a notice, a flag or an accountability")
	}
	if s.Notice != nil {
		r.Notice = rc.notice(s.Notice)
	}
	if s.Flag != nil {
		r.Flag = rc.flag(s.Flag)
	}
	if s.Accountability != nil {
		r.Accountability = rc.accountability(s.Accountability)
	}
	if len(rc.probs.Errors()) > 0 {
		return nil, rc.probs
	}
	r.spec = s
	rc.lint(s)
	return r, rc.probs
}

func orPositive(err error) error {
	if err != nil {
		return err
	}
	return errors.New("must be positive")
}

// params merges file-level and rule-level params into the constants the
// rule's expressions see by bare name.
func (rc *ruleCompile) params(fileParams, ruleParams map[string]any) map[string]any {
	out := map[string]any{}
	for _, src := range []map[string]any{fileParams, ruleParams} {
		for k, v := range src {
			if !paramPattern.MatchString(k) || envNames[k] {
				rc.keyProblem("params", "param name %q must be an identifier other than Now, Case, Petitioner, Slot and Params", k)
				continue
			}
			if l, ok := v.([]any); ok && len(l) > maxParamList {
				rc.keyProblem("params", "param %s: a list of %d values; at most %d", k, len(l), maxParamList)
				continue
			}
			nv, ok := normaliseParam(v)
			if !ok {
				rc.keyProblem("params", "param %s: %v is not a number, string, boolean or list of them", k, v)
				continue
			}
			out[k] = nv
		}
	}
	return out
}

func normaliseParam(v any) (any, bool) {
	switch v := v.(type) {
	case uint64:
		return int(v), true
	case int64:
		return int(v), true
	case int:
		return v, true
	case float64, string, bool:
		return v, true
	case []any:
		out := make([]any, 0, len(v))
		for _, e := range v {
			ne, ok := normaliseParam(e)
			if !ok {
				return nil, false
			}
			out = append(out, ne)
		}
		return out, true
	}
	return nil, false
}

func (rc *ruleCompile) exprOptions(extra ...expr.Option) []expr.Option {
	opts := []expr.Option{
		expr.Env(rc.env),
		expr.DisableBuiltin("now"), // rules reason about Now, never the wall clock
		expr.Timezone(rc.loc.String()),
		expr.MaxNodes(maxExprNodes),
		expr.Patch(paramPatcher{rc.r.Params}),
	}
	opts = append(opts, exprFunctions(rc.cal)...)
	opts = append(opts, budgetOptions()...)
	return append(opts, extra...)
}

func (rc *ruleCompile) compileExpr(src Src, extra ...expr.Option) (*vm.Program, error) {
	if len(src.Text) > maxExprBytes {
		return nil, fmt.Errorf("the expression is %d bytes; at most %d", len(src.Text), maxExprBytes)
	}
	return expr.Compile(src.Text, rc.exprOptions(extra...)...)
}

// exprProblem reports an expression error at its line and column in the file.
func (rc *ruleCompile) exprProblem(src Src, err error) {
	var fe *file.Error
	if errors.As(err, &fe) {
		line, col := src.at(fe.Line, fe.Column)
		rc.problem(line, col, "%s", explainExprError(fe.Message, rc.env))
		return
	}
	rc.problem(src.Line, src.Col, "%v", err)
}

func (rc *ruleCompile) recipient(src Src, field string) (Recipient, bool) {
	text := strings.TrimSpace(src.Text)
	if text == "" {
		rc.problem(src.Line, src.Col, "%s: empty recipient", field)
		return Recipient{}, false
	}
	prog, err := rc.compileExpr(src, expr.AsKind(reflect.String))
	if err == nil {
		return Recipient{Source: text, program: prog}, true
	}
	if bareWord.MatchString(text) && !envNames[text] {
		// A bare name that is not an expression, like 督查组: taken literally.
		rc.literalWarning(src, field, text)
		return Recipient{Literal: text, Source: text}, true
	}
	rc.exprProblem(src, fmt.Errorf("%s: %w", field, err))
	return Recipient{}, false
}

func (rc *ruleCompile) notice(n *noticeSpec) *NoticeRule {
	out := &NoticeRule{Level: n.Level}
	switch {
	case n.Level == "":
		rc.missing("notice.level", "notice has no level: give one of %s", strings.Join(Levels, ", "))
	case !slices.Contains(Levels, n.Level):
		rc.keyProblem("notice.level", "notice level %q must be one of %s", n.Level, strings.Join(Levels, ", "))
	}
	if len(n.To) == 0 {
		rc.missing("notice.to", "notice has no recipient: give `to:` a unit expression such as Case.AssignedUnit or a group such as 督查组")
	}
	for _, to := range n.To {
		if rcp, ok := rc.recipient(to, "to"); ok {
			out.To = append(out.To, rcp)
		}
	}
	if n.Repeat != "" {
		d, err := parseDuration(n.Repeat)
		if err != nil || d <= 0 {
			rc.keyProblem("notice.repeat", "notice repeat: %v", orPositive(err))
		}
		out.Repeat = d
	}
	if strings.TrimSpace(n.Title.Text) == "" {
		rc.missing("notice.title", "notice has no title")
	} else {
		out.title = rc.template("title", n.Title, maxTitleBytes)
	}
	if n.Body.Text != "" {
		out.body = rc.template("body", n.Body, maxBodyBytes)
	}
	return out
}

func (rc *ruleCompile) flag(f *flagSpec) *FlagRule {
	out := &FlagRule{Label: strings.TrimSpace(f.Label)}
	if out.Label == "" {
		rc.missing("flag.label", "flag has no label (such as 重复访, 越级访, 集体访)")
	}
	switch rc.r.Subject {
	case SubjectSlot:
		rc.keyProblem("flag", "flags label cases; a reception_slot rule cannot raise one")
	case SubjectCase:
		if f.Cases.Text != "" {
			rc.keyProblem("flag.cases", "flag cases: applies to petitioner rules; a case rule flags its own case")
		}
	case SubjectPetitioner:
		if f.Cases.Text == "" {
			rc.missing("flag.cases", "a petitioner rule's flag needs `cases:`, an expression listing case numbers, such as map(Petitioner.Cases, .CaseNo)")
			break
		}
		prog, err := rc.compileExpr(f.Cases)
		if err != nil {
			rc.exprProblem(f.Cases, fmt.Errorf("flag cases: %w", err))
			break
		}
		if k := prog.Node().Type(); k != nil && k.Kind() != reflect.Slice && k.Kind() != reflect.Interface {
			rc.problem(f.Cases.Line, f.Cases.Col, "flag cases: expression gives %s, want a list of case numbers", k)
			break
		}
		out.cases = prog
	}
	return out
}

func (rc *ruleCompile) accountability(a *accountSpec) *AccountabilityRule {
	out := &AccountabilityRule{Grade: strings.TrimSpace(a.Grade)}
	if strings.TrimSpace(a.Against.Text) == "" {
		rc.missing("accountability.against", "accountability has no `against:` (the unit held accountable, such as Case.AssignedUnit)")
	} else if rcp, ok := rc.recipient(a.Against, "against"); ok {
		out.Against = rcp
	}
	if out.Grade == "" {
		rc.missing("accountability.grade", "accountability has no grade (such as 提醒谈话, 约谈, 通报批评, 挂牌督办, 追责建议)")
	}
	if strings.TrimSpace(a.Reason.Text) == "" {
		rc.missing("accountability.reason", "accountability has no reason")
	} else {
		out.reason = rc.template("reason", a.Reason, maxReasonBytes)
	}
	return out
}

// explainExprError rewrites the checker's messages about unknown fields and
// names in the rule language's terms, with the name the writer probably meant:
// "Case.DueDate: no such field; did you mean Case.DueAt?".
func explainExprError(msg string, env any) string {
	if m := noField.FindStringSubmatch(msg); m != nil {
		typ, name := m[1]+m[4], m[2]+m[3]
		subject := typ[strings.LastIndex(typ, ".")+1:]
		out := subject + "." + name + ": no such field"
		if s := suggestField(name, env); s != "" {
			out += "; did you mean " + s + "?"
		}
		return out
	}
	if m := unknownName.FindStringSubmatch(msg); m != nil {
		out := m[1] + ": unknown name"
		if s := suggestName(m[1], env); s != "" {
			out += "; did you mean " + s + "?"
		}
		return out
	}
	return msg
}

var (
	noField     = regexp.MustCompile(`type \*?([\w.]+) has no field (\w+)|can't evaluate field (\w+) in type \*?([\w.]+)`)
	unknownName = regexp.MustCompile(`unknown name (\w+)`)
)
