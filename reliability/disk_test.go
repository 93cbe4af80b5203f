package reliability_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"duban/internal/faultkit"
	"duban/internal/poll"
)

// smallDisk is a directory whose file system holds only size bytes: a tmpfs
// mounted for the test (needs root), or else nothing, and RLIMIT_FSIZE on
// the duban process is used instead (see runLimited).
type smallDisk struct {
	dir     string
	mounted bool
}

func newSmallDisk(t *testing.T, size int64) *smallDisk {
	t.Helper()
	d := &smallDisk{dir: filepath.Join(t.TempDir(), "disk")}
	os.Mkdir(d.dir, 0o755)
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d", size), "tmpfs", d.dir).CombinedOutput()
	if err == nil {
		d.mounted = true
		t.Cleanup(func() { exec.Command("umount", "-l", d.dir).Run() })
		return d
	}
	t.Logf("cannot mount a tmpfs (%v: %s); limiting the file size of the duban process instead (RLIMIT_FSIZE)", err, strings.TrimSpace(string(out)))
	if _, err := exec.LookPath("prlimit"); err != nil {
		t.Skip("neither a tmpfs mount nor prlimit(1) is available to fill a disk")
	}
	return d
}

// fill writes a file until the disk is full, then frees about spare bytes.
func (d *smallDisk) fill(t *testing.T, spare int64) string {
	t.Helper()
	path := filepath.Join(d.dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64<<10)
	var n int64
	for {
		w, err := f.Write(buf)
		n += int64(w)
		if err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("filling the disk: %v", err)
			}
			break
		}
	}
	if err := f.Truncate(max(0, n-spare)); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return path
}

// run runs duban on the small disk: with a tmpfs as is, else with its
// file size limited to limit bytes.
func (d *smallDisk) run(t *testing.T, limit int64, args ...string) (int, string) {
	t.Helper()
	if d.mounted {
		code, out, errOut := faultkit.Run(t, nil, args...)
		return code, out + errOut
	}
	cmd := exec.Command("prlimit", append([]string{fmt.Sprintf("--fsize=%d:%d", limit, limit), "--", faultkit.Binary(t)}, args...)...)
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, string(out)
}

// TestSQLiteDiskFillsMidTick fills the disk of the SQLite file so that a
// tick fails part-way through its writes. The tick must fail with a clear
// error and leave the file intact (integrity check, chain); once space is
// freed, the next tick at the same instant writes exactly what an
// uninterrupted tick wrote on a twin database.
func TestSQLiteDiskFillsMidTick(t *testing.T) {
	if testing.Short() {
		t.Skip("runs processes")
	}
	t.Parallel()
	disk := newSmallDisk(t, 32<<20)
	sc := faultkit.Scenario{Cases: faultkit.Scale(1500, 3000), Schedule: "0 * * * *", Repeat: 24 * time.Hour,
		Received: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	dir := t.TempDir()
	rulesDir, units, cases := sc.Files(t, dir)
	dbPath := filepath.Join(disk.dir, "duban.db")
	faulted, reference := "--db=sqlite:"+dbPath, "--db=sqlite:"+filepath.Join(dir, "reference.db")
	for _, db := range []string{faulted, reference} {
		faultkit.MustRun(t, "import", db, "--kind", "units", units)
		faultkit.MustRun(t, "import", db, cases)
	}
	rounds := faultkit.Scale(3, 12)
	spares := []int64{0, 256 << 10, 1 << 20, 2 << 20}
	type round struct {
		Instant     string `json:"instant"`
		SpareKB     int64  `json:"spare_kb"`
		ExitStatus  int    `json:"exit_status"`
		Error       string `json:"error"`
		WrittenPart int    `json:"outcomes_written_before_full"`
		Integrity   string `json:"integrity_check"`
		Differences int    `json:"differences_after_space_freed"`
	}
	var results []round
	failedMidTick := 0
	fs, rs := openStore(t, faulted[5:]), openStore(t, reference[5:])
	start := time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC)
	for i := 0; i < rounds; i++ {
		now := start.Add(time.Duration(i) * 25 * time.Hour).Format(time.RFC3339)
		run := []string{"run", "--once", "--now", now, "--rules", rulesDir, "--page-size", "50"}
		faultkit.MustRun(t, append(run, reference, "--full")...)
		want := snapshot(t, rs)
		before := snapshot(t, fs)
		// An SQLite file reuses its write-ahead log's space: shrink the log
		// so that the tick needs new space, as it does once the log was
		// checkpointed and truncated.
		if err := fs.DB.Exec("PRAGMA wal_checkpoint(TRUNCATE)").Error; err != nil {
			t.Fatal(err)
		}
		spare := spares[i%len(spares)]
		filler := ""
		if disk.mounted {
			filler = disk.fill(t, spare)
		}
		size := fileSize(dbPath) + fileSize(dbPath+"-wal")
		code, out := disk.run(t, size+spare, append(run, faulted)...)
		r := round{Instant: now, SpareKB: spare >> 10, ExitStatus: code}
		full := strings.Contains(out, "database or disk is full") || strings.Contains(out, "disk I/O error")
		switch {
		case code == 0 && full:
			t.Errorf("round %d: the disk filled and the tick exited 0:\n%s", i, faultkit.Tail(out, 20))
		case code != 0 && !full:
			t.Errorf("round %d: exit %d without a clear disk-full error:\n%s", i, code, faultkit.Tail(out, 20))
		case code != 0:
			failedMidTick++
		}
		for _, l := range strings.Split(out, "\n") {
			if strings.Contains(l, "full") || strings.Contains(l, "I/O error") {
				r.Error = strings.TrimSpace(l)
				if len(r.Error) > 200 {
					r.Error = r.Error[:200]
				}
				break
			}
		}
		partial := snapshot(t, fs)
		r.WrittenPart = len(faultkit.Diff(before, partial, 1<<20))
		if filler != "" {
			os.Remove(filler)
		}
		var check string
		fs.DB.Raw("PRAGMA integrity_check").Scan(&check)
		r.Integrity = check
		if check != "ok" {
			t.Errorf("round %d: integrity_check: %s", i, check)
		}
		if code, out, _ := faultkit.Run(t, nil, "audit", "verify", faulted); code != 0 {
			t.Errorf("round %d: audit verify after the disk filled: %s", i, out)
		}
		faultkit.MustRun(t, append(run, faulted)...)
		d := faultkit.Diff(want, snapshot(t, fs), 20)
		r.Differences = len(d)
		if len(d) > 0 {
			t.Errorf("round %d: once space was freed:\n%s", i, joinLines(d, 20))
		}
		results = append(results, r)
	}
	if failedMidTick == 0 {
		t.Error("the disk never filled during a tick")
	}
	how := "tmpfs of 32 MiB"
	if !disk.mounted {
		how = "RLIMIT_FSIZE on the duban process (prlimit)"
	}
	faultkit.Record(t, "sqlite-disk-full", map[string]any{"backend": "sqlite", "disk": how, "cases": sc.Cases, "rounds": results})
}

func fileSize(path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return st.Size()
}

// TestServiceRidesOutAFullDisk fills the disk under `duban serve` on SQLite
// while it ticks and delivers, keeps it full for a few seconds, and frees
// it. The service keeps running and logs the failures; afterwards every
// outcome exists once, every sending reached the receiver, and the chain
// verifies.
func TestServiceRidesOutAFullDisk(t *testing.T) {
	if testing.Short() {
		t.Skip("runs processes")
	}
	t.Parallel()
	disk := newSmallDisk(t, 64<<20)
	if !disk.mounted {
		t.Skip("needs a tmpfs to fill under a running service")
	}
	// Small enough that deliveries keep up with the re-sends between fills.
	ss := newServeSetup(t, "sqlite:"+filepath.Join(disk.dir, "duban.db"), 300, nil)
	srv := faultkit.StartServer(t, "serve", ss.env, ss.args...)
	fills := faultkit.Scale(2, 8)
	for i := 0; i < fills; i++ {
		poll.Until(t, "a clean tick", func() bool { return ss.lastRun().Errors == 0 && ss.lastRun().ID != 0 })
		poll.Until(t, "the deliveries so far", ss.drained)
		ss.st.DB.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
		full := strings.Count(srv.Logs(), "database or disk is full")
		filler := disk.fill(t, 0)
		// Full for 4s at least, and until the service has met the full disk.
		time.Sleep(4 * time.Second)
		poll.Until(t, "the service meets the full disk", func() bool { return strings.Count(srv.Logs(), "database or disk is full") > full })
		os.Remove(filler)
	}
	if srv.Exited() {
		t.Fatalf("the service died on a full disk:\n%s", faultkit.Tail(srv.Logs(), 30))
	}
	if !strings.Contains(srv.Logs(), "database or disk is full") {
		t.Errorf("the service did not log the full disk:\n%s", faultkit.Tail(srv.Logs(), 30))
	}
	ss.settle(t)
	faultkit.Within(t, drainTime(), "every sending is delivered", ss.drained)
	srv.Stop()
	out := ss.check(t)
	faultkit.Record(t, "sqlite-disk-full-serve", map[string]any{"backend": "sqlite", "disk": "tmpfs of 64 MiB", "fills": fills, "cases": ss.sc.Cases,
		"seconds_full_each": 4, "disk_full_errors_logged": strings.Count(srv.Logs(), "database or disk is full"),
		"outcome": out, "receiver": ss.recv.Stats()})
}
