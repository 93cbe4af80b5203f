package rules

import "time"

// The env is what a rule's expressions and templates see. Every field and
// function here is part of the rule language: docs/rules-env.md is generated
// from these doc comments (and from Functions), so write them for rule
// writers. A test fails when the generated page is out of date.

//go:generate go run duban/internal/envdoc/gen -o ../docs/rules-env.md

// CaseEnv is the env of a rule with `subject: case`.
type CaseEnv struct {
	// Now is the instant the tick reasons about (never the wall clock).
	Now time.Time
	// Case is the case being checked.
	Case *Case
	// Params are the rule's params (also usable by bare name in expressions).
	Params map[string]any

	budget budget // what the evaluation under way has spent
}

// PetitionerEnv is the env of a rule with `subject: petitioner`.
type PetitionerEnv struct {
	// Now is the instant the tick reasons about.
	Now time.Time
	// Petitioner is the petitioner being checked, with the cases of the rule's window.
	Petitioner *Petitioner
	// Params are the rule's params.
	Params map[string]any

	budget budget // what the evaluation under way has spent
}

// SlotEnv is the env of a rule with `subject: reception_slot`.
type SlotEnv struct {
	// Now is the instant the tick reasons about.
	Now time.Time
	// Slot is the reception slot being checked.
	Slot *Slot
	// Params are the rule's params.
	Params map[string]any

	budget budget // what the evaluation under way has spent
}

// Case is a petition as rules see it. Unset times are zero: test them with
// Case.Accepted, Case.Assigned, Case.ReturnVisited or t.IsZero().
type Case struct {
	// CaseNo is the case number (unique).
	CaseNo string
	// PetitionerID identifies the petitioner.
	PetitionerID string
	// PetitionerName is the petitioner's name.
	PetitionerName string
	// Channel is how the petition arrived: visit, letter, online, phone or leader_reception.
	Channel string
	// Category is the matter the petition is about (e.g. 征地拆迁, 劳资纠纷).
	Category string
	// GroupSize is the number of people who came together (1 for one person).
	GroupSize int
	// ReceivedAt is when the petition was received.
	ReceivedAt time.Time
	// ReceptionLeader is the leader who received it on a reception day, if any.
	ReceptionLeader string
	// AcceptedAt is when it was accepted or forwarded (受理/转送).
	AcceptedAt time.Time
	// AssignedUnit is the code of the responsible unit (责任单位).
	AssignedUnit string
	// AssignedAt is when it was handed to the responsible unit (交办).
	AssignedAt time.Time
	// DueAt is the deadline set when it was handed over, if one was set.
	DueAt time.Time
	// ExtendedDueAt is the approved extended deadline (延期), if any.
	ExtendedDueAt time.Time
	// ClosedAt is when it was closed (办结).
	ClosedAt time.Time
	// ReturnVisitAt is when the petitioner was revisited after closing (回访).
	ReturnVisitAt time.Time
	// Status is received, accepted, assigned, closed or rejected.
	Status string
	// Escalated marks a petition that skipped levels (越级).
	Escalated bool
	// LawRelated marks a petition about a matter for the courts (涉法涉诉).
	LawRelated bool
	// Open is true while the status is received, accepted or assigned.
	Open bool
	// Accepted is true once AcceptedAt is set.
	Accepted bool
	// Assigned is true once AssignedAt is set.
	Assigned bool
	// ReturnVisited is true once ReturnVisitAt is set.
	ReturnVisited bool
}

// Fill sets the derived fields (Open, Accepted, Assigned, ReturnVisited).
func (c *Case) Fill() {
	c.Open = c.Status == "received" || c.Status == "accepted" || c.Status == "assigned"
	c.Accepted = !c.AcceptedAt.IsZero()
	c.Assigned = !c.AssignedAt.IsZero()
	c.ReturnVisited = !c.ReturnVisitAt.IsZero()
}

// CaseBrief is one of a petitioner's cases.
type CaseBrief struct {
	// CaseNo is the case number.
	CaseNo string
	// Category is the matter the case is about.
	Category string
	// Channel is how it arrived.
	Channel string
	// Status is its status.
	Status string
	// AssignedUnit is its responsible unit's code.
	AssignedUnit string
	// ReceivedAt is when it was received.
	ReceivedAt time.Time
	// Escalated marks a petition that skipped levels.
	Escalated bool
	// GroupSize is the number of people who came.
	GroupSize int
	// Open is true while the case is being handled.
	Open bool
}

// Petitioner is a petitioner and the cases they brought within the rule's
// `window` (all of them when the rule has no window).
type Petitioner struct {
	// ID identifies the petitioner.
	ID string
	// Name is the petitioner's name.
	Name string
	// Cases are the petitioner's cases in the window, oldest first.
	Cases []CaseBrief
	// CaseCount is len(Cases).
	CaseCount int
	// TopCategory is the category most of those cases share (the newest wins a tie).
	TopCategory string
	// TopCategoryCount is how many of the cases are on TopCategory.
	TopCategoryCount int
	// Latest is the newest case in the window.
	Latest CaseBrief
}

// Summarise sets CaseCount, TopCategory, TopCategoryCount and Latest from Cases.
func (p *Petitioner) Summarise() {
	p.CaseCount = len(p.Cases)
	p.TopCategory, p.TopCategoryCount, p.Latest = "", 0, CaseBrief{}
	if len(p.Cases) == 0 {
		return
	}
	p.Latest = p.Cases[len(p.Cases)-1]
	counts := make(map[string]int, 4)
	for _, c := range p.Cases {
		counts[c.Category]++
		// Cases are oldest first, so >= lets the newest category win a tie.
		if counts[c.Category] >= p.TopCategoryCount {
			p.TopCategory, p.TopCategoryCount = c.Category, counts[c.Category]
		}
	}
}

// Slot is a leader's reception slot on the roster (领导接访日).
type Slot struct {
	// Key is date/leader, e.g. 2026-03-05/王建国.
	Key string
	// Date is the start (00:00) of the reception day.
	Date time.Time
	// Leader is the leader on the roster.
	Leader string
	// LeaderAvailable is false when the leader cannot attend.
	LeaderAvailable bool
	// Substitute is the leader named to stand in, if any.
	Substitute string
	// Location is where the reception takes place.
	Location string
}
