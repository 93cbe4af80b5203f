package config

import (
	"os"
	"strings"
	"testing"
	"time"

	"duban/clock"
)

// FuzzParse reads any bytes as a notify file: a setup or problems that
// each name the file, never a panic. CI runs it briefly (.ci/fuzz).
func FuzzParse(f *testing.F) {
	for _, name := range []string{"testdata/notify.yaml"} {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`timezone: Asia/Shanghai
retry: {initial_backoff: 10s, max_backoff: 10m, give_up_after: 24h}
channels:
  - {name: hook, type: webhook, url: "https://cases.example.gov.cn/hooks/duban", secret: "${FUZZ_SECRET}", timeout: 5s}
  - {name: robot, type: wecom, url: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", rate_per_minute: 20}
  - {name: ding, type: dingtalk, url: "https://oapi.dingtalk.com/robot/send?access_token=t", secret: s}
  - {name: mail, type: email, host: smtp.example.gov.cn, port: 587, tls: starttls, from: a@example.gov.cn, to: [b@example.gov.cn]}
routes:
  - {levels: [督办], recipients: [督查组], rules: [deadline.breach], channels: [hook, robot]}
  - {channels: [mail, ding]}
`))
	clk := clock.NewFixed(time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC))
	os.Setenv("FUZZ_SECRET", "s3cret")
	f.Fuzz(func(t *testing.T, data []byte) {
		setup, err := Parse("notify.yaml", data, clk)
		if err != nil {
			e, ok := err.(Error)
			if !ok || len(e) == 0 {
				t.Fatalf("error %T is not a list of problems: %v", err, err)
			}
			for _, p := range e {
				if !strings.HasPrefix(p, "notify.yaml") {
					t.Fatalf("problem does not name the file: %q", p)
				}
			}
			return
		}
		if setup == nil || setup.Router == nil {
			t.Fatal("no error and no setup")
		}
	})
}
