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

	"github.com/hookcheck/hookcheck/simulator/receiver"
)

// answer is one request's status and how long it took, in virtual time.
type answer struct {
	status int
	took   time.Duration
}

// concurrently serves n deliveries at once to the behaviour and returns
// how many got each answer; call it inside a synctest bubble, where every
// goroutine runs until it blocks before the clock moves.
func concurrently(t *testing.T, name string, p receiver.Params, n int) map[answer]int {
	t.Helper()
	b, err := receiver.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	h := b.New(receiver.Config{}, p)
	var (
		mu  sync.Mutex
		got = map[answer]int{}
		wg  sync.WaitGroup
	)
	for range n {
		wg.Go(func() {
			start := time.Now()
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/", strings.NewReader(transcript(faker.UUIDHyphenated(), "completed"))))
			mu.Lock()
			defer mu.Unlock()
			got[answer{w.Code, time.Since(start)}]++
		})
	}
	wg.Wait()
	return got
}

// loadCases are the behaviours that break under load, each at the scale of
// one burst; simulator/load shows each one's signature under a sustained
// rate.
func loadCases() map[string]func(t *testing.T) {
	ms := time.Millisecond
	return map[string]func(t *testing.T){
		"pool-queue": func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				// Four workers, 100 ms each: ten requests queue in three waves.
				assert.Equal(t, map[answer]int{{200, 100 * ms}: 4, {200, 200 * ms}: 4, {200, 300 * ms}: 2},
					concurrently(t, "pool-queue", receiver.Params{}, 10))
			})
		},
		"shed-429": func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				assert.Equal(t, map[answer]int{{200, 100 * ms}: 4, {429, 0}: 6},
					concurrently(t, "shed-429", receiver.Params{}, 10))
			})
		},
		"pool-dry-500": func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				// Connections free at 0, 300, 600 and 900 ms: 16 get one, the
				// other four wait out the 1 s checkout timeout.
				assert.Equal(t, map[answer]int{{200, 300 * ms}: 4, {200, 600 * ms}: 4, {200, 900 * ms}: 4, {200, 1200 * ms}: 4,
					{500, time.Second}: 4}, concurrently(t, "pool-dry-500", receiver.Params{Delay: 300 * ms}, 20))
			})
		},
		"queue-first": func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				assert.Equal(t, map[answer]int{{200, 0}: 100}, concurrently(t, "queue-first", receiver.Params{}, 100),
					"acknowledged at once, whatever waits behind")
			})
		},
	}
}
