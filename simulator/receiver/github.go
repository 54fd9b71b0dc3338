package receiver

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"

	"github.com/hookcheck/hookcheck/simulator/signing"
)

// githubBehaviours are the GitHub receivers (GH-1..GH-3): the compliant
// one verifies X-Hub-Signature-256 with simulator/signing on the raw body
// in constant time (as @octokit/webhooks-methods verify does), the others
// each get one thing wrong. GitHub signs no timestamp and has one secret
// (GH-3), so there is no tolerance or rotation flaw. They serve
// Config.Path, answer 405 to other methods, 400 to a request that does not
// verify or does not parse, 200 to the rest, and need
// Config.SigningSecret.
func githubBehaviours() []Behaviour {
	b := func(name, description, violates string, f signedFlaw) Behaviour {
		return Behaviour{Name: name, Description: description, Violates: violates,
			New: func(c Config, p Params) http.Handler { return newSigned(c, signing.GitHub, f, p) }}
	}
	return []Behaviour{
		b("github-compliant", "GitHub: verifies X-Hub-Signature-256 on the raw body in constant time (simulator/signing, as @octokit/webhooks-methods verify)", "", signedCompliant),
		b("github-reserialized", "GitHub: verifies JSON.stringify of the parsed body, as a receiver behind express.json() does", "SIG-07 (GH-1)", signedReserialized),
		b("github-no-check", "GitHub: never verifies X-Hub-Signature-256", "SIG-02, SIG-03 (GH-1, GH-2)", signedNoCheck),
		b("github-shed-429", "GitHub: verifies as github-compliant, but answers 429 with Retry-After: 1 when more than Params.Limit (default 10) requests are in progress, as a rate limiter in front of the handler does", "RC-11 (GH-4: a failed delivery is not redelivered, the event is lost)", signedShed429),
		b("github-no-dedup", "GitHub: verifies as github-compliant, but processes every delivery it acknowledges, a redelivery of the same X-GitHub-Delivery too", "SIG-09 (GH-3, GH-7: a redelivery repeats X-GitHub-Delivery; dedupe on it)", signedNoDedup),
		b("github-duplicate-409", "GitHub: verifies and processes each X-GitHub-Delivery once, but answers a redelivery 409 Conflict, so the redelivery shows as failed (GH-4: only a 2xx is success)", "SIG-09 (GH-4, GH-7)", signedDuplicate409),
		b("github-equals-compare", "GitHub: compares X-Hub-Signature-256 with an early-exit ==, spending 1 ms per matching byte (the leak amplified so that it shows over a network)", "SIG-08 (GH-2: constant-time comparison)", signedEquals),
	}
}

// githubEquals verifies as a hand-written GitHub check with == does: the
// raw body right, the header compared byte by byte, returning at the first
// difference (1 ms per matching byte: the leak amplified).
func (s *signedReceiver) githubEquals(h http.Header, body []byte) error {
	mac := hmac.New(sha256.New, []byte(s.cfg.SigningSecret.Reveal()))
	mac.Write(body)
	if !s.slowEqual(h.Get(signing.HeaderGitHubSignature256), "sha256="+hex.EncodeToString(mac.Sum(nil))) {
		return errors.New("signature does not match")
	}
	return nil
}
