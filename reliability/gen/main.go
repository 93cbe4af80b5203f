// Command gen fills the figures of RELIABILITY.md from the suite's results;
// `go generate ./reliability` runs it.
package main

import (
	"flag"
	"fmt"
	"os"

	"duban/reliability"
)

func main() {
	dir := flag.String("results", "reliability/results", "directory of the suite's JSON results")
	page := flag.String("page", "RELIABILITY.md", "the page to fill")
	flag.Parse()
	err := func() error {
		sections, err := reliability.Sections(*dir)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(*page)
		if err != nil {
			return err
		}
		out, err := reliability.Fill(b, sections)
		if err != nil {
			return err
		}
		return os.WriteFile(*page, out, 0o644)
	}()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
