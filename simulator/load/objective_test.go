package load

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestObjectivesParseAndJudge(t *testing.T) {
	os, err := ParseObjectives("lost=0, p95<2s,held_rate>=40")
	require.NoError(t, err)
	require.Len(t, os, 3)
	assert.Equal(t, Objective{Metric: "p95", Op: "<", Want: 2000, Text: "p95<2s"}, os[1])
	assert.Equal(t, ">=", os[2].Op)

	good := &Result{HeldRate: 40, Answer: Percentiles{P95MS: 1999}}
	for _, v := range Check(os, good) {
		assert.True(t, v.Pass, v.Text)
	}
	bad := &Result{Lost: 3, HeldRate: 39.9, Answer: Percentiles{P95MS: 2000}}
	for _, v := range Check(os, bad) {
		assert.False(t, v.Pass, v.Text)
	}
	assert.Equal(t, "2 s", Check(os[1:2], bad)[0].Shown())

	for _, s := range []string{"", "lost", "lost=x", "p95<2", "speed>1", "=3"} {
		_, err := ParseObjectives(s)
		assert.Error(t, err, s)
	}
}
