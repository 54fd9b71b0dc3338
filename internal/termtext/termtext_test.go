package termtext_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/hookcheck/hookcheck/internal/termtext"
)

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"plain id-1 ± 10s …":                           "plain id-1 ± 10s …",
		"\x1b[2Jcleared":                               "[2Jcleared",
		"a\r\nforged: line":                            "aforged: line",
		"\x1b]8;;http://evil/\x1b\\link\x1b]8;;\x1b\\": "]8;;http://evil/\\link]8;;\\",
		"c1\u009b31m and \u202eRLO\x00\x7f\t":          "c131m and RLO",
		"bad \xff\xfe utf8":                            "bad  utf8",
	} {
		assert.Equal(t, want, termtext.Printable(in, 0), "%q", in)
	}
	assert.Equal(t, "ab", termtext.Printable("ab±", 3), "cut on a character boundary")
	assert.Equal(t, "ab±", termtext.Printable("ab±c", 4))
}
