package rules

// Source gives the rule set in force. The service's reloader implements it
// (and swaps the set when rule files change); everything that only reads the
// current rules — ticks, the API's rules page — takes a Source.
type Source interface {
	Current() *RuleSet
}

// Static is a Source that never changes.
type Static struct{ Set *RuleSet }

// Current returns the set.
func (s Static) Current() *RuleSet { return s.Set }
