package people_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"duban/clock"
	"duban/models"
	"duban/store"
	"duban/store/storetest"
)

// The browser flows: a supervisor, a unit user and an inspector sign in to
// the pages in a real headless Chromium and each does their job; an admin
// looks at the rules. Screenshots of every step are kept under
// artifacts/screenshots/ at the repository root.

// chromiumPath finds Debian's chromium. Without it the test is skipped, or
// fails when DUBAN_TEST_BROWSER_REQUIRED=1 (CI).
func chromiumPath(t *testing.T) string {
	for _, p := range []string{os.Getenv("DUBAN_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("DUBAN_TEST_BROWSER_REQUIRED") == "1" {
		t.Fatal("chromium is required (DUBAN_TEST_BROWSER_REQUIRED=1) but not installed: apt-get install -y chromium")
	}
	t.Skip("chromium not installed (apt-get install -y chromium); set DUBAN_TEST_BROWSER_REQUIRED=1 to make this a failure")
	return ""
}

// screenshotDir is artifacts/screenshots/ at the module root.
func screenshotDir(t *testing.T) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
	return filepath.Join(dir, "artifacts", "screenshots")
}

type tab struct {
	t    *testing.T
	ctx  context.Context
	base string
	dir  string
	who  string
	n    *int
}

func (b *tab) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.shot("failed")
		b.t.Fatalf("%s: %v", b.who, err)
	}
}

// submit clicks a form's button and waits for the page it leads to.
func (b *tab) submit(sel string) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(sel)))); err != nil {
		b.shot("failed")
		b.t.Fatalf("%s: submit %s: %v", b.who, sel, err)
	}
}

func (b *tab) open(path string) {
	b.t.Helper()
	b.do(chromedp.Navigate(b.base + path))
}

func (b *tab) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.shot("failed")
		b.t.Fatalf("%s: text of %s: %v", b.who, sel, err)
	}
	return s
}

func (b *tab) eval(js string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](js))
	if err != nil {
		b.t.Fatalf("%s: %s: %v", b.who, js, err)
	}
	return s
}

func (b *tab) shot(name string) {
	*b.n++
	buf, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Errorf("%s: screenshot %s: %v", b.who, name, err)
		return
	}
	path := filepath.Join(b.dir, fmt.Sprintf("%02d-%s-%s.png", *b.n, b.who, name))
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		b.t.Errorf("screenshot: %v", err)
	}
}

func (b *tab) signIn(username string) {
	b.t.Helper()
	b.open("/login")
	b.do(chromedp.SendKeys(chromedp.ID("username"), username), chromedp.SendKeys(chromedp.ID("password"), testPassword))
	b.submit(`form[action="/login"] button[type=submit]`)
}

func TestBrowserFlows(t *testing.T) {
	chromium := chromiumPath(t)
	root := screenshotDir(t)
	storetest.Each(t, demoNow, func(t *testing.T, s *store.Store, clk *clock.Fixed) {
		e := newEnv(t, s, clk, 1000)
		dir := filepath.Join(root, filepath.Base(t.Name()))
		os.RemoveAll(dir)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		t.Logf("browser screenshots: %s", dir)

		opts := []chromedp.ExecAllocatorOption{chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
			chromedp.NoFirstRun, chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true), chromedp.WindowSize(1440, 1000)}
		allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		defer cancelAlloc()
		browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
		defer cancelBrowser()
		if err := chromedp.Do(browserCtx, chromedp.Navigate("about:blank")); err != nil {
			t.Fatalf("start chromium: %v", err)
		}
		n := 0
		newTab := func(who string) (*tab, func()) {
			ctx, cancel := chromedp.NewContext(browserCtx, chromedp.WithNewBrowserContext()) // its own cookies
			ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
			return &tab{t: t, ctx: ctx, base: e.srv.URL, dir: dir, who: who, n: &n}, func() { cancelTimeout(); cancel() }
		}
		ctx := context.Background()

		t.Run("supervisor acknowledges a notice and reads the scorecard", func(t *testing.T) {
			b, done := newTab("supervisor")
			defer done()
			b.t = t
			b.signIn(models.RoleSupervisor)
			if title := b.eval(`document.title`); !strings.Contains(title, "督办看板") {
				t.Fatalf("after signing in the supervisor is on %q, want the board", title)
			}
			b.shot("board")
			id := strings.TrimPrefix(b.eval(`document.querySelector('#notices tbody tr').id`), "notice-")
			comment := "已阅，督促责任单位本周内办结"
			b.do(chromedp.SendKeys(chromedp.CSS("#notice-"+id+` input[name=comment]`), comment))
			b.submit("#notice-" + id + " form.ack button")
			if msg := b.text(".flash"); !strings.Contains(msg, "已签收督办通知 "+id) {
				t.Errorf("after acknowledging, the page says %q", msg)
			}
			if gone := b.eval(`document.getElementById('notice-` + id + `') === null ? "gone" : "still listed"`); gone != "gone" {
				t.Errorf("the acknowledged notice is %s among the open ones", gone)
			}
			b.shot("acknowledged")
			nid, _ := strconv.ParseUint(id, 10, 64)
			n, err := s.NoticeByID(ctx, nid)
			if err != nil || n.Status != models.NoticeAcknowledged || !strings.Contains(n.AckedBy, "supervisor") || n.AckComment != comment {
				t.Errorf("notice %s in the database: %+v (%v)", id, n, err)
			}

			b.open("/scorecard?month=2026-03")
			b.do(chromedp.WaitVisible(chromedp.CSS(`body[data-charts=ready]`)), chromedp.WaitVisible(chromedp.CSS("#chart-units canvas")),
				chromedp.WaitVisible(chromedp.CSS("#chart-trend canvas")), chromedp.Sleep(800*time.Millisecond)) // let the charts' animation end
			b.shot("scorecard")
			rows := b.eval(`String(document.querySelectorAll('#scorecard tbody tr').length)`)
			if rows == "0" {
				t.Fatal("the scorecard has no unit")
			}
			b.submit(`#scorecard tbody tr:first-child td.num a[href*="metric=overdue"]`)
			if banner := b.text("#drilldown"); !strings.Contains(banner, "超期件") {
				t.Errorf("the drill-down says %q", banner)
			}
			b.shot("drilldown")
		})

		t.Run("unit user opens its case with the evidence and closes it", func(t *testing.T) {
			b, done := newTab("unit")
			defer done()
			b.t = t
			b.signIn(models.RoleUnit)
			b.shot("board")
			if present := b.eval(`document.getElementById('notice-` + strconv.FormatUint(e.foreign.NoticeID, 10) + `') ? "shown" : "hidden"`); present != "hidden" {
				t.Errorf("the unit user's board shows another unit's notice %d", e.foreign.NoticeID)
			}
			b.open("/cases/" + e.own.CaseNo)
			c, _ := s.CaseByNo(ctx, e.own.CaseNo)
			pet, _ := s.PetitionerByKey(ctx, c.PetitionerKey)
			if got := b.text("#id-number"); got != pet.IDNumber {
				t.Errorf("the handling unit sees ID number %q, want it whole (%s)", got, pet.IDNumber)
			}
			ev := b.text("#case-notices")
			for _, want := range []string{"触发依据", "Now > due", "条件成立"} {
				if !strings.Contains(ev, want) {
					t.Errorf("the case's notices do not show %q:\n%s", want, ev)
				}
			}
			b.shot("case-evidence")
			b.do(chromedp.SendKeys(chromedp.CSS(`#step-close input[name=comment]`), "已与信访人达成调解协议"))
			b.submit("#step-close button")
			if msg := b.text(".flash"); !strings.Contains(msg, "已记录：办结") {
				t.Errorf("after closing, the page says %q", msg)
			}
			if tl := b.text("#timeline"); !strings.Contains(tl, "办结") || !strings.Contains(tl, "已与信访人达成调解协议") {
				t.Errorf("the timeline lacks the closing:\n%s", tl)
			}
			b.shot("case-closed")
			c, _ = s.CaseByNo(ctx, e.own.CaseNo)
			events, _ := s.CaseEvents(ctx, e.own.CaseNo)
			last := events[len(events)-1]
			if c.Status != models.StatusClosed || c.ClosedAt == nil || last.Kind != "closed" || !strings.Contains(last.Actor, "unit") {
				t.Errorf("after closing: status %s, closed_at %v, last event %+v", c.Status, c.ClosedAt, last)
			}
		})

		t.Run("inspector reviews a record and checks the chain", func(t *testing.T) {
			b, done := newTab("inspector")
			defer done()
			b.t = t
			b.signIn(models.RoleInspector)
			if status := b.text("#chain-status"); !strings.Contains(status, "校验通过") {
				t.Errorf("the inspector lands on %q, want the accountability log with the chain verified", status)
			}
			b.shot("log")
			seq := strconv.FormatInt(e.own.RecordSeq, 10)
			row := "#record-" + seq
			b.do(chromedp.SetValue(chromedp.CSS(row+` select[name=decision]`), "dismiss"),
				chromedp.SendKeys(chromedp.CSS(row+` input[name=reason]`), "已批准延期，不予问责"))
			b.submit(row + " form.review-form button")
			if msg := b.text(".flash"); !strings.Contains(msg, "第 "+seq+" 条") || !strings.Contains(msg, "撤销") {
				t.Errorf("after reviewing, the page says %q", msg)
			}
			if rv := b.text(row + " .review"); !strings.Contains(rv, "撤销") || !strings.Contains(rv, "已批准延期") {
				t.Errorf("the record's row shows %q, want the dismissal", rv)
			}
			if status := b.text("#chain-status"); !strings.Contains(status, "校验通过") {
				t.Errorf("after the review the chain says %q", status)
			}
			b.shot("reviewed")
			revs, err := s.ReviewsOf(ctx, []int64{e.own.RecordSeq})
			if err != nil || len(revs[e.own.RecordSeq]) != 1 || revs[e.own.RecordSeq][0].Decision != store.DecisionDismiss ||
				!strings.Contains(revs[e.own.RecordSeq][0].Reviewer, "inspector") {
				t.Errorf("reviews of %d in the database: %+v (%v)", e.own.RecordSeq, revs, err)
			}
			if rep, err := s.VerifyChain(ctx); err != nil || !rep.OK {
				t.Errorf("chain after the review: %+v %v", rep, err)
			}
			b.submit(row + ` a[href^="/cases/"]`)
			if got := b.text("#id-number"); !strings.Contains(got, "****") {
				t.Errorf("the inspector sees ID number %q, want it masked", got)
			}
			if len(b.eval(`document.querySelector('.evidence') ? "yes" : ""`)) == 0 {
				t.Error("the inspector's case page shows no evidence")
			}
			b.shot("case")
		})

		t.Run("admin reads the rules", func(t *testing.T) {
			b, done := newTab("admin")
			defer done()
			b.t = t
			b.signIn(models.RoleAdmin)
			b.open("/rules")
			if rows := b.eval(`String(document.querySelectorAll('#rules tbody tr').length)`); rows != strconv.Itoa(len(e.rs.Rules)) {
				t.Errorf("the rules page lists %s rules, want %d", rows, len(e.rs.Rules))
			}
			b.shot("rules")
		})
	})
}
