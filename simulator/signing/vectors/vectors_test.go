package vectors_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/hookcheck/hookcheck/simulator/signing"
	"github.com/hookcheck/hookcheck/simulator/signing/vectors"
)

var update = flag.Bool("update", false, "rewrite docs/vectors/*.json")

// docsDir is where the committed vectors live, from this package.
const docsDir = "../../../docs/vectors"

// TestCommittedVectors regenerates each provider's vectors and compares
// them with docs/vectors/<provider>.json byte for byte: generation is
// deterministic and the committed file is current. -update rewrites them.
func TestCommittedVectors(t *testing.T) {
	for _, p := range signing.Providers() {
		t.Run(string(p), func(t *testing.T) {
			vs, err := vectors.Generate(p)
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			if err := vectors.Write(&b, vs); err != nil {
				t.Fatal(err)
			}
			again, err := vectors.Generate(p)
			if err != nil {
				t.Fatal(err)
			}
			var b2 bytes.Buffer
			_ = vectors.Write(&b2, again)
			if !bytes.Equal(b.Bytes(), b2.Bytes()) {
				t.Fatal("two generations differ: the vectors are not deterministic")
			}
			name := filepath.Join(docsDir, string(p)+".json")
			if *update {
				if err := os.WriteFile(name, b.Bytes(), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			committed, err := os.ReadFile(name)
			if err != nil {
				t.Fatalf("%v (run go test ./simulator/signing/vectors -run TestCommittedVectors -update)", err)
			}
			if !bytes.Equal(committed, b.Bytes()) {
				t.Errorf("%s is stale: regenerate with hookcheck vectors --provider %s --out %s", name, p, name)
			}
		})
	}
}

// TestCoverage checks that each file holds what docs/vectors.md promises:
// positives and negatives, and the named cases of every provider.
func TestCoverage(t *testing.T) {
	want := map[signing.Provider][]string{
		signing.StandardWebhooks: {"valid", "body-one-byte-changed", "wrong-secret", "timestamp-past-tolerance", "timestamp-future-tolerance",
			"rotation-new-signature-valid", "unknown-version-beside-valid", "raw-body-whitespace", "raw-body-key-order",
			"raw-body-escaped-unicode", "raw-body-large-numbers", "reserialized-body-large-numbers", "signature-not-base64", "published-example"},
		signing.Stripe: {"valid", "body-one-byte-changed", "wrong-secret", "timestamp-past-tolerance", "timestamp-future-accepted",
			"rotation-new-signature-valid", "v0-beside-valid", "raw-body-whitespace", "reserialized-body-key-order", "missing-timestamp"},
		signing.GitHub: {"valid", "body-one-byte-changed", "wrong-secret", "replay-a-month-later", "sha1-beside-valid",
			"raw-body-escaped-unicode", "reserialized-body-escaped-unicode", "hex-upper-case", "published-example"},
	}
	for p, names := range want {
		vs, err := vectors.Generate(p)
		if err != nil {
			t.Fatal(err)
		}
		have := map[string]vectors.Vector{}
		var pos, neg int
		for _, v := range vs {
			if _, dup := have[v.Name]; dup {
				t.Errorf("%s: two vectors named %s", p, v.Name)
			}
			have[v.Name] = v
			if v.Valid {
				pos++
			} else {
				neg++
			}
			if v.Reason == "" || len(v.Headers) == 0 && v.Name != "missing-header" {
				t.Errorf("%s/%s: no reason or no headers", p, v.Name)
			}
		}
		for _, n := range names {
			if _, ok := have[n]; !ok {
				t.Errorf("%s: no vector %s", p, n)
			}
		}
		if pos < 5 || neg < 5 {
			t.Errorf("%s: %d positive, %d negative vectors", p, pos, neg)
		}
	}
}

// TestVerifyDisagrees shows that the self-check can fail: a vector whose
// verdict is flipped is refused by Verify's agreement test.
func TestVerifyDisagrees(t *testing.T) {
	for _, p := range signing.Providers() {
		vs, err := vectors.Generate(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			got := vectors.Verify(p, v) == nil
			if got != v.Valid {
				t.Errorf("%s/%s: verifier says %v, vector says %v", p, v.Name, got, v.Valid)
			}
			v.Body += " "
			if vectors.Verify(p, v) == nil {
				t.Errorf("%s/%s: verifies with a space appended to the body", p, v.Name)
			}
		}
	}
}
