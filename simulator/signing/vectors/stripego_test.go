package vectors_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/hookcheck/hookcheck/simulator/signing"
	"github.com/hookcheck/hookcheck/simulator/signing/vectors"
)

// TestStripeGo verifies every committed Stripe vector with stripe-go's
// webhook.ConstructEventWithOptions (the official Go library, ST-5): each
// positive must verify and each negative be refused.
//
// stripe-go reads the clock itself (time.Since). To verify at the vector's
// now, the tolerance is widened by exactly how far the real clock is past
// it, plus half a second so that the microseconds between the two reads
// cannot push an edge vector (age exactly 300 s) over.
func TestStripeGo(t *testing.T) {
	f, err := os.Open(filepath.Join(docsDir, string(signing.Stripe)+".json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	vs, err := vectors.Read(f)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		skew := time.Since(time.Unix(v.Now, 0))
		_, err := webhook.ConstructEventWithOptions([]byte(v.Body), v.Headers[signing.HeaderStripeSignature], v.Secret,
			webhook.ConstructEventOptions{Tolerance: signing.DefaultTolerance + skew + 500*time.Millisecond, IgnoreAPIVersionMismatch: true})
		if got := err == nil; got != v.Valid {
			t.Errorf("vector %s: stripe-go %s says valid=%v (%v), the vector says valid=%v: %s",
				v.Name, "v82.5.1", got, err, v.Valid, v.Reason)
		}
	}
}
