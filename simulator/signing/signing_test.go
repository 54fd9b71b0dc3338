package signing_test

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hookcheck/hookcheck/internal/secret"
	"github.com/hookcheck/hookcheck/simulator/signing"
)

// Test secrets: 32 key bytes each (SW-3), and a Stripe and a GitHub one.
var (
	swSecret   = secret.Secret("whsec_" + base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef")))
	swOld      = secret.Secret("whsec_" + base64.StdEncoding.EncodeToString([]byte("fedcba9876543210fedcba9876543210")))
	stSecret   = secret.Secret("whsec_test_stripe_current")
	stOld      = secret.Secret("whsec_test_stripe_previous")
	ghSecret   = secret.Secret("it is a secret")
	ghOld      = secret.Secret("it was a secret")
	now        = time.Unix(1_700_000_000, 0)
	body       = []byte(`{"type":"example.event","data":{"n":1}}`)
	secretsOf  = map[signing.Provider][2]secret.Secret{signing.StandardWebhooks: {swSecret, swOld}, signing.Stripe: {stSecret, stOld}, signing.GitHub: {ghSecret, ghOld}}
	allSecrets = []secret.Secret{swSecret, swOld, stSecret, stOld, ghSecret, ghOld}
	_          = fmt.Sprint
)

func sign(t *testing.T, p signing.Provider, m signing.Message, secrets ...secret.Secret) http.Header {
	t.Helper()
	s, err := signing.NewSigner(p, secrets...)
	if err != nil {
		t.Fatal(err)
	}
	hs, err := s.Sign(m)
	if err != nil {
		t.Fatal(err)
	}
	return hs.Header()
}

func verifier(t *testing.T, p signing.Provider, secrets ...secret.Secret) signing.Verifier {
	t.Helper()
	v, err := signing.NewVerifier(p, signing.VerifyOptions{Secrets: secrets})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestPublishedExamples checks the providers' own worked examples: the
// signer reproduces them byte for byte and the verifier accepts them.
func TestPublishedExamples(t *testing.T) {
	t.Run("standard-webhooks SW-7", func(t *testing.T) {
		m := signing.Message{ID: "msg_p5jXN8AQM9LWM0D4loKWxJek", Timestamp: time.Unix(1614265330, 0), Body: []byte(`{"test": 2432232314}`)}
		sec := secret.Secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
		h := sign(t, signing.StandardWebhooks, m, sec)
		if got, want := h.Get("webhook-signature"), "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
			t.Errorf("signature %q, want %q", got, want)
		}
		if err := verifier(t, signing.StandardWebhooks, sec).Verify(h, m.Body, m.Timestamp); err != nil {
			t.Errorf("published example refused: %v", err)
		}
		if err := verifier(t, signing.StandardWebhooks, sec).Verify(h, []byte(`{"test":2432232314}`), m.Timestamp); !errors.Is(err, signing.ErrBadSignature) {
			t.Errorf("re-serialized body: %v, want a bad signature (SW-2)", err)
		}
	})
	t.Run("github GH-2", func(t *testing.T) {
		h := sign(t, signing.GitHub, signing.Message{Body: []byte("Hello, World!")}, "It's a Secret to Everybody")
		want := "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
		if got := h.Get("X-Hub-Signature-256"); got != want {
			t.Errorf("signature %q, want %q", got, want)
		}
		if err := verifier(t, signing.GitHub, "It's a Secret to Everybody").Verify(h, []byte("Hello, World!"), now); err != nil {
			t.Errorf("published example refused: %v", err)
		}
	})
	t.Run("stripe ST-1", func(t *testing.T) {
		// Stripe publishes no worked example: check the format and that
		// the MAC covers "{t}.{body}" keyed by the whole secret (ST-2).
		h := sign(t, signing.Stripe, signing.Message{Timestamp: now, Body: body}, stSecret)
		got := h.Get("Stripe-Signature")
		if !strings.HasPrefix(got, "t=1700000000,v1=") || len(got) != len("t=1700000000,v1=")+64 {
			t.Errorf("header %q, want t=1700000000,v1=<64 hex>", got)
		}
	})
}

// TestVerify proves each reason: a signed request passes, and each way of
// breaking it fails with the reason that names it.
func TestVerify(t *testing.T) {
	m := signing.Message{ID: "msg_1", Timestamp: now, Body: body}
	type tc struct {
		name   string
		h      func(p signing.Provider) http.Header
		body   []byte
		at     time.Time
		secret []secret.Secret // verifier's; default the current one
		want   error
	}
	current := func(p signing.Provider) http.Header { return sign(t, p, m, secretsOf[p][0]) }
	set := func(base func(signing.Provider) http.Header, name, value string) func(signing.Provider) http.Header {
		return func(p signing.Provider) http.Header {
			h := base(p)
			if value == "" {
				h.Del(name)
			} else {
				h.Set(name, value)
			}
			return h
		}
	}
	sigName := map[signing.Provider]string{signing.StandardWebhooks: "webhook-signature", signing.Stripe: "Stripe-Signature", signing.GitHub: "X-Hub-Signature-256"}
	common := func(p signing.Provider) []tc {
		return []tc{
			{name: "valid", h: current},
			{name: "body changed by one byte", h: current, body: append(append([]byte{}, body[:len(body)-1]...), ']'), want: signing.ErrBadSignature},
			{name: "wrong secret", h: current, secret: []secret.Secret{secretsOf[p][1]}, want: signing.ErrBadSignature},
			{name: "receiver holds old and new secret", h: current, secret: []secret.Secret{secretsOf[p][1], secretsOf[p][0]}},
			{name: "no signature header", h: set(current, sigName[p], ""), want: signing.ErrMalformedHeader},
		}
	}
	cases := map[signing.Provider][]tc{
		signing.StandardWebhooks: append(common(signing.StandardWebhooks),
			tc{name: "rotation: old and new signature", h: func(p signing.Provider) http.Header { return sign(t, p, m, swOld, swSecret) }},
			tc{name: "past edge", h: current, at: now.Add(5 * time.Minute)},
			tc{name: "too old", h: current, at: now.Add(5*time.Minute + time.Second), want: signing.ErrTimestampTooOld},
			tc{name: "future edge", h: current, at: now.Add(-5 * time.Minute)},
			tc{name: "too new", h: current, at: now.Add(-5*time.Minute - time.Second), want: signing.ErrTimestampTooNew},
			tc{name: "id changed", h: set(current, "webhook-id", "msg_2"), want: signing.ErrBadSignature},
			tc{name: "timestamp changed", h: set(current, "webhook-timestamp", "1700000001"), want: signing.ErrBadSignature},
			tc{name: "timestamp not a number", h: set(current, "webhook-timestamp", "1700000000.0"), want: signing.ErrMalformedHeader},
			tc{name: "timestamp with leading zero", h: set(current, "webhook-timestamp", "01700000000"), want: signing.ErrMalformedHeader},
			tc{name: "no id", h: set(current, "webhook-id", ""), want: signing.ErrMalformedHeader},
			tc{name: "unknown version beside valid", h: func(p signing.Provider) http.Header {
				h := current(p)
				h.Set("webhook-signature", "v2,AAAA "+h.Get("webhook-signature"))
				return h
			}},
			tc{name: "valid MAC under another version", h: func(p signing.Provider) http.Header {
				h := current(p)
				h.Set("webhook-signature", "v2"+strings.TrimPrefix(h.Get("webhook-signature"), "v1"))
				return h
			}, want: signing.ErrUnknownVersion},
			tc{name: "not base64", h: set(current, "webhook-signature", "v1,not*base64"), want: signing.ErrNoValidSignature},
			tc{name: "no version", h: set(current, "webhook-signature", "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="), want: signing.ErrMalformedHeader},
		),
		signing.Stripe: append(common(signing.Stripe),
			tc{name: "rotation: two v1", h: func(p signing.Provider) http.Header { return sign(t, p, m, stOld, stSecret) }},
			tc{name: "past edge", h: current, at: now.Add(5 * time.Minute)},
			tc{name: "too old", h: current, at: now.Add(5*time.Minute + time.Second), want: signing.ErrTimestampTooOld},
			tc{name: "future accepted as the libraries do (ST-5)", h: current, at: now.Add(-time.Hour)},
			tc{name: "v0 beside valid", h: func(p signing.Provider) http.Header {
				h := current(p)
				h.Set("Stripe-Signature", h.Get("Stripe-Signature")+",v0="+strings.Repeat("ab", 32))
				return h
			}},
			tc{name: "valid MAC as v0 only", h: func(p signing.Provider) http.Header {
				h := current(p)
				h.Set("Stripe-Signature", strings.Replace(h.Get("Stripe-Signature"), "v1=", "v0=", 1))
				return h
			}, want: signing.ErrUnknownVersion},
			tc{name: "timestamp changed", h: func(p signing.Provider) http.Header {
				h := current(p)
				h.Set("Stripe-Signature", strings.Replace(h.Get("Stripe-Signature"), "t=1700000000", "t=1700000001", 1))
				return h
			}, want: signing.ErrBadSignature},
			tc{name: "no t", h: func(p signing.Provider) http.Header {
				h := current(p)
				h.Set("Stripe-Signature", strings.TrimPrefix(h.Get("Stripe-Signature"), "t=1700000000,"))
				return h
			}, want: signing.ErrMalformedHeader},
			tc{name: "upper-case hex", h: func(p signing.Provider) http.Header {
				h := current(p)
				h.Set("Stripe-Signature", "t=1700000000,v1="+strings.ToUpper(strings.TrimPrefix(h.Get("Stripe-Signature"), "t=1700000000,v1=")))
				return h
			}, want: signing.ErrNoValidSignature},
		),
		signing.GitHub: append(common(signing.GitHub),
			tc{name: "replay long after verifies (GH-3)", h: current, at: now.Add(30 * 24 * time.Hour)},
			tc{name: "sha1 only", h: func(p signing.Provider) http.Header {
				h := current(p)
				h.Set("X-Hub-Signature", "sha1="+strings.Repeat("0", 40))
				h.Del("X-Hub-Signature-256")
				return h
			}, want: signing.ErrMalformedHeader},
			tc{name: "sha1= in the sha256 header", h: set(current, "X-Hub-Signature-256", "sha1="+strings.Repeat("0", 40)), want: signing.ErrUnknownVersion},
			tc{name: "no prefix", h: func(p signing.Provider) http.Header {
				h := current(p)
				h.Set("X-Hub-Signature-256", strings.TrimPrefix(h.Get("X-Hub-Signature-256"), "sha256="))
				return h
			}, want: signing.ErrMalformedHeader},
			tc{name: "truncated", h: func(p signing.Provider) http.Header {
				h := current(p)
				h.Set("X-Hub-Signature-256", h.Get("X-Hub-Signature-256")[:40])
				return h
			}, want: signing.ErrNoValidSignature},
		),
	}
	for _, p := range signing.Providers() {
		for _, c := range cases[p] {
			t.Run(string(p)+"/"+c.name, func(t *testing.T) {
				secs := c.secret
				if secs == nil {
					secs = []secret.Secret{secretsOf[p][0]}
				}
				b, at := body, now
				if c.body != nil {
					b = c.body
				}
				if !c.at.IsZero() {
					at = c.at
				}
				err := verifier(t, p, secs...).Verify(c.h(p), b, at)
				switch {
				case c.want == nil && err != nil:
					t.Fatalf("refused: %v", err)
				case c.want != nil && !errors.Is(err, c.want):
					t.Fatalf("got %v, want %v", err, c.want)
				}
				var ve *signing.VerifyError
				if err != nil && (!errors.As(err, &ve) || ve.Provider != p) {
					t.Errorf("error %T %v is not a *VerifyError of %s", err, err, p)
				}
				assertNoSecret(t, fmt.Sprint(err))
			})
		}
	}
}

// TestV1a signs with an ed25519 key (SW-4): a verifier with the public key
// accepts, one with only an HMAC secret ignores the v1a signature.
func TestV1a(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(strings.NewReader(strings.Repeat("seed", 16)))
	if err != nil {
		t.Fatal(err)
	}
	sk := secret.Secret("whsk_" + base64.StdEncoding.EncodeToString(priv.Seed()))
	pk := secret.Secret("whpk_" + base64.StdEncoding.EncodeToString(pub))
	m := signing.Message{ID: "msg_1", Timestamp: now, Body: body}
	h := sign(t, signing.StandardWebhooks, m, sk)
	if !strings.HasPrefix(h.Get("webhook-signature"), "v1a,") {
		t.Fatalf("signature %q, want v1a", h.Get("webhook-signature"))
	}
	if err := verifier(t, signing.StandardWebhooks, pk).Verify(h, body, now); err != nil {
		t.Errorf("v1a refused: %v", err)
	}
	if err := verifier(t, signing.StandardWebhooks, pk).Verify(h, append([]byte{' '}, body...), now); !errors.Is(err, signing.ErrBadSignature) {
		t.Errorf("v1a over a changed body: %v", err)
	}
	if err := verifier(t, signing.StandardWebhooks, swSecret).Verify(h, body, now); !errors.Is(err, signing.ErrUnknownVersion) {
		t.Errorf("v1a with only an HMAC secret: %v, want unknown version", err)
	}
	if _, err := signing.NewSigner(signing.StandardWebhooks, pk); err == nil {
		t.Error("a public key signed")
	}
}

// TestSecretsAreChecked refuses unusable secrets without printing them.
func TestSecretsAreChecked(t *testing.T) {
	for _, c := range []struct {
		p       signing.Provider
		secrets []secret.Secret
	}{
		{signing.StandardWebhooks, nil},
		{signing.StandardWebhooks, []secret.Secret{"whsec_not base64 at all"}},
		{signing.StandardWebhooks, []secret.Secret{"whsec_" + secret.Secret(base64.StdEncoding.EncodeToString([]byte("short")))}},
		{signing.Stripe, []secret.Secret{""}},
		{signing.GitHub, []secret.Secret{ghSecret, ghOld}},
	} {
		_, err := signing.NewSigner(c.p, c.secrets...)
		if err == nil {
			t.Errorf("%s %d secrets: accepted", c.p, len(c.secrets))
			continue
		}
		for _, s := range c.secrets {
			if s != "" && strings.Contains(err.Error(), s.Reveal()) {
				t.Errorf("error %q shows the secret", err)
			}
		}
	}
	if _, err := signing.NewSigner("svix"); err == nil {
		t.Error("unknown provider accepted")
	}
	if _, err := signing.NewSigner(signing.StandardWebhooks, swSecret); err != nil {
		t.Errorf("32-byte secret refused: %v", err)
	}
	s, _ := signing.NewStandardSigner(swSecret)
	if _, err := s.Sign(signing.Message{ID: "a.b", Timestamp: now}); err == nil {
		t.Error("an id with '.' was signed (SW-2)")
	}
	for _, p := range signing.Providers() {
		sg, _ := signing.NewSigner(p, secretsOf[p][0])
		v := verifier(t, p, secretsOf[p][0])
		for _, x := range []any{sg, v} {
			want := fmt.Sprintf("%s %s (1 keys)", p, map[bool]string{true: "signer", false: "verifier"}[x == any(sg)])
			for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
				if got := fmt.Sprintf(verb, x); got != want {
					t.Errorf("%s of %T: %q, want %q (no key bytes)", verb, x, got, want)
				}
			}
		}
	}
}

func assertNoSecret(t *testing.T, s string) {
	t.Helper()
	for _, sec := range allSecrets {
		if strings.Contains(s, sec.Reveal()) {
			t.Errorf("%q shows a secret", s)
		}
	}
}

// TestApply keeps the provider's spelling of header names and replaces a
// header of the same name in another case.
func TestApply(t *testing.T) {
	h := http.Header{"Webhook-Id": {"old"}}
	signing.Headers{{Name: "webhook-id", Value: "new"}}.Apply(h)
	for name, values := range h {
		if name != "webhook-id" || len(h) != 1 || values[0] != "new" {
			t.Errorf("got %v, want only webhook-id: new", h)
		}
	}
}
