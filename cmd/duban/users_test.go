package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"duban/auth"
	"duban/store/storetest"
)

func init() { auth.BcryptCost = bcrypt.MinCost }

func TestUsersCommands(t *testing.T) {
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			db := "--db=" + b.NewDSN(t)
			mustRun(t, "import", db, "--kind", "units", "testdata/units.jsonl")
			for _, tc := range []struct {
				args []string
				want string
			}{
				{[]string{"--role", "unit"}, "a unit user needs --unit"},
				{[]string{"--role", "unit", "--unit", "nowhere"}, `unit "nowhere" does not exist`},
				{[]string{"--role", "supervisor", "--unit", "zjj"}, "--unit and --also are for unit users"},
				{[]string{"--role", "boss"}, `role "boss": want one of admin, supervisor, unit, inspector`},
			} {
				code, _, errOut := duban(t, append([]string{"users", "add", "li", db}, tc.args...)...)
				if code != 1 || !strings.Contains(errOut, tc.want) {
					t.Errorf("users add %v: exit %d, %q; want %q", tc.args, code, errOut, tc.want)
				}
			}
			out := mustRun(t, "users", "add", "li", db, "--role", "unit", "--unit", "zjj", "--name", "住建局 李明")
			if !strings.Contains(out, "added li (unit, unit zjj)") || !strings.Contains(out, "password: ") {
				t.Errorf("users add: %s", out)
			}
			if code, _, errOut := duban(t, "users", "add", "li", db, "--role", "inspector"); code != 1 || !strings.Contains(errOut, "already exists") {
				t.Errorf("adding li again: %d %s", code, errOut)
			}
			mustRun(t, "users", "add", "bot", db, "--role", "supervisor", "--no-password")
			list := mustRun(t, "users", "list", db)
			if !strings.Contains(list, "住建局 李明") || !strings.Contains(list, "tokens only") {
				t.Errorf("users list:\n%s", list)
			}
			tok := mustRun(t, "users", "token", "create", "bot", db, "--name", "工单系统", "--expires", "30d")
			lines := strings.Split(strings.TrimSpace(tok), "\n")
			secret := lines[len(lines)-1]
			if !strings.HasPrefix(secret, "dbn_") || !strings.Contains(lines[0], "expires") {
				t.Fatalf("token create: %s", tok)
			}

			// duban web serves the API with that token.
			addr, stop := startWeb(t, db)
			defer stop()
			get := func() int {
				req, _ := http.NewRequest("GET", "http://"+addr+"/api/v1/me", nil)
				req.Header.Set("Authorization", "Bearer "+secret)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				return resp.StatusCode
			}
			if status := get(); status != 200 {
				t.Errorf("the new token on duban web: %d", status)
			}
			mustRun(t, "users", "disable", "bot", db)
			if status := get(); status != 401 {
				t.Errorf("a disabled user's token: %d", status)
			}
			if list := mustRun(t, "users", "list", db, "--format", "json"); !strings.Contains(list, `"username":"bot","role":"supervisor","password":false,"disabled":true`) {
				t.Errorf("users list --format json:\n%s", list)
			}
		})
	}
}

// startWeb runs `duban web` on a free port until the test stops it.
func startWeb(t *testing.T, db string) (string, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"web", db, "--listen", "127.0.0.1:0", "--log-level", "warn"}, pw, io.Discard)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	go io.Copy(io.Discard, pr)
	if err != nil || !strings.HasPrefix(line, "serving the pages at http://") {
		cancel()
		t.Fatalf("duban web said %q (%v)", line, err)
	}
	addr := strings.TrimSuffix(strings.Fields(line)[4], "/")
	addr = strings.TrimPrefix(addr, "http://")
	return addr, func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("duban web exited %d", code)
			}
		case <-time.After(15 * time.Second):
			t.Error("duban web did not stop")
		}
	}
}
