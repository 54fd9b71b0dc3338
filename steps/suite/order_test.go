package suite

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// orderOf is startOrder over scenarios given as uri and tags.
func orderOf(t *testing.T, seed int64, tags string, scenarios ...plannedScenario) []string {
	t.Helper()
	f, err := parseTags(tags)
	require.NoError(t, err)
	p := &Prepared{cfg: Config{Seed: seed}}
	for _, sc := range scenarios {
		if f.Match(sc.tags) {
			p.selected = append(p.selected, sc)
		}
	}
	return p.startOrder(f)
}

func TestStartOrderPutsLongFilesFirst(t *testing.T) {
	scenarios := []plannedScenario{
		{uri: "a.feature", tags: []string{"@RC-01"}},
		{uri: "b.feature", tags: []string{"@RC-04", "@long"}},
		{uri: "c.feature", tags: []string{"@RC-08"}},
		{uri: "c.feature", tags: []string{"@RC-08"}},
		{uri: "d.feature", tags: []string{"@RC-16"}},
		{uri: "d.feature", tags: []string{"@RC-16", "@long"}}, // one long scenario makes its file long
		{uri: "e.feature", tags: []string{"@RC-11", "@serial"}},
	}
	// Seed 0: file order within each class, each file once.
	assert.Equal(t, []string{"b.feature", "d.feature", "a.feature", "c.feature", "e.feature"}, orderOf(t, 0, "", scenarios...))
	// Only the pass's scenarios count.
	assert.Equal(t, []string{"b.feature", "a.feature"}, orderOf(t, 0, "@RC-01,@RC-04", scenarios...))

	// A seed shuffles within each class, the long files still first, and
	// the same seed gives the same order.
	orders := map[string]bool{}
	for seed := int64(1); seed <= 20; seed++ {
		got := orderOf(t, seed, "", scenarios...)
		assert.Equal(t, got, orderOf(t, seed, "", scenarios...), "seed %d replays", seed)
		assert.ElementsMatch(t, []string{"b.feature", "d.feature"}, got[:2], "seed %d: long first", seed)
		assert.ElementsMatch(t, []string{"a.feature", "c.feature", "e.feature"}, got[2:], "seed %d", seed)
		orders[got[0]+got[1]+got[2]+got[3]+got[4]] = true
	}
	assert.Greater(t, len(orders), 2, "seeds give different orders")
}

// In the built-in suite the scenarios that wait a retry interval or a
// slow API by design start before the others in their pass.
func TestBuiltInLongScenariosStartFirst(t *testing.T) {
	p, err := Prepare(Config{})
	require.NoError(t, err)
	order := p.startOrder(p.filter.And("~" + serialTag).And("~" + isolatedTag).And("~" + finalTag))
	require.GreaterOrEqual(t, len(order), 3)
	assert.Equal(t, "receiver/rc04_redelivery.feature", order[0])
	for _, isolated := range []string{"receiver/rc15_slow_api.feature", "receiver/rc16_failing_api.feature", "receiver/rc19_keeps_acknowledging.feature"} {
		assert.NotContains(t, order, isolated, "an isolated scenario runs in a phase of its own")
	}
}
