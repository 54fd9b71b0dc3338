package shellwords_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/internal/shellwords"
)

func TestSplit(t *testing.T) {
	upper := strings.ToUpper
	for _, c := range []struct {
		in   string
		want []string
	}{
		{`hookcheck send --target 'http://x/a b'`, []string{"hookcheck", "send", "--target", "http://x/a b"}},
		{`echo 'it'\''s'`, []string{"echo", "it's"}},
		{"curl -X POST \\\n  -H 'A: b' --data-binary @repro/x.json", []string{"curl", "-X", "POST", "-H", "A: b", "--data-binary", "@repro/x.json"}},
		{`-H 'X-Secret: '"$v"`, []string{"-H", "X-Secret: $V"}},
		{"a\tb  c", []string{"a", "b", "c"}},
		{"", nil},
	} {
		got, err := shellwords.Split(c.in, upper)
		require.NoError(t, err, c.in)
		assert.Equal(t, c.want, got, c.in)
	}
	for _, bad := range []string{`echo 'open`, `echo "open`} {
		_, err := shellwords.Split(bad, nil)
		assert.Error(t, err, bad)
	}
}
