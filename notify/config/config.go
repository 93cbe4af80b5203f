// Package config reads the notify file: the channels notices are delivered
// to, the routes that pick a notice's channels, and the retry policy.
// Decoding is strict — an unknown key is an error — and every problem is
// reported as file:line:col. Values may name environment variables as
// ${NAME}, so that robot keys and passwords stay out of the file.
//
//	timezone: Asia/Shanghai            # how times are shown in messages
//	retry: {initial_backoff: 10s, max_backoff: 10m, give_up_after: 24h}
//	channels:
//	  - name: dcz-wecom
//	    type: wecom                      # webhook | wecom | dingtalk | email
//	    url: https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${DCZ_WECOM_KEY}
//	routes:
//	  - {levels: [督办], channels: [dcz-wecom]}
package config

import (
	"fmt"
	"net/http"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"duban/clock"
	"duban/internal/yamlguard"
	"duban/notify"
	"duban/notify/dingtalk"
	"duban/notify/email"
	"duban/notify/webhook"
	"duban/notify/wecom"
	"duban/rules"
)

// Setup is a loaded notify file.
type Setup struct {
	File     string
	Channels []*notify.Channel
	Router   *notify.Router
	Retry    notify.Retry
	// Location is the file's timezone, nil when it names none.
	Location *time.Location
}

// Names lists the channels' names.
func (s *Setup) Names() []string {
	out := make([]string, len(s.Channels))
	for i, c := range s.Channels {
		out[i] = c.Name
	}
	return out
}

// Error lists every problem of a notify file, one file:line:col: message each.
type Error []string

func (e Error) Error() string { return strings.Join(e, "\n") }

// DefaultTimeout bounds one delivery attempt unless a channel says otherwise.
const DefaultTimeout = 10 * time.Second

// RobotRate is how many messages a minute a WeCom or DingTalk group robot
// takes (both refuse more than 20): their channels space their sends so,
// unless the file's rate_per_minute says otherwise.
var RobotRate = map[string]int{"wecom": 20, "dingtalk": 20}

// Types lists the channel types.
var Types = []string{"webhook", "wecom", "dingtalk", "email"}

// Load reads and checks a notify file. clk signs requests (nil: the wall clock).
func Load(path string, clk clock.Clock) (*Setup, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, src, clk)
}

type loader struct {
	name  string
	clk   clock.Clock
	probs []problem
}

type problem struct {
	line, col int
	msg       string
}

func (l *loader) problem(line, col int, format string, args ...any) {
	l.probs = append(l.probs, problem{line, col, fmt.Sprintf(format, args...)})
}

// errors returns the problems in file order, or nil.
func (l *loader) errors() error {
	if len(l.probs) == 0 {
		return nil
	}
	sort.SliceStable(l.probs, func(i, j int) bool {
		a, b := l.probs[i], l.probs[j]
		return a.line < b.line || a.line == b.line && a.col < b.col
	})
	out := make(Error, len(l.probs))
	for i, p := range l.probs {
		where := l.name
		if p.line > 0 {
			where += fmt.Sprintf(":%d", p.line)
			if p.col > 0 {
				where += fmt.Sprintf(":%d", p.col)
			}
		}
		out[i] = where + ": " + p.msg
	}
	return out
}

// at reports a problem at a node; for a mapping, at its first key.
func (l *loader) at(n ast.Node, format string, args ...any) {
	if m, ok := n.(*ast.MappingNode); ok && len(m.Values) > 0 {
		n = m.Values[0].Key
	}
	if m, ok := n.(*ast.MappingValueNode); ok {
		n = m.Key
	}
	line, col := 0, 0
	if n != nil && n.GetToken() != nil && n.GetToken().Position != nil {
		line, col = n.GetToken().Position.Line, n.GetToken().Position.Column
	}
	l.problem(line, col, format, args...)
}

func (l *loader) guardError(err error) {
	if ge, ok := err.(*yamlguard.Error); ok {
		l.problem(ge.Line, ge.Col, "%s", ge.Message)
		return
	}
	l.problem(0, 0, "%v", err)
}

func (l *loader) yamlError(err error) {
	if _, ok := err.(*yamlguard.Error); ok {
		l.guardError(err)
		return
	}
	if ye, ok := err.(yaml.Error); ok && ye.GetToken() != nil && ye.GetToken().Position != nil {
		p := ye.GetToken().Position
		msg := strings.NewReplacer("Go struct field ", "field ", "Go value of type ", "").Replace(ye.GetMessage())
		l.problem(p.Line, p.Column, "%s", msg)
		return
	}
	l.problem(0, 0, "%v", err)
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// expandEnv replaces ${NAME} with the variable's value, line by line so
// that lines keep their numbers.
func (l *loader) expandEnv(src []byte) []byte {
	lines := strings.Split(string(src), "\n")
	for i, line := range lines {
		lines[i] = envRef.ReplaceAllStringFunc(line, func(ref string) string {
			name := ref[2 : len(ref)-1]
			v, ok := os.LookupEnv(name)
			if !ok {
				l.problem(i+1, strings.Index(line, ref)+1, "environment variable %s is not set", name)
				return ""
			}
			if strings.ContainsAny(v, "\r\n") {
				l.problem(i+1, strings.Index(line, ref)+1, "environment variable %s holds a line break", name)
				return ""
			}
			return v
		})
	}
	return []byte(strings.Join(lines, "\n"))
}

type retrySpec struct {
	InitialBackoff string `yaml:"initial_backoff"`
	MaxBackoff     string `yaml:"max_backoff"`
	GiveUpAfter    string `yaml:"give_up_after"`
}

type routeSpec struct {
	Levels     []string `yaml:"levels"`
	Recipients []string `yaml:"recipients"`
	Rules      []string `yaml:"rules"`
	Channels   []string `yaml:"channels"`
}

var channelName = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]*$`)

// Parse is Load on bytes already read; name is used in problems.
func Parse(name string, src []byte, clk clock.Clock) (*Setup, error) {
	if clk == nil {
		clk = clock.Real{}
	}
	l := &loader{name: name, clk: clk}
	src = l.expandEnv(src)
	if err := yamlguard.CheckSource(src, yamlguard.Default); err != nil {
		l.guardError(err)
		return nil, l.errors()
	}
	f, err := parser.ParseBytes(src, 0)
	if err != nil {
		l.yamlError(err)
		return nil, l.errors()
	}
	if err := yamlguard.CheckAliases(f, yamlguard.Default); err != nil {
		l.guardError(err)
		return nil, l.errors()
	}
	if len(f.Docs) != 1 || f.Docs[0].Body == nil {
		l.problem(1, 0, "want one YAML document with `channels:` and `routes:`")
		return nil, l.errors()
	}
	top, ok := mapping(f.Docs[0].Body)
	if !ok {
		l.at(f.Docs[0].Body, "want a mapping with `channels:` and `routes:`")
		return nil, l.errors()
	}
	setup := &Setup{File: name, Router: &notify.Router{}, Retry: notify.DefaultRetry}
	var channels, routes ast.Node
	for _, mv := range top {
		switch key := mv.Key.GetToken().Value; key {
		case "timezone":
			loc, err := time.LoadLocation(mv.Value.GetToken().Value)
			if err != nil {
				l.at(mv.Value, "unknown timezone %q", mv.Value.GetToken().Value)
				continue
			}
			setup.Location = loc
		case "retry":
			setup.Retry = l.retry(mv.Value)
		case "channels":
			channels = mv.Value
		case "routes":
			routes = mv.Value
		default:
			l.at(mv.Key, "unknown key %q (want timezone, retry, channels or routes)", key)
		}
	}
	if channels == nil {
		l.problem(1, 0, "no `channels:`")
	} else {
		setup.Channels = l.channels(channels)
	}
	if routes == nil {
		l.problem(1, 0, "no `routes:` (without them nothing is sent)")
	} else {
		setup.Router.Routes = l.routes(routes, setup.Channels)
	}
	if err := l.errors(); err != nil {
		return nil, err
	}
	return setup, nil
}

// mapping returns the key/value pairs of a mapping node.
func mapping(n ast.Node) ([]*ast.MappingValueNode, bool) {
	switch m := n.(type) {
	case *ast.MappingNode:
		return m.Values, true
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{m}, true
	}
	return nil, false
}

func (l *loader) duration(n ast.Node, what, s string, def time.Duration) time.Duration {
	if s == "" {
		return def
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		l.at(n, "%s: %q is not a duration like 30s, 10m or 24h", what, s)
		return def
	}
	return d
}

func (l *loader) retry(n ast.Node) notify.Retry {
	var spec retrySpec
	if err := yamlguard.NodeToValue(n, &spec, yaml.Strict()); err != nil {
		l.yamlError(err)
		return notify.DefaultRetry
	}
	d := notify.DefaultRetry
	r := notify.Retry{
		Initial:     l.duration(n, "initial_backoff", spec.InitialBackoff, d.Initial),
		Max:         l.duration(n, "max_backoff", spec.MaxBackoff, d.Max),
		GiveUpAfter: l.duration(n, "give_up_after", spec.GiveUpAfter, d.GiveUpAfter),
	}
	if r.Max < r.Initial {
		l.at(n, "max_backoff %s is shorter than initial_backoff %s", r.Max, r.Initial)
	}
	return r
}

func (l *loader) channels(n ast.Node) []*notify.Channel {
	seq, ok := n.(*ast.SequenceNode)
	if !ok {
		l.at(n, "`channels:` must be a list")
		return nil
	}
	client := &http.Client{}
	var out []*notify.Channel
	seen := map[string]int{}
	for _, item := range seq.Values {
		values, ok := mapping(item)
		if !ok {
			l.at(item, "a channel is a mapping with name, type and its settings")
			continue
		}
		var name, typ, timeout string
		var rate ast.Node
		var nameNode ast.Node = item
		rest := &ast.MappingNode{BaseNode: &ast.BaseNode{}}
		if m, ok := item.(*ast.MappingNode); ok {
			rest.Start = m.Start
		}
		for _, mv := range values {
			switch mv.Key.GetToken().Value {
			case "name":
				name, nameNode = mv.Value.GetToken().Value, mv.Value
			case "type":
				typ = mv.Value.GetToken().Value
			case "timeout":
				timeout = mv.Value.GetToken().Value
			case "rate_per_minute":
				rate = mv.Value
			default:
				rest.Values = append(rest.Values, mv)
			}
		}
		line := item.GetToken().Position.Line
		switch {
		case name == "":
			l.at(item, "channel without a name")
			continue
		case !channelName.MatchString(name):
			l.at(nameNode, "channel name %q: use lower-case letters, digits, - _ and .", name)
			continue
		case seen[name] > 0:
			l.at(nameNode, "channel %s is already defined at line %d", name, seen[name])
			continue
		}
		seen[name] = line
		ch := &notify.Channel{Name: name, Type: typ, Timeout: l.duration(item, "channel "+name+": timeout", timeout, DefaultTimeout)}
		perMinute := RobotRate[typ]
		if rate != nil {
			n, err := strconv.Atoi(rate.GetToken().Value)
			if err != nil || n < 0 {
				l.at(rate, "rate_per_minute: %q is not a whole number of messages (0: no limit)", rate.GetToken().Value)
			}
			perMinute = n
		}
		if perMinute > 0 {
			ch.Interval = time.Minute / time.Duration(perMinute)
		}
		var err error
		decode := func(cfg any) bool {
			if len(rest.Values) == 0 {
				return true
			}
			if err := yamlguard.NodeToValue(rest, cfg, yaml.Strict()); err != nil {
				l.yamlError(err)
				return false
			}
			return true
		}
		switch typ {
		case "webhook":
			var cfg webhook.Config
			if decode(&cfg) {
				ch.Notifier, err = webhook.New(cfg, client, l.clk)
			}
		case "wecom":
			var cfg wecom.Config
			if decode(&cfg) {
				ch.Notifier, err = wecom.New(cfg, client)
			}
		case "dingtalk":
			var cfg dingtalk.Config
			if decode(&cfg) {
				ch.Notifier, err = dingtalk.New(cfg, client, l.clk)
			}
		case "email":
			var cfg email.Config
			if decode(&cfg) {
				ch.Notifier, err = email.New(cfg, ch.Timeout)
			}
		default:
			l.at(item, "channel %s: type %q; want %s", name, typ, strings.Join(Types, ", "))
			continue
		}
		if err != nil {
			l.at(item, "channel %s (%s): %v", name, typ, err)
			continue
		}
		if ch.Notifier != nil {
			out = append(out, ch)
		}
	}
	if len(seq.Values) == 0 {
		l.at(n, "`channels:` is empty")
	}
	return out
}

func (l *loader) routes(n ast.Node, channels []*notify.Channel) []notify.Route {
	seq, ok := n.(*ast.SequenceNode)
	if !ok {
		l.at(n, "`routes:` must be a list")
		return nil
	}
	names := map[string]bool{}
	for _, c := range channels {
		names[c.Name] = true
	}
	var out []notify.Route
	for _, item := range seq.Values {
		var spec routeSpec
		if err := yamlguard.NodeToValue(item, &spec, yaml.Strict()); err != nil {
			l.yamlError(err)
			continue
		}
		if len(spec.Channels) == 0 {
			l.at(item, "route without channels")
			continue
		}
		for _, c := range spec.Channels {
			if !names[c] {
				l.at(item, "route names channel %q, which is not defined (or has problems above)", c)
			}
		}
		for _, lv := range spec.Levels {
			if !slices.Contains(rules.Levels, lv) {
				l.at(item, "level %q; want %s", lv, strings.Join(rules.Levels, ", "))
			}
		}
		out = append(out, notify.Route{Levels: spec.Levels, Recipients: spec.Recipients, Rules: spec.Rules, Channels: spec.Channels})
	}
	return out
}
