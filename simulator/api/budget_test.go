package api

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Issue 18: 2,000 transcripts each keeping a 1 MB word_boost would hold
// 2 GB. The store's byte budget evicts the oldest instead: the bytes it
// accounts for never exceed DefaultMaxStoreBytes, and the transcripts kept
// are the newest. One shared 1 MB value stands for the 2,000 copies (the
// store accounts for each), so the test costs 1 MB, not 2 GB.
func TestStoreStaysWithinItsByteBudget(t *testing.T) {
	boost := json.RawMessage(`["` + strings.Repeat("w", 1_000_000) + `"]`)
	s := newStore(DefaultMaxTranscripts, DefaultMaxStoreBytes)
	const n = 2000
	for i := range n {
		tr := newTranscript(transcriptSpec{id: "t" + strconv.Itoa(i), audioURL: "https://x.test/a.mp3",
			params: map[string]json.RawMessage{"word_boost": boost}})
		require.True(t, s.add(tr, time.Now, func(*transcript) {}))
		require.LessOrEqual(t, s.bytes, int64(DefaultMaxStoreBytes), "after transcript %d", i)
	}
	evicted, bytes := s.evictedCount()
	kept := len(s.order)
	assert.Equal(t, n, kept+evicted)
	assert.Greater(t, bytes, int64(kept)*int64(len(boost)), "each kept word_boost is accounted for")
	assert.Greater(t, bytes, int64(DefaultMaxStoreBytes)-int64(len(boost))-TranscriptOverheadBytes-100,
		"the budget is used, not undercounted")
	assert.Equal(t, "t"+strconv.Itoa(n-1), s.order[kept-1].ID, "the newest is kept")
	assert.Equal(t, "t"+strconv.Itoa(evicted), s.order[0].ID, "the oldest went first")
	assert.Len(t, s.transcripts, kept)
}

// A budget smaller than one transcript still keeps the newest one.
func TestStoreKeepsTheNewestOverItsBudget(t *testing.T) {
	s := newStore(0, 1)
	for i := range 3 {
		require.True(t, s.add(newTranscript(transcriptSpec{id: "t" + strconv.Itoa(i)}), time.Now, func(*transcript) {}))
	}
	require.Len(t, s.order, 1)
	assert.Equal(t, "t2", s.order[0].ID)
	evicted, _ := s.evictedCount()
	assert.Equal(t, 2, evicted)
}
