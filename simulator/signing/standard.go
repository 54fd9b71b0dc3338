package signing

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hookcheck/hookcheck/internal/secret"
)

// Standard Webhooks header names, spelled as the spec sends them (SW-1).
const (
	HeaderWebhookID        = "webhook-id"
	HeaderWebhookTimestamp = "webhook-timestamp"
	HeaderWebhookSignature = "webhook-signature"
)

// Standard Webhooks secret prefixes (SW-3, SW-4).
const (
	PrefixSymmetric  = "whsec_" // HMAC-SHA256 key, base64
	PrefixPrivateKey = "whsk_"  // ed25519 private key, base64
	PrefixPublicKey  = "whpk_"  // ed25519 public key, base64
)

// Standard Webhooks signature versions (SW-3, SW-4).
const (
	versionV1  = "v1"
	versionV1a = "v1a"
)

// Key sizes of SW-3: an HMAC key of 24 to 64 bytes.
const (
	minSymmetricKey = 24
	maxSymmetricKey = 64
)

// standardKeys are the decoded keys of a list of Standard Webhooks secrets.
type standardKeys struct {
	hmac    [][]byte
	private []ed25519.PrivateKey
	public  []ed25519.PublicKey
}

// decodeStandardSecret decodes one secret by its prefix (SW-3, SW-4). A
// secret without a known prefix is taken as the base64 of an HMAC key, as
// the official library does. Errors never quote the secret.
func decodeStandardSecret(s secret.Secret, keys *standardKeys) error {
	v := s.Reveal()
	prefix, body := "", v
	for _, p := range []string{PrefixSymmetric, PrefixPrivateKey, PrefixPublicKey} {
		if strings.HasPrefix(v, p) {
			prefix, body = p, v[len(p):]
			break
		}
	}
	b, err := base64.StdEncoding.DecodeString(body)
	if err != nil {
		return fmt.Errorf("secret is not %s followed by base64 (SW-3): %w", PrefixSymmetric, err)
	}
	switch prefix {
	case PrefixPrivateKey:
		switch len(b) {
		case ed25519.SeedSize:
			keys.private = append(keys.private, ed25519.NewKeyFromSeed(b))
		case ed25519.PrivateKeySize:
			keys.private = append(keys.private, ed25519.PrivateKey(b))
		default:
			return fmt.Errorf("%s key holds %d bytes, want an ed25519 seed (32) or private key (64) (SW-4)", PrefixPrivateKey, len(b))
		}
	case PrefixPublicKey:
		if len(b) != ed25519.PublicKeySize {
			return fmt.Errorf("%s key holds %d bytes, want 32 (SW-4)", PrefixPublicKey, len(b))
		}
		keys.public = append(keys.public, ed25519.PublicKey(b))
	default:
		if len(b) == 0 {
			return errors.New("secret decodes to no key bytes (SW-3)")
		}
		keys.hmac = append(keys.hmac, b)
	}
	return nil
}

func decodeStandardSecrets(secrets []secret.Secret) (standardKeys, error) {
	var keys standardKeys
	if err := needSecrets(StandardWebhooks, secrets); err != nil {
		return keys, err
	}
	for i, s := range secrets {
		if err := decodeStandardSecret(s, &keys); err != nil {
			return keys, fmt.Errorf("%s: secret %d: %w", StandardWebhooks, i+1, err)
		}
	}
	return keys, nil
}

// StandardSigner signs as Standard Webhooks v1 (SW-1..SW-5): one v1
// signature per whsec_ secret, one v1a per whsk_ key, space-separated.
type StandardSigner struct {
	keys standardKeys
}

// NewStandardSigner returns a signer for secrets: whsec_ (HMAC, 24 to 64
// key bytes, SW-3) or whsk_ (ed25519, SW-4).
func NewStandardSigner(secrets ...secret.Secret) (*StandardSigner, error) {
	keys, err := decodeStandardSecrets(secrets)
	if err != nil {
		return nil, err
	}
	if len(keys.public) > 0 {
		return nil, fmt.Errorf("%s: a %s public key cannot sign (SW-4)", StandardWebhooks, PrefixPublicKey)
	}
	for i, k := range keys.hmac {
		if len(k) < minSymmetricKey || len(k) > maxSymmetricKey {
			return nil, fmt.Errorf("%s: secret %d holds %d key bytes, want %d to %d (SW-3)",
				StandardWebhooks, i+1, len(k), minSymmetricKey, maxSymmetricKey)
		}
	}
	return &StandardSigner{keys: keys}, nil
}

// Sign returns webhook-id, webhook-timestamp and webhook-signature for m.
// The id must be non-empty printable ASCII without '.', ' ' or ',' (SW-2:
// the signed content is delimited by full stops).
func (s *StandardSigner) Sign(m Message) (Headers, error) {
	if err := checkMessageID(m.ID); err != nil {
		return nil, err
	}
	if m.Timestamp.Unix() < 0 {
		return nil, fmt.Errorf("%s: timestamp %d is before 1970", StandardWebhooks, m.Timestamp.Unix())
	}
	ts := strconv.FormatInt(m.Timestamp.Unix(), 10)
	sigs := make([]string, 0, len(s.keys.hmac)+len(s.keys.private))
	for _, k := range s.keys.hmac {
		sigs = append(sigs, versionV1+","+base64.StdEncoding.EncodeToString(standardMAC(k, m.ID, ts, m.Body)))
	}
	for _, k := range s.keys.private {
		sigs = append(sigs, versionV1a+","+base64.StdEncoding.EncodeToString(ed25519.Sign(k, standardContent(m.ID, ts, m.Body))))
	}
	return Headers{
		{HeaderWebhookID, m.ID},
		{HeaderWebhookTimestamp, ts},
		{HeaderWebhookSignature, strings.Join(sigs, " ")},
	}, nil
}

func checkMessageID(id string) error {
	if id == "" {
		return fmt.Errorf("%s: empty message id", StandardWebhooks)
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= ' ' || c >= 0x7f || c == '.' || c == ',' {
			return fmt.Errorf("%s: message id has %q at byte %d: want printable ASCII without '.' or ','", StandardWebhooks, c, i)
		}
	}
	return nil
}

// standardMAC is HMAC-SHA256(key, "{id}.{ts}.{body}") (SW-2, SW-3),
// written in pieces so the body is not copied.
func standardMAC(key []byte, id, ts string, body []byte) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id))
	mac.Write([]byte{'.'})
	mac.Write([]byte(ts))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return mac.Sum(nil)
}

func standardContent(id, ts string, body []byte) []byte {
	b := make([]byte, 0, len(id)+len(ts)+2+len(body))
	b = append(b, id...)
	b = append(b, '.')
	b = append(b, ts...)
	b = append(b, '.')
	return append(b, body...)
}

// StandardVerifier verifies Standard Webhooks v1 requests (SW-1..SW-6).
type StandardVerifier struct {
	keys      standardKeys
	tolerance time.Duration
}

// NewStandardVerifier returns a verifier accepting any of o.Secrets: whsec_
// secrets check v1 signatures, whpk_ (or whsk_) keys check v1a ones.
func NewStandardVerifier(o VerifyOptions) (*StandardVerifier, error) {
	keys, err := decodeStandardSecrets(o.Secrets)
	if err != nil {
		return nil, err
	}
	for _, k := range keys.private {
		pub, _ := k.Public().(ed25519.PublicKey)
		keys.public = append(keys.public, pub)
	}
	keys.private = nil
	return &StandardVerifier{keys: keys, tolerance: o.tolerance()}, nil
}

// Verify checks h and body at now: the three headers are present and
// single (several webhook-signature lines are read as one list), one
// signature of a version the verifier has a key for matches in constant
// time (SW-5, SW-6), then the timestamp is within the tolerance, past or
// future (SW-6).
func (v *StandardVerifier) Verify(h http.Header, body []byte, now time.Time) error {
	const p = StandardWebhooks
	id, err := single(p, h, HeaderWebhookID)
	if err != nil {
		return err
	}
	tsText, err := single(p, h, HeaderWebhookTimestamp)
	if err != nil {
		return err
	}
	ts, ok := parseUnix(tsText)
	if !ok {
		return verifyErr(p, ErrMalformedHeader, "%s is not a Unix time in seconds", HeaderWebhookTimestamp)
	}
	list := strings.Join(h.Values(HeaderWebhookSignature), " ")
	if strings.TrimSpace(list) == "" {
		return verifyErr(p, ErrMalformedHeader, "no %s header", HeaderWebhookSignature)
	}
	if len(list) > maxHeaderBytes {
		return verifyErr(p, ErrMalformedHeader, "%s longer than %d bytes", HeaderWebhookSignature, maxHeaderBytes)
	}
	var (
		v1, v1a                   [][]byte
		unreadable, unknown, bare int
	)
	for entry := range strings.SplitSeq(list, " ") {
		if entry == "" {
			continue
		}
		version, value, found := strings.Cut(entry, ",")
		if !found {
			bare++
			continue
		}
		switch {
		case version == versionV1 && len(v.keys.hmac) > 0:
			if b, err := base64.StdEncoding.DecodeString(value); err == nil && len(b) == sha256.Size {
				v1 = append(v1, b)
			} else {
				unreadable++
			}
		case version == versionV1a && len(v.keys.public) > 0:
			if b, err := base64.StdEncoding.DecodeString(value); err == nil && len(b) == ed25519.SignatureSize {
				v1a = append(v1a, b)
			} else {
				unreadable++
			}
		default:
			unknown++
		}
	}
	if match := v.match(id, tsText, body, v1, v1a); !match {
		switch {
		case len(v1)+len(v1a) > 0:
			return verifyErr(p, ErrBadSignature, "none of %d signatures matches", len(v1)+len(v1a))
		case unreadable > 0:
			return verifyErr(p, ErrNoValidSignature, "%d signatures are not base64 of the right length", unreadable)
		case unknown > 0:
			return verifyErr(p, ErrUnknownVersion, "%d signatures of versions this receiver does not check", unknown)
		default:
			return verifyErr(p, ErrMalformedHeader, "%s entries are not version,signature", HeaderWebhookSignature)
		}
	}
	return checkAge(p, ts, now, v.tolerance, true)
}

// match reports whether any signature verifies with any key. Every HMAC is
// compared with hmac.Equal (constant time, SW-6).
func (v *StandardVerifier) match(id, ts string, body []byte, v1, v1a [][]byte) bool {
	if len(v1) > 0 {
		for _, k := range v.keys.hmac {
			want := standardMAC(k, id, ts, body)
			for _, got := range v1 {
				if hmac.Equal(want, got) {
					return true
				}
			}
		}
	}
	if len(v1a) > 0 {
		content := standardContent(id, ts, body)
		for _, k := range v.keys.public {
			for _, got := range v1a {
				if ed25519.Verify(k, content, got) {
					return true
				}
			}
		}
	}
	return false
}
