package ruletest

import (
	"context"
	"strings"
	"testing"

	"duban/rules"
)

// A petitioner id is one petitioner however it is typed or pasted, for the
// repeat rule; one that hides a character inside is refused at its row and
// field rather than counted as someone else.
func TestRepeatRuleSeesOnePetitionerPerKey(t *testing.T) {
	rs, err := rules.Load(rules.Defaults(), rules.Options{})
	if err != nil {
		t.Fatal(err)
	}
	kase := func(no, pet, received string) map[string]any {
		return map[string]any{"case_no": no, "petitioner_id": pet, "channel": "visit", "category": "劳资纠纷",
			"status": "received", "received_at": received}
	}
	for _, tc := range []struct {
		name, second, third, subject string
		refused                      string // part of the error, "" when the test runs
	}{
		{"a zero-width space at the end", "K1\u200b", "K1", "K1", ""},
		{"a BOM at the start", "\ufeffK1", "K1", "K1", ""},
		{"full-width", "Ｋ１", "Ｋ1", "K1", ""},
		{"an ideographic space around it", "\u3000K1\u3000", "K1", "K1", ""},
		{"the expectation written full-width", "K1", "K1", "Ｋ１", ""},
		{"a zero-width space inside", "K\u200b1", "K1", "K1", "2: petitioner_id: U+200B"},
		{"an RTL override", "K1\u202e", "K1", "K1", "2: petitioner_id: U+202E"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			test := rules.TestCase{Name: tc.name, File: "abnormal.yaml", Now: "2026-03-31T08:00:00+08:00", Only: []string{"abnormal.repeat"},
				Cases: []map[string]any{kase("K-1", "K1", "2026-03-01T10:00:00+08:00"), kase("K-2", tc.second, "2026-03-10T10:00:00+08:00"),
					kase("K-3", tc.third, "2026-03-20T10:00:00+08:00")},
				Expect: []rules.Expectation{{Rule: "abnormal.repeat", Subject: tc.subject, Notice: ptr(true)},
					{Rule: "abnormal.repeat", CaseNo: "K-2", Flag: "重复访"}, {Rule: "abnormal.repeat", CaseNo: "K-3", Flag: "重复访"}}}
			res := RunOne(context.Background(), rs, test)
			if tc.refused != "" {
				if res.Err == nil || !strings.Contains(res.Err.Error(), tc.refused) {
					t.Fatalf("ran (%v, passed %v); want the import refused with %q", res.Err, res.Passed, tc.refused)
				}
				return
			}
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			if !res.Passed {
				t.Errorf("not one petitioner:\n  %s", strings.Join(res.Failures, "\n  "))
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
