package inspect_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/inspect"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// inUse is the heap and the goroutine stacks in use after a collection.
func inUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc + m.StackInuse
}

// TestMemoryTenThousandDeliveriesFiftyPages: 10,000 deliveries kept and 50
// pages following them cost the server a few MB, the pages under 20 MB
// (BENCHMARKS.md). The readers' side of the 50 streams runs in this
// process too, so the figure is an upper bound.
func TestMemoryTenThousandDeliveriesFiftyPages(t *testing.T) {
	before := inUse()
	in := newInspector(t, inspect.Options{})
	t0 := time.Now()
	for i := range 10_000 {
		tid := fmt.Sprintf("%08d-0000-4000-8000-000000000000", i)
		in.ObserveDelivery(record(tid, "d-"+tid, t0, webhook.Delivered, 500, 200))
	}
	rows := inUse()
	srv := httptest.NewServer(in)
	defer srv.Close()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	readers := make([]*bufio.Reader, 50)
	for i := range readers {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api/events", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		readers[i] = bufio.NewReader(resp.Body)
	}
	// Every page gets the next 100 changes.
	for i := range 100 {
		tid := fmt.Sprintf("%08d-0000-4000-8000-000000000000", i)
		in.ObserveDelivery(record(tid, "d-"+tid, t0, webhook.Delivered, 500, 500, 200))
	}
	for _, br := range readers {
		for n := 0; n < 100; {
			line, err := br.ReadString('\n')
			require.NoError(t, err)
			if strings.HasPrefix(line, "data: ") {
				n++
			}
		}
	}
	pages := inUse()
	_, _, open, dropped := in.Stats()
	require.Equal(t, 50, open)
	require.Zero(t, dropped)
	rowsMB := float64(int64(rows)-int64(before)) / (1 << 20)
	pagesMB := float64(int64(pages)-int64(rows)) / (1 << 20)
	t.Logf("10,000 deliveries: %.1f MiB; 50 pages following them: %.1f MiB more", rowsMB, pagesMB)
	assert.Less(t, pagesMB, 20.0, "50 open pages cost under 20 MB")
	assert.Less(t, rowsMB, 20.0)
}
