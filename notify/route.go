package notify

import (
	"slices"

	"duban/models"
)

// Route sends the notices it matches to its channels. An empty list matches
// anything; a notice matches when it matches every list given.
type Route struct {
	Levels     []string // 提醒, 催办, 督办
	Recipients []string // unit codes or groups (督查组, 信访局): any of the notice's recipients
	Rules      []string // rule ids
	Channels   []string
}

// Match reports whether the route takes the notice.
func (r *Route) Match(n *models.Notice, recipients []string) bool {
	if len(r.Levels) > 0 && !slices.Contains(r.Levels, n.Level) {
		return false
	}
	if len(r.Rules) > 0 && !slices.Contains(r.Rules, n.RuleID) {
		return false
	}
	if len(r.Recipients) > 0 && !slices.ContainsFunc(recipients, func(s string) bool { return slices.Contains(r.Recipients, s) }) {
		return false
	}
	return true
}

// Router picks a notice's channels: those of every route that matches it.
type Router struct {
	Routes []Route
}

// Channels returns the channels for a notice, each once, in route order.
func (rt *Router) Channels(n *models.Notice) []string {
	recipients := Recipients(n)
	var out []string
	for i := range rt.Routes {
		r := &rt.Routes[i]
		if !r.Match(n, recipients) {
			continue
		}
		for _, c := range r.Channels {
			if !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
	}
	return out
}
