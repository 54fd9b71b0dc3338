// Package secret holds Secret, a value that must never be printed, logged or
// reported. It is its own package so that both the delivery engine
// (simulator/webhook, which re-exports it as webhook.Secret) and the
// signers (simulator/signing) can hold secrets without importing each other.
package secret

// Secret is a value that must never be printed, logged or reported: its
// String, GoString and JSON forms are masked. Reveal returns the value.
type Secret string

// Mask is what a secret shows instead of its value.
const Mask = "********"

// Reveal returns the secret's value, for the one place that sends it.
func (s Secret) Reveal() string { return string(s) }

// String masks the secret.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return Mask
}

// GoString masks the secret in %#v.
func (s Secret) GoString() string { return s.String() }

// MarshalText masks the secret in JSON and every other text encoding.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }
