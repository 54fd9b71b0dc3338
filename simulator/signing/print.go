package signing

import "fmt"

// Signers and verifiers hold key bytes: every way of printing one shows
// only the provider and how many keys it holds.

// String describes the signer without its keys.
func (s *StandardSigner) String() string {
	return describe("signer", StandardWebhooks, len(s.keys.hmac)+len(s.keys.private))
}

// GoString is String, so %#v shows no key either.
func (s *StandardSigner) GoString() string { return s.String() }

// String describes the verifier without its keys.
func (v *StandardVerifier) String() string {
	return describe("verifier", StandardWebhooks, len(v.keys.hmac)+len(v.keys.public))
}

// GoString is String, so %#v shows no key either.
func (v *StandardVerifier) GoString() string { return v.String() }

// String describes the signer without its keys.
func (s *StripeSigner) String() string { return describe("signer", Stripe, len(s.keys)) }

// GoString is String, so %#v shows no key either.
func (s *StripeSigner) GoString() string { return s.String() }

// String describes the verifier without its keys.
func (v *StripeVerifier) String() string { return describe("verifier", Stripe, len(v.keys)) }

// GoString is String, so %#v shows no key either.
func (v *StripeVerifier) GoString() string { return v.String() }

// String describes the signer without its key.
func (s *GitHubSigner) String() string { return describe("signer", GitHub, 1) }

// GoString is String, so %#v shows no key either.
func (s *GitHubSigner) GoString() string { return s.String() }

// String describes the verifier without its keys.
func (v *GitHubVerifier) String() string { return describe("verifier", GitHub, len(v.keys)) }

// GoString is String, so %#v shows no key either.
func (v *GitHubVerifier) GoString() string { return v.String() }

func describe(what string, p Provider, keys int) string {
	return fmt.Sprintf("%s %s (%d keys)", p, what, keys)
}
