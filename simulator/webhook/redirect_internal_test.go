package webhook

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestInternKeepsTheRedirect: an answer that differs only by the
// receiver's first answer is not shared with one without it, and the
// journal gives the first answer back.
func TestInternKeepsTheRedirect(t *testing.T) {
	var in answerInterner
	plain := Attempt{Number: 1, StatusCode: 200}
	r1 := Attempt{Number: 1, StatusCode: 200, Redirect: &Redirect{StatusCode: 307, Location: "/a", Count: 1}}
	r2 := Attempt{Number: 2, StatusCode: 200, Redirect: &Redirect{StatusCode: 307, Location: "/a", Count: 1}}
	r3 := Attempt{Number: 1, StatusCode: 200, Redirect: &Redirect{StatusCode: 302, Location: "/a", Count: 1}}
	assert.Nil(t, in.intern(&plain))
	require.NotNil(t, in.intern(&r1))
	assert.Same(t, in.intern(&r1), in.intern(&r2), "equal first answers share one")
	assert.NotSame(t, in.intern(&r1), in.intern(&r3))

	var j journal
	j.add(&r1, in.intern(&r1))
	assert.Equal(t, r1.Redirect, j.attempts[0].plain().Redirect)
}
