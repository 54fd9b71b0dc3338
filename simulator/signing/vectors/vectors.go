// Package vectors builds hookcheck's signed-webhook test vectors: for each
// provider, positive and negative requests that any receiver library must
// accept or refuse (docs/vectors.md). The file is deterministic: fixed
// secrets, ids and times, so docs/vectors/<provider>.json is committed and a
// test regenerates and compares it. Every vector is checked against this
// module's verifier while it is built, and against the official libraries
// by this package's tests.
package vectors

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1" //nolint:gosec // GitHub's legacy X-Hub-Signature is SHA-1 (GH-1): sent, never trusted.
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hookcheck/hookcheck/internal/secret"
	"github.com/hookcheck/hookcheck/simulator/signing"
)

// Vector is one signed request and the verdict every verifier must reach.
type Vector struct {
	// Name identifies the vector within its file.
	Name string `json:"name"`
	// Secret is the receiver's secret in the provider's own format
	// (whsec_… for Standard Webhooks and Stripe, any string for GitHub).
	// A test value, published on purpose.
	Secret string `json:"secret"`
	// Headers are the request's signature headers as sent.
	Headers map[string]string `json:"headers"`
	// Body is the exact body: its UTF-8 bytes are what was signed.
	Body string `json:"body"`
	// Now is the Unix time (seconds) at which to verify.
	Now int64 `json:"now"`
	// Valid says whether a correct receiver accepts the request.
	Valid bool `json:"valid"`
	// Reason says what the vector tests, citing docs/spec.md.
	Reason string `json:"reason"`
}

// Fixed inputs: the file must not change from one run to the next.
const (
	// Now is the verification time of most vectors: 2023-11-14T22:13:20Z.
	Now = 1_700_000_000
	// MessageID is the Standard Webhooks message id of the vectors.
	MessageID = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"
	// DeliveryID is the GitHub delivery GUID of the vectors.
	DeliveryID = "72d3162e-cc78-11e3-81ab-4c9367dc0958"
)

// key derives a fixed key from a label, so the secrets are reproducible
// without being written out in the source.
func key(label string) []byte {
	sum := sha256.Sum256([]byte("hookcheck test vector key: " + label))
	return sum[:]
}

// Secrets returns the current and the previous (rotated-out) secret of p,
// and a third one that no vector's receiver holds.
func Secrets(p signing.Provider) (current, previous, other secret.Secret) {
	mk := func(label string) secret.Secret {
		k := key(string(p) + " " + label)
		switch p {
		case signing.StandardWebhooks:
			return secret.Secret(signing.PrefixSymmetric + base64.StdEncoding.EncodeToString(k))
		case signing.Stripe:
			return secret.Secret("whsec_" + hex.EncodeToString(k[:16]))
		default:
			return secret.Secret("hookcheck-" + hex.EncodeToString(k[:12]))
		}
	}
	return mk("current"), mk("previous"), mk("other")
}

// body is the JSON body of p's vectors around inner, an object's text
// copied byte for byte.
func body(p signing.Provider, inner string) string {
	switch p {
	case signing.Stripe:
		return `{"id":"evt_1NG8Du2eZvKYlo2CUI79vXWy","object":"event","type":"invoice.paid","created":1700000000,"data":{"object":` + inner + `}}`
	case signing.GitHub:
		return `{"action":"opened","number":1,"issue":` + inner + `}`
	default:
		return `{"type":"invoice.paid","timestamp":"2023-11-14T22:13:20Z","data":` + inner + `}`
	}
}

// plain is the ordinary inner object; byteChanged differs by one byte.
const (
	plain       = `{"id":"in_1","amount":1999,"currency":"eur"}`
	byteChanged = `{"id":"in_1","amount":1998,"currency":"eur"}`
)

// rawBodies are inner objects whose bytes differ from what any JSON
// encoder writes back after parsing: a receiver that verifies a
// re-serialized body refuses them (SW-2, ST-1, GH-1).
var rawBodies = []struct{ name, inner, what string }{
	{"key-order", `{"z":1,"a":2,"m":{"b":1,"a":[3,2,1]}}`, "keys out of sorted order"},
	{"escaped-unicode", `{"name":"Jos\u00e9 \ud83d\ude00","html":"\u003cb\u003e \/ \u0041"}`, `\u escapes and an escaped solidus`},
	{"raw-unicode", `{"name":"José 😀","rtl":"مرحبا","nbsp":"a b"}`, "raw UTF-8, multi-byte and non-breaking space"},
	{"large-numbers", `{"amount":123456789012345678901234567890,"small":1.10,"exp":1E3,"neg":-0,"max":9007199254740993}`, "numbers beyond float64 and non-canonical spellings"},
	{"duplicate-key", `{"status":"open","status":"paid"}`, "a repeated key"},
}

// whitespace is the plain body pretty-printed, with a trailing newline.
func whitespace(p signing.Provider) string {
	var b bytes.Buffer
	_ = json.Indent(&b, []byte(body(p, plain)), "", "  ") // body is valid JSON by construction
	return b.String() + "\n"
}

// reserialize is what a receiver gets by parsing the body and encoding it
// again (Go's encoder: sorted keys, float numbers, its own escapes).
func reserialize(s string) (string, error) {
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return "", err
	}
	b, err := json.Marshal(v)
	return string(b), err
}

// builder accumulates the vectors of one provider.
type builder struct {
	p                       signing.Provider
	current, previous, othr secret.Secret
	vs                      []Vector
	err                     error
}

// request signs b with secrets at ts and returns its headers as sent.
func (g *builder) request(b string, ts int64, secrets ...secret.Secret) map[string]string {
	s, err := signing.NewSigner(g.p, secrets...)
	if err != nil {
		g.err = errors.Join(g.err, err)
		return nil
	}
	hs, err := s.Sign(signing.Message{ID: MessageID, Timestamp: time.Unix(ts, 0), Body: []byte(b)})
	if err != nil {
		g.err = errors.Join(g.err, err)
		return nil
	}
	h := make(map[string]string, len(hs)+2)
	for _, f := range hs {
		h[f.Name] = f.Value
	}
	if g.p == signing.GitHub {
		h[signing.HeaderGitHubEvent] = "issues"
		h[signing.HeaderGitHubDelivery] = DeliveryID
		h["X-GitHub-Hook-ID"] = "292430182"
	}
	return h
}

func (g *builder) add(v Vector) {
	if v.Secret == "" {
		v.Secret = g.current.Reveal()
	}
	if v.Now == 0 {
		v.Now = Now
	}
	g.vs = append(g.vs, v)
}

// with returns h with name set to value, or removed when value is "".
func with(h map[string]string, name, value string) map[string]string {
	c := make(map[string]string, len(h))
	for k, v := range h {
		c[k] = v
	}
	if value == "" {
		delete(c, name)
	} else {
		c[name] = value
	}
	return c
}

// Generate returns p's vectors, each checked against this module's
// verifier: an error names any vector it disagrees with.
func Generate(p signing.Provider) ([]Vector, error) {
	if _, err := signing.ParseProvider(string(p)); err != nil {
		return nil, err
	}
	g := &builder{p: p}
	g.current, g.previous, g.othr = Secrets(p)
	plainBody := body(p, plain)
	ok := g.request(plainBody, Now, g.current)

	g.add(Vector{Name: "valid", Headers: ok, Body: plainBody, Valid: true,
		Reason: "signed with the receiver's secret over the exact body" + cite(p, "SW-2", "ST-1", "GH-1")})
	g.add(Vector{Name: "body-one-byte-changed", Headers: ok, Body: body(p, byteChanged),
		Reason: "one byte of the body differs from the signed bytes" + cite(p, "SW-2", "ST-1", "GH-1")})
	g.add(Vector{Name: "wrong-secret", Headers: g.request(plainBody, Now, g.othr), Body: plainBody,
		Reason: "signed with a secret the receiver does not hold"})

	for _, r := range rawBodies {
		b := body(p, r.inner)
		g.add(Vector{Name: "raw-body-" + r.name, Headers: g.request(b, Now, g.current), Body: b, Valid: true,
			Reason: "the body has " + r.what + ": verify the raw bytes, not a re-serialization" + cite(p, "SW-2", "ST-1", "GH-1")})
	}
	pretty := whitespace(p)
	g.add(Vector{Name: "raw-body-whitespace", Headers: g.request(pretty, Now, g.current), Body: pretty, Valid: true,
		Reason: "the body is indented and ends in a newline: verify the raw bytes" + cite(p, "SW-2", "ST-1", "GH-1")})
	for _, r := range rawBodies[:4] {
		b := body(p, r.inner)
		re, err := reserialize(b)
		if err != nil {
			g.err = errors.Join(g.err, fmt.Errorf("raw body %s: %w", r.name, err))
			continue
		}
		if re == b {
			g.err = errors.Join(g.err, fmt.Errorf("raw body %s: re-serialization gives the same bytes", r.name))
			continue
		}
		g.add(Vector{Name: "reserialized-body-" + r.name, Headers: g.request(b, Now, g.current), Body: re,
			Reason: "the body a receiver gets by parsing the signed body (" + r.what + ") and encoding it again; the signature covers the original bytes" + cite(p, "SW-2", "ST-1", "GH-1")})
	}

	switch p {
	case signing.StandardWebhooks:
		g.standard(plainBody, ok)
	case signing.Stripe:
		g.stripe(plainBody, ok)
	case signing.GitHub:
		g.github(plainBody, ok)
	}
	if g.err != nil {
		return nil, g.err
	}
	return g.vs, check(p, g.vs)
}

func cite(p signing.Provider, sw, st, gh string) string {
	switch p {
	case signing.StandardWebhooks:
		return " (" + sw + ")"
	case signing.Stripe:
		return " (" + st + ")"
	default:
		return " (" + gh + ")"
	}
}

func (g *builder) standard(b string, ok map[string]string) {
	const sig = signing.HeaderWebhookSignature
	at := func(ts int64) map[string]string { return g.request(b, ts, g.current) }
	tol := int64(signing.DefaultTolerance / time.Second)
	g.add(Vector{Name: "published-example", Secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", //nolint:gosec // the published example's secret (SW-7)
		Headers: map[string]string{signing.HeaderWebhookID: "msg_p5jXN8AQM9LWM0D4loKWxJek", signing.HeaderWebhookTimestamp: "1614265330",
			sig: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="},
		Body: `{"test": 2432232314}`, Now: 1614265330, Valid: true, Reason: "the worked example published with the scheme (SW-7)"})
	g.add(Vector{Name: "timestamp-past-edge", Headers: at(Now - tol), Body: b, Valid: true,
		Reason: "signed exactly 300 s before now: within the 5-minute tolerance (SW-6)"})
	g.add(Vector{Name: "timestamp-past-tolerance", Headers: at(Now - tol - 1), Body: b,
		Reason: "signed 301 s before now: too old, a replay (SW-6)"})
	g.add(Vector{Name: "timestamp-future-edge", Headers: at(Now + tol), Body: b, Valid: true,
		Reason: "signed exactly 300 s after now: within the tolerance (SW-6)"})
	g.add(Vector{Name: "timestamp-future-tolerance", Headers: at(Now + tol + 1), Body: b,
		Reason: "signed 301 s after now: too new (SW-6)"})
	g.add(Vector{Name: "rotation-new-signature-valid", Headers: g.request(b, Now, g.previous, g.current), Body: b, Valid: true,
		Reason: "two space-separated signatures, old secret then new: the second verifies (SW-5)"})
	g.add(Vector{Name: "rotation-old-signature-valid", Headers: g.request(b, Now, g.current, g.previous), Body: b, Valid: true,
		Reason: "two space-separated signatures: the first verifies (SW-5)"})
	g.add(Vector{Name: "rotation-no-signature-valid", Headers: g.request(b, Now, g.previous, g.othr), Body: b,
		Reason: "two signatures, neither with the receiver's secret (SW-5)"})
	g.add(Vector{Name: "unknown-version-beside-valid", Headers: with(ok, sig, "v2,"+base64.StdEncoding.EncodeToString(key("v2"))+" "+ok[sig]), Body: b, Valid: true,
		Reason: "a v2 signature is ignored; the v1 beside it verifies (SW-5)"})
	g.add(Vector{Name: "v1a-beside-valid", Headers: with(ok, sig, "v1a,"+base64.StdEncoding.EncodeToString(append(key("v1a-1"), key("v1a-2")...))+" "+ok[sig]), Body: b, Valid: true,
		Reason: "an ed25519 v1a signature the receiver has no public key for is ignored; the v1 beside it verifies (SW-4, SW-5)"})
	g.add(Vector{Name: "valid-mac-under-unknown-version", Headers: with(ok, sig, "v2"+strings.TrimPrefix(ok[sig], "v1")), Body: b,
		Reason: "the right HMAC labelled v2: only v1 signatures are HMAC-SHA256 (SW-3, SW-5)"})
	g.add(Vector{Name: "id-changed", Headers: with(ok, signing.HeaderWebhookID, "msg_2KWPBgLlAfxdpx2AI54pPJ85f4X"), Body: b,
		Reason: "webhook-id differs from the signed one: the id is signed (SW-2)"})
	g.add(Vector{Name: "timestamp-changed", Headers: with(ok, signing.HeaderWebhookTimestamp, strconv.Itoa(Now+1)), Body: b,
		Reason: "webhook-timestamp differs from the signed one by a second, within the tolerance: the timestamp is signed (SW-2)"})
	g.add(Vector{Name: "missing-webhook-id", Headers: with(ok, signing.HeaderWebhookID, ""), Body: b, Reason: "no webhook-id header (SW-1)"})
	g.add(Vector{Name: "missing-webhook-timestamp", Headers: with(ok, signing.HeaderWebhookTimestamp, ""), Body: b, Reason: "no webhook-timestamp header (SW-1)"})
	g.add(Vector{Name: "missing-webhook-signature", Headers: with(ok, sig, ""), Body: b, Reason: "no webhook-signature header (SW-1)"})
	g.add(Vector{Name: "timestamp-not-a-number", Headers: with(ok, signing.HeaderWebhookTimestamp, "yesterday"), Body: b, Reason: "webhook-timestamp is not Unix seconds (SW-1)"})
	g.add(Vector{Name: "signature-without-version", Headers: with(ok, sig, strings.TrimPrefix(ok[sig], "v1,")), Body: b, Reason: "the signature has no v1, prefix (SW-3)"})
	g.add(Vector{Name: "signature-not-base64", Headers: with(ok, sig, "v1,"+strings.Repeat("*", 44)), Body: b, Reason: "the v1 value is not base64 (SW-3)"})
	g.add(Vector{Name: "signature-truncated", Headers: with(ok, sig, ok[sig][:len(ok[sig])-8]), Body: b, Reason: "the v1 value lost its last characters (SW-3)"})
	g.add(Vector{Name: "signatures-comma-separated", Headers: with(ok, sig, g.request(b, Now, g.previous)[sig]+","+ok[sig]), Body: b,
		Reason: "two signatures joined by a comma instead of a space: one malformed entry (SW-5)"})
}

func (g *builder) stripe(b string, ok map[string]string) {
	const sig = signing.HeaderStripeSignature
	at := func(ts int64) map[string]string { return g.request(b, ts, g.current) }
	tol := int64(signing.DefaultTolerance / time.Second)
	v1 := strings.TrimPrefix(ok[sig], "t="+strconv.Itoa(Now)+",")
	g.add(Vector{Name: "timestamp-past-edge", Headers: at(Now - tol), Body: b, Valid: true,
		Reason: "signed exactly 300 s before now: within the libraries' tolerance (ST-5)"})
	g.add(Vector{Name: "timestamp-past-tolerance", Headers: at(Now - tol - 1), Body: b,
		Reason: "signed 301 s before now: too old, a replay (ST-5)"})
	g.add(Vector{Name: "timestamp-future-accepted", Headers: at(Now + 3600), Body: b, Valid: true,
		Reason: "signed an hour after now: Stripe's official libraries check only the age, so they accept it (ST-5); a stricter receiver may refuse it"})
	g.add(Vector{Name: "rotation-new-signature-valid", Headers: g.request(b, Now, g.previous, g.current), Body: b, Valid: true,
		Reason: "two v1 signatures, old secret then new: the second verifies (ST-4)"})
	g.add(Vector{Name: "rotation-old-signature-valid", Headers: g.request(b, Now, g.current, g.previous), Body: b, Valid: true,
		Reason: "two v1 signatures: the first verifies (ST-4)"})
	g.add(Vector{Name: "rotation-no-signature-valid", Headers: g.request(b, Now, g.previous, g.othr), Body: b,
		Reason: "two v1 signatures, neither with the receiver's secret (ST-4)"})
	g.add(Vector{Name: "v0-beside-valid", Headers: with(ok, sig, ok[sig]+",v0="+hex.EncodeToString(key("v0"))), Body: b, Valid: true,
		Reason: "the fake v0 test-mode signature is ignored; the v1 beside it verifies (ST-3)"})
	g.add(Vector{Name: "valid-mac-as-v0-only", Headers: with(ok, sig, strings.Replace(ok[sig], ",v1=", ",v0=", 1)), Body: b,
		Reason: "the right HMAC under scheme v0: only v1 counts, no downgrade (ST-3)"})
	g.add(Vector{Name: "timestamp-changed", Headers: with(ok, sig, "t="+strconv.Itoa(Now+1)+","+v1), Body: b,
		Reason: "t differs from the signed one by a second: the timestamp is signed (ST-1)"})
	g.add(Vector{Name: "missing-header", Headers: with(ok, sig, ""), Body: b, Reason: "no Stripe-Signature header (ST-1)"})
	g.add(Vector{Name: "missing-timestamp", Headers: with(ok, sig, v1), Body: b, Reason: "no t= element (ST-1)"})
	g.add(Vector{Name: "timestamp-not-a-number", Headers: with(ok, sig, "t=yesterday,"+v1), Body: b, Reason: "t is not Unix seconds (ST-1)"})
	g.add(Vector{Name: "signature-not-hex", Headers: with(ok, sig, "t="+strconv.Itoa(Now)+",v1="+strings.Repeat("zz", 32)), Body: b, Reason: "the v1 value is not hex (ST-1)"})
	g.add(Vector{Name: "signature-truncated", Headers: with(ok, sig, ok[sig][:len(ok[sig])-2]), Body: b, Reason: "the v1 value lost its last byte (ST-1)"})
}

func (g *builder) github(b string, ok map[string]string) {
	const sig = signing.HeaderGitHubSignature256
	g.add(Vector{Name: "published-example", Secret: "It's a Secret to Everybody",
		Headers: map[string]string{sig: "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"},
		Body:    "Hello, World!", Valid: true, Reason: "the test values published by GitHub (GH-2)"})
	g.add(Vector{Name: "replay-a-month-later", Headers: ok, Body: b, Now: Now + 30*24*3600, Valid: true,
		Reason: "GitHub signs no timestamp: the same request verifies a month later; only deduplication on X-GitHub-Delivery stops a replay (GH-3)"})
	mac := hmac.New(sha1.New, []byte(g.current.Reveal()))
	mac.Write([]byte(b))
	sha1Sig := "sha1=" + hex.EncodeToString(mac.Sum(nil))
	g.add(Vector{Name: "sha1-beside-valid", Headers: with(ok, signing.HeaderGitHubSignatureSHA1, sha1Sig), Body: b, Valid: true,
		Reason: "the legacy X-Hub-Signature (SHA-1) beside a valid X-Hub-Signature-256: the SHA-256 one is verified (GH-1)"})
	g.add(Vector{Name: "sha1-only", Headers: with(with(ok, signing.HeaderGitHubSignatureSHA1, sha1Sig), sig, ""), Body: b,
		Reason: "only the legacy SHA-1 signature, correct but not to be trusted: X-Hub-Signature-256 is required (GH-1)"})
	g.add(Vector{Name: "sha1-in-sha256-header", Headers: with(ok, sig, sha1Sig), Body: b, Reason: "a sha1= value in X-Hub-Signature-256 (GH-3)"})
	g.add(Vector{Name: "missing-header", Headers: with(ok, sig, ""), Body: b, Reason: "no X-Hub-Signature-256 header (GH-1)"})
	g.add(Vector{Name: "missing-prefix", Headers: with(ok, sig, strings.TrimPrefix(ok[sig], "sha256=")), Body: b, Reason: "the hex without sha256= (GH-1)"})
	g.add(Vector{Name: "prefix-upper-case", Headers: with(ok, sig, "SHA256="+strings.TrimPrefix(ok[sig], "sha256=")), Body: b, Reason: "SHA256= is not the prefix GitHub sends (GH-3)"})
	g.add(Vector{Name: "hex-upper-case", Headers: with(ok, sig, "sha256="+strings.ToUpper(strings.TrimPrefix(ok[sig], "sha256="))), Body: b, Reason: "upper-case hex: GitHub sends lower case and the official helper compares the whole string (GH-3)"})
	g.add(Vector{Name: "signature-truncated", Headers: with(ok, sig, ok[sig][:len(ok[sig])-2]), Body: b, Reason: "the hex lost its last byte (GH-1)"})
	g.add(Vector{Name: "two-signatures", Headers: with(ok, sig, g.request(b, Now, g.previous)[sig]+" "+ok[sig]), Body: b,
		Reason: "two space-separated signatures: GitHub sends one per header, so this is malformed (GH-3)"})
}

// check verifies every vector with this module's verifier.
func check(p signing.Provider, vs []Vector) error {
	var errs []error
	for _, v := range vs {
		err := Verify(p, v)
		switch {
		case err == nil && !v.Valid:
			errs = append(errs, fmt.Errorf("vector %s: marked invalid, but the verifier accepts it", v.Name))
		case err != nil && v.Valid:
			errs = append(errs, fmt.Errorf("vector %s: marked valid, but: %w", v.Name, err))
		}
	}
	return errors.Join(errs...)
}

// Verify runs this module's verifier on v: nil when it accepts.
func Verify(p signing.Provider, v Vector) error {
	verifier, err := signing.NewVerifier(p, signing.VerifyOptions{Secrets: []secret.Secret{secret.Secret(v.Secret)}})
	if err != nil {
		return err
	}
	h := make(http.Header, len(v.Headers))
	for k, val := range v.Headers {
		h.Add(k, val)
	}
	return verifier.Verify(h, []byte(v.Body), time.Unix(v.Now, 0))
}

// Write writes vs as an indented JSON array, characters as they are (no
// HTML escaping), ending in a newline.
func Write(w io.Writer, vs []Vector) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(vs); err != nil { //nolint:gosec // the vectors publish their test secrets on purpose
		return fmt.Errorf("write vectors: %w", err)
	}
	return nil
}

// Read reads a vectors file written by Write.
func Read(r io.Reader) ([]Vector, error) {
	var vs []Vector
	if err := json.NewDecoder(io.LimitReader(r, 16<<20)).Decode(&vs); err != nil {
		return nil, fmt.Errorf("read vectors: %w", err)
	}
	return vs, nil
}
