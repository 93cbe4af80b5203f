package mask

import "testing"

func TestKeep(t *testing.T) {
	cases := []struct{ in, want string }{
		{IDNumber("410102198003071234"), "410102********1234"},
		{IDNumber("41010219800307123X"), "410102********123X"},
		{Phone("13800138000"), "138****8000"},
		{Phone("12"), "**"},
	}
	for _, tc := range cases {
		if tc.in != tc.want {
			t.Errorf("got %q, want %q", tc.in, tc.want)
		}
	}
}

// TestTextMasksEveryForm: each way a clerk or a petitioner writes an
// identity or phone number is masked, keeping the head and tail digits.
func TestTextMasksEveryForm(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"18-digit id in text", "信访人张三，身份证410102198003071234，电话13800138000。", "信访人张三，身份证410102********1234，电话138****8000。"},
		{"18-digit id with X", "身份证41010219800307123X", "身份证410102********123X"},
		{"18-digit id with lower x", "41010219800307123x。", "410102********123x。"},
		{"15-digit old id", "老身份证410102800307123号", "老身份证410102*****7123号"},
		{"id in groups", "410102 19800307 1234", "410102 ******** 1234"},
		{"mobile", "13800138000", "138****8000"},
		{"+86 spaced groups", "电话+86 138 0013 8000", "电话+86 138 **** 8000"},
		{"+86 run together", "+8613800138000", "+86138****8000"},
		{"0086", "008613800138000", "0086138****8000"},
		{"dashed groups", "138-0013-8000", "138-****-8000"},
		{"spaced dashes", "138 - 0013 - 8000", "138 - **** - 8000"},
		{"spaced groups", "138 0013 8000", "138 **** 8000"},
		{"one digit a group", "1 3 8 0 0 1 3 8 0 0 0", "1 3 8 * * * * 8 0 0 0"},
		{"full-width mobile", "电话１３８００１３８０００", "电话１３８****８０００"},
		{"full-width id", "４１０１０２１９８００３０７１２３４", "４１０１０２********１２３４"},
		{"landline in brackets", "(0371)65123456", "(037*)****3456"},
		{"landline full-width brackets", "（0371）65123456", "（037*）****3456"},
		{"landline dashed", "联系 0371-65123456", "联系 037*-****3456"},
		{"landline with +86", "+86 0371 6512 3456", "+86 037* **** 3456"},
		{"mobile after a dialling 0", "013800138000", "0138****8000"},
		{"mobile run into digits", "138001380001", "138****80001"},
		{"id run into mobile", "41010219800307123413800138000", "410102********1234138****8000"},
		{"two mobiles", "13800138000,13900139000", "138****8000,139****9000"},
		{"date then mobile", "2026-03-10 13800138000", "2026-03-10 138****8000"},
		{"mobile after a letter", "tel13800138000", "tel138****8000"},
	}
	for _, tc := range cases {
		if got := Text(tc.in); got != tc.want {
			t.Errorf("%s: Text(%q) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
	}
}

// TestTextLeavesHarmlessNumbers: case numbers, dates, times, amounts and
// counts stay readable.
func TestTextLeavesHarmlessNumbers(t *testing.T) {
	for _, s := range []string{
		"案件号 XF202601914，金额 2000000 元",
		"XF202601914 已超期",
		"XF1 已超期",
		"T-MATRIX-admin-12",
		"2026-03-10 08:00",
		"2026-03-10 08:00:00",
		"2026-03-10T08:00:00+08:00",
		"2026/3/1 9:00",
		"2026.03.01",
		"2026年3月1日",
		"20260310",
		"第3次来访，涉及 12 户，共 150 人",
		"办理期限 60 日，延期 30 日",
		"重复访（同一信访人 90 日内 3 次）",
		"序号 123456",
		"0371",
		"",
	} {
		if got := Text(s); got != s {
			t.Errorf("Text(%q) = %q, want it unchanged", s, got)
		}
	}
}

// TestStringsMasksAWholeValue: every string a value holds is masked, at any
// depth, but for fields tagged keep.
func TestStringsMasksAWholeValue(t *testing.T) {
	type inner struct {
		Note string
		Any  any
	}
	type outer struct {
		Subject string
		Hash    string `mask:"keep"`
		Inner   *inner
		List    []inner
		Map     map[string]string
		Names   [2]string
		Count   int
		unseen  string
	}
	const n = "13800138000"
	v := outer{Subject: n, Hash: n, Inner: &inner{Note: "电话" + n, Any: n}, List: []inner{{Note: n, Any: inner{Note: n}}},
		Map: map[string]string{"k": n}, Names: [2]string{n, "张三"}, Count: 3, unseen: n}
	Strings(&v)
	want := "138****8000"
	for what, got := range map[string]any{"Subject": v.Subject, "Inner.Note": v.Inner.Note, "Inner.Any": v.Inner.Any,
		"List[0].Note": v.List[0].Note, "List[0].Any.Note": v.List[0].Any.(inner).Note, "Map[k]": v.Map["k"], "Names[0]": v.Names[0]} {
		if s, _ := got.(string); s != want && s != "电话"+want {
			t.Errorf("%s = %v, want it masked", what, got)
		}
	}
	if v.Hash != n || v.unseen != n || v.Names[1] != "张三" || v.Count != 3 {
		t.Errorf("a kept, unexported or harmless field changed: %+v", v)
	}
}

// FuzzText: whatever the text, masking only turns digits into asterisks,
// one for one, and never panics.
func FuzzText(f *testing.F) {
	for _, s := range []string{"身份证410102198003071234，电话+86 138 0013 8000", "(0371)65123456", "１３８００１３８０００",
		"2026-03-10 13800138000", "41010219800307123413800138000", "+(", "1 - 2 - 3", "X", "9x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		in, out := []rune(s), []rune(Text(s))
		if len(in) != len(out) {
			t.Fatalf("Text(%q) = %q: %d runes, want %d", s, string(out), len(out), len(in))
		}
		for i := range in {
			if in[i] != out[i] && (out[i] != '*' || (digit(in[i]) < 0 && in[i] != 'X' && in[i] != 'x' && in[i] != 'Ｘ' && in[i] != 'ｘ')) {
				t.Fatalf("Text(%q) = %q: rune %d %q became %q", s, string(out), i, in[i], out[i])
			}
		}
	})
}
