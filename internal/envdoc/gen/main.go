// Command gen writes docs/rules-env.md from the rules package; `go generate
// ./rules` runs it.
package main

import (
	"flag"
	"fmt"
	"os"

	"duban/internal/envdoc"
)

func main() {
	out := flag.String("o", "", "file to write")
	dir := flag.String("rules", ".", "directory of the rules package")
	flag.Parse()
	md, err := envdoc.Markdown(*dir)
	if err == nil {
		err = os.WriteFile(*out, md, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "envdoc:", err)
		os.Exit(1)
	}
}
