package webhook_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if any goroutine outlives the tests: hostile
// receivers, senders and engines must all stop cleanly. Synctest bubbles
// end before their test returns, so their goroutines are gone by then.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
