package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// tourSkips are the README tour's lines the test does not run, each with
// its reason; keep it small.
var tourSkips = map[string]string{
	"go build -o duban ./cmd/duban":                         "the test builds the binary itself",
	"./duban import cases.jsonl":                            "the reader's own cases: the tour has no such file",
	"./duban serve --rules ./my-rules --notify notify.yaml": "a server that runs until stopped",
	"./duban web": "a server that runs until stopped",
}

// readmeTour returns the command lines of the README's tour: the first sh
// block of "## A tour" and of "## Pages, API and who sees what".
func readmeTour(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, heading := range []string{"## A tour\n", "## Pages, API and who sees what\n"} {
		text := string(b)
		i := strings.Index(text, heading)
		if i < 0 {
			t.Fatalf("README has no %q", strings.TrimSpace(heading))
		}
		text = text[i:]
		start := strings.Index(text, "```sh\n")
		end := strings.Index(text[start+6:], "```")
		if start < 0 || end < 0 {
			t.Fatalf("no sh block under %q", strings.TrimSpace(heading))
		}
		for _, l := range strings.Split(text[start+6:start+6+end], "\n") {
			if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
				lines = append(lines, l)
			}
		}
	}
	return lines
}

// uncommented is the line without its trailing "   # comment".
var trailingComment = regexp.MustCompile(`\s+#\s.*$`)

// errorLine is output that says something went wrong, whatever the exit status.
var errorLine = regexp.MustCompile(`(?m)^(duban: |Error: )|\b(panic|MISMATCH|FAILED|no such)\b`)

// TestReadmeTour runs every command line of the README's tour, as written,
// in a shell in an empty directory with the binary at ./duban: each must
// exit 0 without an error in its output, and the ids and case numbers the
// tour names must exist in the demo it builds at today's date.
func TestReadmeTour(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := binary(t)
	dir := t.TempDir()
	if err := os.Symlink(bin, filepath.Join(dir, "duban")); err != nil {
		t.Fatal(err)
	}
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "TMPDIR=" + os.TempDir()}
	lines := readmeTour(t)
	ran := 0
	for _, line := range lines {
		cmdline := strings.TrimSpace(trailingComment.ReplaceAllString(line, ""))
		if why, ok := tourSkips[cmdline]; ok {
			t.Logf("skip %s: %s", cmdline, why)
			continue
		}
		cmd := exec.Command("sh", "-c", cmdline)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		ran++
		if err != nil {
			t.Errorf("%s: %v\n%s", cmdline, err, out)
			continue
		}
		if m := errorLine.Find(out); m != nil {
			t.Errorf("%s: output says %q:\n%s", cmdline, m, out)
		}
		// What a reader checks the tour by: the commands find what they name.
		switch {
		case strings.HasPrefix(cmdline, "./duban rules explain deadline.breach DEMO-1"):
			if !strings.Contains(string(out), ": holds") || !strings.Contains(string(out), "DEMO-1 已超期") {
				t.Errorf("%s: the showcase case is not overdue:\n%s", cmdline, out)
			}
		case strings.HasPrefix(cmdline, "./duban rules diff"):
			if !strings.Contains(string(out), "appears") {
				t.Errorf("%s: the tour's rule change finds no change:\n%s", cmdline, out)
			}
		case strings.HasPrefix(cmdline, "./duban notices list --unit 县住房和城乡建设局"):
			if strings.Count(string(out), "\n") < 2 {
				t.Errorf("%s: lists nothing:\n%s", cmdline, out)
			}
		}
	}
	if ran < 20 {
		t.Errorf("ran %d of the tour's %d lines: the README's blocks were not found as expected", ran, len(lines))
	}
	for skipped := range tourSkips {
		found := false
		for _, l := range lines {
			found = found || strings.TrimSpace(trailingComment.ReplaceAllString(l, "")) == skipped
		}
		if !found {
			t.Errorf("skip list names %q, which the tour no longer has", skipped)
		}
	}
}
