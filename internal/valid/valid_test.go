package valid

import (
	"strings"
	"testing"

	"plaza/internal/errs"
)

func TestLineAndText(t *testing.T) {
	cases := []struct {
		v          string
		line, text bool // accepted as one line, as multi-line text
	}{
		{"", true, true},
		{"plain 文字 ✓", true, true},
		{"a\tb", false, true},
		{"a\nb", false, true},
		{"a\r\nb", false, true},
		{"a\rb", false, true},
		{"a\x00b", false, false},
		{"a\x01b", false, false},
		{"a\x1bb", false, false},
		{"a\x1fb", false, false},
		{"a\x7fb", false, false},
		{"a\u0080b", false, false},
		{"a\u0085b", false, false},
		{"a\u009fb", false, false},
		{"a\u00a0b", true, true}, // no-break space: not a control character
		{"a\xffb", false, false}, // invalid UTF-8
		{"\xed\xa0\x80", false, false},
	}
	for _, c := range cases {
		for _, k := range []struct {
			name  string
			check func(string, string, int) error
			want  bool
		}{{"Line", Line, c.line}, {"Text", Text, c.text}} {
			err := k.check("f", c.v, 100)
			if (err == nil) != k.want {
				t.Errorf("%s(%q) = %v, want accepted %v", k.name, c.v, err, k.want)
			}
			if err != nil && (!errs.Is(err, errs.Invalid) || !strings.Contains(errs.Message(err), "f ")) {
				t.Errorf("%s(%q) = %v, want Invalid naming f", k.name, c.v, err)
			}
		}
		if err := Chars("f", c.v); (err == nil) != c.text {
			t.Errorf("Chars(%q) = %v, want accepted %v", c.v, err, c.text)
		}
	}
	if Line("f", strings.Repeat("長", 3), 3) != nil || Line("f", strings.Repeat("長", 4), 3) == nil {
		t.Error("Line counts characters, not bytes")
	}
	if RequiredLine("f", "", 3) == nil || Required("f", "", 3) == nil || RequiredLine("f", "a\nb", 5) == nil || Required("f", "a\nb", 5) != nil {
		t.Error("Required forms")
	}
}

func TestID(t *testing.T) {
	good := map[string]int64{"1": 1, "42": 42, "9223372036854775807": 1<<63 - 1}
	for s, want := range good {
		if n, ok := ID(s); !ok || n != want {
			t.Errorf("ID(%q) = %d, %v", s, n, ok)
		}
	}
	for _, s := range []string{"", "0", "00", "01", "+1", "-1", " 1", "1 ", "1\x00", "\t1", "1.0", "1e3", "0x1", "１",
		"9223372036854775808", "99999999999999999999", strings.Repeat("0", 30) + "1", "abc"} {
		if n, ok := ID(s); ok {
			t.Errorf("ID(%q) = %d, want refused", s, n)
		}
	}
}
