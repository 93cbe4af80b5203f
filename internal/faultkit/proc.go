package faultkit

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"duban/service"
)

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
	buildOut  []byte
)

// Binary builds the duban binary once per test process.
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "duban-faults-")
		if buildErr != nil {
			return
		}
		root, err := moduleRoot()
		if err != nil {
			buildErr = err
			return
		}
		cmd := exec.Command("go", "build", "-o", filepath.Join(buildDir, "duban"), "./cmd/duban")
		cmd.Dir = root
		buildOut, buildErr = cmd.CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("build: %v\n%s", buildErr, buildOut)
	}
	return filepath.Join(buildDir, "duban")
}

// Cleanup removes the built binary; call it from TestMain.
func Cleanup() {
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the test directory")
		}
		dir = parent
	}
}

// Run runs the binary to completion and returns its exit status and output.
func Run(t testing.TB, env []string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(Binary(t), args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("duban %s: %v", strings.Join(args, " "), err)
		}
		code = ee.ExitCode()
	}
	return code, out.String(), errOut.String()
}

// MustRun runs the binary and fails the test unless it exits 0.
func MustRun(t testing.TB, args ...string) string {
	t.Helper()
	code, out, errOut := Run(t, nil, args...)
	if code != 0 {
		t.Fatalf("duban %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// Killed is the result of RunKilled.
type Killed struct {
	// Finished is true when the process exited by itself before the kill.
	Finished bool
	Code     int
	Took     time.Duration
	Stderr   string
}

// RunKilled starts the binary and sends it SIGKILL after delay, unless it
// finished first.
func RunKilled(t testing.TB, delay time.Duration, args ...string) Killed {
	t.Helper()
	cmd := exec.Command(Binary(t), args...)
	var errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &errOut
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		k := Killed{Finished: true, Took: time.Since(start), Stderr: errOut.String()}
		if ee, ok := err.(*exec.ExitError); ok {
			k.Code = ee.ExitCode()
		}
		return k
	case <-time.After(delay):
		cmd.Process.Signal(syscall.SIGKILL)
		<-done
		return Killed{Took: time.Since(start), Code: -1, Stderr: errOut.String()}
	}
}

// Server is one `duban serve` process.
type Server struct {
	t       testing.TB
	Name    string
	Addr    string
	Replica string
	cmd     *exec.Cmd
	mu      sync.Mutex
	log     bytes.Buffer
	exited  chan struct{}
	exitErr error
}

// listening finds the address in the start line, in text or JSON logs.
var listening = regexp.MustCompile(`msg="serve: listening" addr=(\S+) replica=(\S+)|"msg":"serve: listening","addr":"([^"]+)","replica":"([^"]+)"`)

// StartServer starts `duban serve --listen 127.0.0.1:0 args...` and waits
// until it listens. env is added to the environment.
func StartServer(t testing.TB, name string, env []string, args ...string) *Server {
	t.Helper()
	s := &Server{t: t, Name: name, exited: make(chan struct{})}
	s.cmd = exec.Command(Binary(t), append([]string{"serve", "--listen", "127.0.0.1:0"}, args...)...)
	s.cmd.Env = append(os.Environ(), env...)
	stderr, err := s.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Kill)
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			s.mu.Lock()
			s.log.WriteString(line + "\n")
			if m := listening.FindStringSubmatch(line); m != nil && s.Addr == "" {
				s.Addr, s.Replica = m[1]+m[3], m[2]+m[4]
				close(ready)
			}
			s.mu.Unlock()
		}
		s.exitErr = s.cmd.Wait()
		close(s.exited)
	}()
	select {
	case <-ready:
	case <-s.exited:
		t.Fatalf("%s exited at start: %v\n%s", name, s.exitErr, s.Logs())
	case <-time.After(30 * time.Second):
		t.Fatalf("%s did not start listening:\n%s", name, s.Logs())
	}
	return s
}

// Pid is the server's process id.
func (s *Server) Pid() int { return s.cmd.Process.Pid }

// Logs is everything the server logged so far.
func (s *Server) Logs() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.log.String()
}

// Exited reports whether the process has ended.
func (s *Server) Exited() bool {
	select {
	case <-s.exited:
		return true
	default:
		return false
	}
}

// Kill sends SIGKILL and waits for the process to end.
func (s *Server) Kill() {
	select {
	case <-s.exited:
	default:
		s.cmd.Process.Signal(syscall.SIGKILL)
		<-s.exited
	}
}

// Stop sends SIGTERM and waits for a clean exit.
func (s *Server) Stop() {
	s.t.Helper()
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
		if s.exitErr != nil {
			s.t.Errorf("%s exited with %v after SIGTERM:\n%s", s.Name, s.exitErr, tail(s.Logs(), 40))
		}
	case <-time.After(40 * time.Second):
		s.t.Errorf("%s did not stop within 40s of SIGTERM", s.Name)
		s.Kill()
	}
}

// Get fetches a path of the server.
func (s *Server) Get(ctx context.Context, path string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+s.Addr+path, nil)
	if err != nil {
		return 0, nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, body, err
}

// Health reads /healthz; nil when it does not answer.
func (s *Server) Health() *service.Health {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, body, err := s.Get(ctx, "/healthz")
	if err != nil {
		return nil
	}
	var h service.Health
	if json.Unmarshal(body, &h) != nil {
		return nil
	}
	return &h
}

// Within polls cond until it holds, or fails the test after d.
func Within(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %s", d, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func tail(s string, lines int) string {
	ls := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(ls) > lines {
		ls = ls[len(ls)-lines:]
	}
	return strings.Join(ls, "\n")
}

// Tail is the last lines of a log.
func Tail(s string, lines int) string { return tail(s, lines) }
