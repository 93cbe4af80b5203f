package config_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"duban/models"
	"duban/notify/config"
)

func TestTheExampleFileLoadsAndRoutes(t *testing.T) {
	for _, v := range []string{"DCZ_WECOM_KEY", "XFJ_DINGTALK_TOKEN", "XFJ_DINGTALK_SECRET", "SMTP_PASSWORD", "CASE_SYSTEM_SECRET"} {
		t.Setenv(v, "x-"+v)
	}
	s, err := config.Load("testdata/notify.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(s.Names(), ","); got != "dcz-wecom,xfj-dingtalk,zjj-mail,case-system" {
		t.Errorf("channels %s", got)
	}
	if s.Retry.Initial != 10*time.Second || s.Retry.GiveUpAfter != 24*time.Hour || s.Location.String() != "Asia/Shanghai" {
		t.Errorf("retry %+v, zone %s", s.Retry, s.Location)
	}
	for _, c := range s.Channels {
		if want := map[string]time.Duration{"dcz-wecom": 3 * time.Second, "xfj-dingtalk": 3 * time.Second}[c.Name]; c.Interval != want {
			t.Errorf("%s: spaced by %s, want %s", c.Name, c.Interval, want)
		}
		if want := map[string]time.Duration{"case-system": 5 * time.Second}[c.Name]; want != 0 && c.Timeout != want || want == 0 && c.Timeout != config.DefaultTimeout {
			t.Errorf("%s: timeout %s", c.Name, c.Timeout)
		}
	}
	for _, c := range []struct {
		level, recipients, want string
	}{
		{"督办", `["zjj","督查组"]`, "dcz-wecom,zjj-mail,case-system"},
		{"提醒", `["zjj"]`, "zjj-mail,case-system"},
		{"催办", `["信访局","督查组"]`, "xfj-dingtalk,case-system"},
		{"提醒", `["rsj"]`, "case-system"},
	} {
		got := s.Router.Channels(&models.Notice{Level: c.level, Recipients: c.recipients})
		if strings.Join(got, ",") != c.want {
			t.Errorf("%s to %s: %v, want %s", c.level, c.recipients, got, c.want)
		}
	}
}

func TestEveryProblemIsReportedWithItsLine(t *testing.T) {
	src := `timezone: Mars/Olympus
retry: {initial_backoff: soon}
channels:
  - name: a
    type: wecom
    url: https://qyapi.weixin.qq.com/cgi-bin/webhook/send
  - name: b
    type: webhook
    url: https://x.example/hook
    sekret: oops
    rate_per_minute: lots
  - name: c
    type: pager
  - name: a
    type: webhook
    url: ${NOT_SET_ANYWHERE}
routes:
  - {levels: [紧急], channels: [b]}
  - {channels: [zz]}
  - {levels: [督办]}
colour: blue
`
	_, err := config.Parse("notify.yaml", []byte(src), nil)
	if err == nil {
		t.Fatal("a bad file loaded")
	}
	for _, want := range []string{
		"notify.yaml:16:10: environment variable NOT_SET_ANYWHERE is not set",
		"notify.yaml:1:11: unknown timezone",
		`notify.yaml:2:9: initial_backoff: "soon" is not a duration`,
		"notify.yaml:4:5: channel a (wecom): url: want the robot's webhook address",
		`notify.yaml:10:5: unknown field "sekret"`,
		`notify.yaml:11:22: rate_per_minute: "lots" is not a whole number`,
		`notify.yaml:12:5: channel c: type "pager"`,
		"notify.yaml:14:11: channel a is already defined at line 4",
		`notify.yaml:18:6: level "紧急"`,
		`notify.yaml:19:6: route names channel "zz"`,
		"notify.yaml:20:6: route without channels",
		`notify.yaml:21:1: unknown key "colour"`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
}

// The README's example notify file loads.
func TestTheReadmeExampleLoads(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "The notify file (strict YAML")
	_, rest, ok2 := strings.Cut(rest, "```yaml\n")
	block, _, ok3 := strings.Cut(rest, "```")
	if !ok || !ok2 || !ok3 {
		t.Fatal("no example notify file in the README")
	}
	for _, v := range []string{"DCZ_WECOM_KEY", "XFJ_DINGTALK_TOKEN", "XFJ_DINGTALK_SECRET", "SMTP_PASSWORD", "CASE_SYSTEM_SECRET"} {
		t.Setenv(v, "x")
	}
	s, err := config.Parse("README.md", []byte(block), nil)
	if err != nil || len(s.Channels) != 4 || len(s.Router.Routes) != 4 {
		t.Errorf("%v", err)
	}
}
