package capture

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBodyPrintFirstDiff: the offset a retry's body first differs at is
// exact within the kept head, and beyond it a range of at most one part
// that holds the true offset; the same bytes never differ.
func TestBodyPrintFirstDiff(t *testing.T) {
	small := []byte(`{"type":"invoice.paid","data":{"id":"in_1"}}`)
	big := bytes.Repeat([]byte("0123456789abcdef"), 1000) // 16,000 bytes
	with := func(b []byte, at int, c byte) []byte {
		out := bytes.Clone(b)
		out[at] = c
		return out
	}
	for name, c := range map[string]struct {
		first, retry []byte
		same         bool
		want         int // the true first differing offset
		exact        bool
	}{
		"the same small body":         {first: small, retry: small, same: true},
		"the same large body":         {first: big, retry: bytes.Clone(big), same: true},
		"a byte changed in the head":  {first: small, retry: with(small, 20, 'X'), want: 20, exact: true},
		"a shorter retry":             {first: small, retry: small[:10], want: 10, exact: true},
		"a longer retry":              {first: small, retry: append(bytes.Clone(small), ' '), want: len(small), exact: true},
		"a large body, change early":  {first: big, retry: with(big, 700, 'X'), want: 700, exact: true},
		"a large body, change late":   {first: big, retry: with(big, 9001, 'X'), want: 9001},
		"a large body, last byte":     {first: big, retry: with(big, len(big)-1, 'X'), want: len(big) - 1},
		"a large body cut short":      {first: big, retry: big[:5000], want: 5000},
		"a large body cut at a part":  {first: big, retry: big[:250*4], want: 1000, exact: true},
		"a large body, one byte more": {first: big, retry: append(bytes.Clone(big), '!'), want: len(big), exact: true},
		"a small body, a large retry": {first: small, retry: big, want: 0, exact: true},
	} {
		t.Run(name, func(t *testing.T) {
			p := newBodyPrint(Record{Body: string(c.first)})
			at, differs := p.firstDiff(c.retry, int64(len(c.retry)))
			if c.same {
				assert.False(t, differs)
				return
			}
			require.True(t, differs)
			assert.LessOrEqual(t, at.Lo, int64(c.want), at.String())
			assert.GreaterOrEqual(t, at.Hi, int64(c.want), at.String())
			assert.LessOrEqual(t, at.Hi-at.Lo, int64(len(c.first)/bodyBlocks+1), at.String())
			if c.exact {
				assert.Equal(t, bodyOffset{int64(c.want), int64(c.want)}, at)
			}
		})
	}
	assert.LessOrEqual(t, len(newBodyPrint(Record{Body: string(big)}).head), bodyHeadBytes)
	assert.LessOrEqual(t, len(newBodyPrint(Record{Body: string(big)}).blocks), bodyBlocks)
}

// TestBodyPrintCutByTheCapture: two bodies cut by the capture whose kept
// bytes agree differ when their lengths as sent do, from the cut on.
func TestBodyPrintCutByTheCapture(t *testing.T) {
	p := newBodyPrint(Record{Body: "abcd", BodyBytes: 100, BodyTruncated: true})
	_, differs := p.firstDiff([]byte("abcd"), 100)
	assert.False(t, differs)
	at, differs := p.firstDiff([]byte("abcd"), 90)
	require.True(t, differs)
	assert.Equal(t, bodyOffset{4, 90}, at)
}
