package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// TestImportSaysWhatItRead: the summary names the encoding read, a wrong
// check digit is a printed warning that does not stop the import, and a
// file with no records exits non-zero.
func TestImportSaysWhatItRead(t *testing.T) {
	dir := t.TempDir()
	db := "--db=sqlite:" + filepath.Join(dir, "d.db")
	text := "case_no,channel,status,summary,petitioner_id,petitioner_id_number,received_at\n" +
		"A1,visit,received,拆迁补偿,P1,110105194912310021,2026/3/1 9:00\n"
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	cases := filepath.Join(dir, "cases.csv")
	os.WriteFile(cases, gbk, 0o644)
	code, out, errOut := duban(t, "import", db, "--actor=wang.li", cases)
	if code != 0 || !strings.Contains(out, "1 cases created, 0 updated (read as gb18030)") ||
		!strings.Contains(errOut, "warning: "+cases+":2: petitioner_id_number: the check digit") {
		t.Errorf("exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
	empty := filepath.Join(dir, "empty.csv")
	os.WriteFile(empty, []byte("case_no,channel,status,received_at\n"), 0o644)
	if code, _, errOut := duban(t, "import", db, empty); code == 0 || !strings.Contains(errOut, "no records") {
		t.Errorf("a file with no records: exit %d %s", code, errOut)
	}
}
