package signing

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hookcheck/hookcheck/internal/secret"
)

// HeaderStripeSignature is Stripe's signature header (ST-1).
const HeaderStripeSignature = "Stripe-Signature"

// stripeScheme is the only scheme a receiver checks (ST-3).
const stripeScheme = "v1"

// StripeSigner signs as Stripe does (ST-1..ST-4): t=<unix>, then one v1
// per secret (several while a secret is rolled).
type StripeSigner struct {
	keys [][]byte
}

// NewStripeSigner returns a signer for secrets (whsec_…, used as they are:
// ST-2).
func NewStripeSigner(secrets ...secret.Secret) (*StripeSigner, error) {
	if err := needSecrets(Stripe, secrets); err != nil {
		return nil, err
	}
	keys := make([][]byte, len(secrets))
	for i, s := range secrets {
		keys[i] = []byte(s.Reveal())
	}
	return &StripeSigner{keys: keys}, nil
}

// Sign returns the Stripe-Signature header for m (m.ID is not signed).
func (s *StripeSigner) Sign(m Message) (Headers, error) {
	if m.Timestamp.Unix() < 0 {
		return nil, fmt.Errorf("%s: timestamp %d is before 1970", Stripe, m.Timestamp.Unix())
	}
	ts := strconv.FormatInt(m.Timestamp.Unix(), 10)
	var b strings.Builder
	b.WriteString("t=" + ts)
	for _, k := range s.keys {
		b.WriteString("," + stripeScheme + "=" + hex.EncodeToString(stripeMAC(k, ts, m.Body)))
	}
	return Headers{{HeaderStripeSignature, b.String()}}, nil
}

// stripeMAC is HMAC-SHA256(secret, "{t}.{body}") (ST-1).
func stripeMAC(key []byte, ts string, body []byte) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(ts))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return mac.Sum(nil)
}

// StripeVerifier verifies Stripe requests (ST-1..ST-5).
type StripeVerifier struct {
	keys      [][]byte
	tolerance time.Duration
}

// NewStripeVerifier returns a verifier accepting any of o.Secrets.
func NewStripeVerifier(o VerifyOptions) (*StripeVerifier, error) {
	if err := needSecrets(Stripe, o.Secrets); err != nil {
		return nil, err
	}
	keys := make([][]byte, len(o.Secrets))
	for i, s := range o.Secrets {
		keys[i] = []byte(s.Reveal())
	}
	return &StripeVerifier{keys: keys, tolerance: o.tolerance()}, nil
}

// Verify checks h and body at now: one Stripe-Signature header of
// key=value pairs with exactly one t; some v1 (lower-case hex of 32 bytes)
// matches in constant time with some secret (ST-1..ST-4); every other
// scheme is ignored (ST-3); the event is no older than the tolerance. As
// the official libraries do, a timestamp ahead of the clock is accepted
// (ST-5).
func (v *StripeVerifier) Verify(h http.Header, body []byte, now time.Time) error {
	const p = Stripe
	header, err := single(p, h, HeaderStripeSignature)
	if err != nil {
		return err
	}
	var (
		tsText              string
		sigs                [][]byte
		unreadable, unknown int
	)
	for pair := range strings.SplitSeq(header, ",") {
		key, value, found := strings.Cut(pair, "=")
		if !found || strings.Contains(value, "=") {
			return verifyErr(p, ErrMalformedHeader, "an entry is not key=value")
		}
		switch key {
		case "t":
			if tsText != "" {
				return verifyErr(p, ErrMalformedHeader, "more than one t")
			}
			tsText = value
		case stripeScheme:
			if b, ok := decodeLowerHex(value, sha256.Size); ok {
				sigs = append(sigs, b)
			} else {
				unreadable++
			}
		default:
			unknown++
		}
	}
	ts, ok := parseUnix(tsText)
	if !ok {
		return verifyErr(p, ErrMalformedHeader, "t is missing or not a Unix time in seconds")
	}
	if !v.match(tsText, body, sigs) {
		switch {
		case len(sigs) > 0:
			return verifyErr(p, ErrBadSignature, "none of %d v1 signatures matches", len(sigs))
		case unreadable > 0:
			return verifyErr(p, ErrNoValidSignature, "%d v1 values are not 64 lower-case hex digits", unreadable)
		case unknown > 0:
			return verifyErr(p, ErrUnknownVersion, "only schemes other than v1 (ST-3)")
		default:
			return verifyErr(p, ErrMalformedHeader, "no v1 signature")
		}
	}
	return checkAge(p, ts, now, v.tolerance, false)
}

func (v *StripeVerifier) match(ts string, body []byte, sigs [][]byte) bool {
	if len(sigs) == 0 {
		return false
	}
	for _, k := range v.keys {
		want := stripeMAC(k, ts, body)
		for _, got := range sigs {
			if hmac.Equal(want, got) {
				return true
			}
		}
	}
	return false
}

// decodeLowerHex decodes s when it is exactly n bytes of lower-case hex,
// the only form the providers send (ST-1, GH-1) and the only one the
// official JavaScript libraries accept.
func decodeLowerHex(s string, n int) ([]byte, bool) {
	if len(s) != 2*n {
		return nil, false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return nil, false
		}
	}
	b, err := hex.DecodeString(s)
	return b, err == nil
}
