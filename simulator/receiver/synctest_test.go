package receiver_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/go-faker/faker/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/receiver"
)

func TestDelayRunsInVirtualTime(t *testing.T) {
	wall := time.Now()
	synctest.Test(t, func(t *testing.T) {
		b, err := receiver.Lookup("delay")
		require.NoError(t, err)
		// No Sleep hook: the default timer is what synctest makes virtual.
		h := b.New(receiver.Config{}, receiver.Params{Delay: 9900 * time.Millisecond})
		start := time.Now()
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/", strings.NewReader("{}")))
		assert.Equal(t, http.StatusOK, w.Code)
		assert.Equal(t, 9900*time.Millisecond, time.Since(start), "virtual time")
	})
	assert.Less(t, time.Since(wall), time.Second, "wall time")
}

func TestRateLimitedBurst(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, err := receiver.Lookup("rate-limited")
		require.NoError(t, err)
		h := b.New(receiver.Config{}, receiver.Params{Limit: 2})
		var (
			mu    sync.Mutex
			codes = map[int]int{}
			wg    sync.WaitGroup
		)
		// Every goroutine runs until it blocks before the bubble's clock
		// moves, so all five are in progress together.
		for range 5 {
			wg.Go(func() {
				body := transcript(faker.UUIDHyphenated(), "completed")
				w := httptest.NewRecorder()
				h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body)))
				mu.Lock()
				defer mu.Unlock()
				codes[w.Code]++
			})
		}
		wg.Wait()
		assert.Equal(t, map[int]int{http.StatusOK: 2, http.StatusTooManyRequests: 3}, codes)

		// Once the burst is over, the next request is admitted again.
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/", strings.NewReader(transcript(faker.UUIDHyphenated(), "error"))))
		assert.Equal(t, http.StatusOK, w.Code)
	})
}
