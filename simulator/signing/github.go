package signing

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hookcheck/hookcheck/internal/secret"
)

// GitHub's header names (GH-1).
const (
	HeaderGitHubSignature256  = "X-Hub-Signature-256"
	HeaderGitHubSignatureSHA1 = "X-Hub-Signature"
	HeaderGitHubEvent         = "X-GitHub-Event"
	HeaderGitHubDelivery      = "X-GitHub-Delivery"
)

const githubPrefix = "sha256="

// GitHubSigner signs as GitHub does (GH-1, GH-2): X-Hub-Signature-256 over
// the body alone. GitHub has one secret per webhook and one signature per
// header (GH-3), so it takes exactly one secret.
type GitHubSigner struct {
	key []byte
}

// NewGitHubSigner returns a signer for one secret (any string, GH-2).
func NewGitHubSigner(secrets ...secret.Secret) (*GitHubSigner, error) {
	if err := needSecrets(GitHub, secrets); err != nil {
		return nil, err
	}
	if len(secrets) > 1 {
		return nil, fmt.Errorf("%s: %d secrets: GitHub signs with one (GH-3)", GitHub, len(secrets))
	}
	return &GitHubSigner{key: []byte(secrets[0].Reveal())}, nil
}

// Sign returns X-Hub-Signature-256 for m; m.ID, when set, is sent as
// X-GitHub-Delivery (it is not signed, GH-3). The timestamp is not sent.
func (s *GitHubSigner) Sign(m Message) (Headers, error) {
	hs := Headers{{HeaderGitHubSignature256, githubPrefix + hex.EncodeToString(githubMAC(s.key, m.Body))}}
	if m.ID != "" {
		hs = append(hs, Field{HeaderGitHubDelivery, m.ID})
	}
	return hs, nil
}

func githubMAC(key, body []byte) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write(body)
	return mac.Sum(nil)
}

// GitHubVerifier verifies GitHub requests (GH-1..GH-3). It checks no time:
// GitHub signs none, so a replay verifies and only deduplication on
// X-GitHub-Delivery stops it (GH-3).
type GitHubVerifier struct {
	keys [][]byte
}

// NewGitHubVerifier returns a verifier accepting any of o.Secrets (a
// receiver may hold the old and the new one while it changes them).
func NewGitHubVerifier(o VerifyOptions) (*GitHubVerifier, error) {
	if err := needSecrets(GitHub, o.Secrets); err != nil {
		return nil, err
	}
	keys := make([][]byte, len(o.Secrets))
	for i, s := range o.Secrets {
		keys[i] = []byte(s.Reveal())
	}
	return &GitHubVerifier{keys: keys}, nil
}

// Verify checks that h holds one X-Hub-Signature-256 of the form
// sha256=<64 lower-case hex digits> that matches body with some secret, in
// constant time. X-Hub-Signature (SHA-1) is ignored (GH-1); now is unused.
func (v *GitHubVerifier) Verify(h http.Header, body []byte, _ time.Time) error {
	const p = GitHub
	header, err := single(p, h, HeaderGitHubSignature256)
	if err != nil {
		return err
	}
	algo, value, found := strings.Cut(header, "=")
	switch {
	case !found:
		return verifyErr(p, ErrMalformedHeader, "%s is not algorithm=hex", HeaderGitHubSignature256)
	case algo+"=" != githubPrefix:
		return verifyErr(p, ErrUnknownVersion, "algorithm %q, want sha256 (GH-3)", truncate(algo, 16))
	}
	got, ok := decodeLowerHex(value, sha256.Size)
	if !ok {
		return verifyErr(p, ErrNoValidSignature, "the signature is not 64 lower-case hex digits")
	}
	for _, k := range v.keys {
		if hmac.Equal(githubMAC(k, body), got) {
			return nil
		}
	}
	return verifyErr(p, ErrBadSignature, "the signature does not match the body")
}

// truncate shortens untrusted text quoted in an error.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
