package api

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The streamed list is byte for byte what json.Marshal gives for the
// struct it replaced, escaping included, for empty and non-empty lists.
func TestWriteJSONListMatchesMarshal(t *testing.T) {
	type item struct {
		Name string  `json:"name"`
		N    float64 `json:"n"`
		Tags []string
	}
	for _, items := range [][]item{
		{},
		{{Name: "a"}},
		{{Name: "<script>&\u2028", N: 1.5, Tags: []string{"x"}}, {Name: "b", N: -2e30}, {}},
	} {
		want, err := json.Marshal(struct {
			Items   []item `json:"items"`
			Dropped int    `json:"dropped"`
		}{items, 7})
		require.NoError(t, err)
		w := httptest.NewRecorder()
		writeJSONList(w, "items", items, `,"dropped":7`)
		assert.Equal(t, http.StatusOK, w.Code)
		assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
		assert.Equal(t, string(want)+"\n", w.Body.String())
	}
}

// An item that cannot be encoded, once the status is out, cuts the
// response rather than ending it as if the list were whole.
func TestWriteJSONListAbortsOnBadItem(t *testing.T) {
	w := httptest.NewRecorder()
	assert.PanicsWithValue(t, http.ErrAbortHandler, func() {
		writeJSONList(w, "n", []float64{1, math.NaN(), 3}, "")
	})
	assert.Equal(t, `{"n":[1`, w.Body.String(), "the list is cut, not closed")
	var buf bytes.Buffer
	assert.Error(t, encodeList(&buf, []byte(`"n"`), []float64{math.Inf(1)}, ""))
}
