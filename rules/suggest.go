package rules

import (
	"reflect"
	"strings"
)

// suggestField finds the env field closest to a misspelt name, as
// Subject.Field (for example Case.DueAt for DueDate).
func suggestField(name string, env any) string {
	best, bestDist := "", 1<<30
	var walk func(t reflect.Type, prefix string, depth int)
	walk = func(t reflect.Type, prefix string, depth int) {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || depth > 2 {
			return
		}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			full := f.Name
			if prefix != "" {
				full = prefix + "." + f.Name
			}
			if d := editDistance(strings.ToLower(name), strings.ToLower(f.Name)); d < bestDist {
				best, bestDist = full, d
			}
			if f.Type.Kind() == reflect.Pointer && f.Type.Elem().Kind() == reflect.Struct {
				walk(f.Type, full, depth+1)
			}
		}
	}
	walk(reflect.TypeOf(env), "", 0)
	// Only suggest what is plausibly the same word.
	if bestDist > len(name)/2+1 {
		return ""
	}
	return best
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// suggestName finds the env name or function closest to a misspelt identifier.
func suggestName(name string, env any) string {
	var candidates []string
	t := reflect.TypeOf(env)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	for i := 0; i < t.NumField(); i++ {
		if t.Field(i).IsExported() {
			candidates = append(candidates, t.Field(i).Name)
		}
	}
	for _, f := range Functions {
		candidates = append(candidates, f.Name)
	}
	best, bestDist := "", 1<<30
	for _, c := range candidates {
		if d := editDistance(strings.ToLower(name), strings.ToLower(c)); d < bestDist {
			best, bestDist = c, d
		}
	}
	if bestDist > len(name)/2+1 {
		return ""
	}
	return best
}

// Closest is the candidate nearest to s by edit distance, if it is
// plausibly the same word, else "": for "did you mean" hints outside the
// rules too (the command line's flag values).
func Closest(s string, candidates []string) string { return closest(s, candidates) }
