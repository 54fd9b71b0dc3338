package signing_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/hookcheck/hookcheck/simulator/signing"
)

// FuzzVerify feeds arbitrary signature headers and bodies to every
// verifier: Verify never panics, returns nil or a *VerifyError with one of
// the package's reasons, and a request the signer signed with the fuzzed
// body verifies while the same body with one byte more does not.
// Seeds: the f.Add calls below (a failing input Go finds lands in
// testdata/fuzz/FuzzVerify and replays in every go test).
func FuzzVerify(f *testing.F) {
	f.Add(uint8(0), "msg_1", "1700000000", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", []byte(`{"test": 2432232314}`))
	f.Add(uint8(0), "msg_1", "1700000000", "v1a,AAAA v2,x v1, ,", []byte(""))
	f.Add(uint8(1), "", "", "t=1700000000,v1=abc,v0=,t=", []byte(`{}`))
	f.Add(uint8(1), "", "", "t=01,v1=====", []byte("\x00\xff"))
	f.Add(uint8(2), "", "", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17", []byte("Hello, World!"))
	f.Add(uint8(2), "", "", "SHA256==", []byte("x"))
	f.Fuzz(func(t *testing.T, which uint8, id, ts, sig string, body []byte) {
		providers := signing.Providers()
		p := providers[int(which)%len(providers)]
		sec := secretsOf[p][0]
		v := verifier(t, p, sec, secretsOf[p][1])
		h := http.Header{}
		switch p {
		case signing.StandardWebhooks:
			h.Set("webhook-id", id)
			h.Set("webhook-timestamp", ts)
			h.Set("webhook-signature", sig)
		case signing.Stripe:
			h.Set("Stripe-Signature", sig)
		case signing.GitHub:
			h.Set("X-Hub-Signature-256", sig)
		}
		if err := v.Verify(h, body, now); err != nil {
			var ve *signing.VerifyError
			if !errors.As(err, &ve) || ve.Reason == nil {
				t.Fatalf("%s: %T %v is not a *VerifyError", p, err, err)
			}
		}
		s, err := signing.NewSigner(p, sec)
		if err != nil {
			t.Fatal(err)
		}
		hs, err := s.Sign(signing.Message{ID: id, Timestamp: now, Body: body})
		if err != nil {
			return // an id the spec does not allow (SW-2)
		}
		if err := v.Verify(hs.Header(), body, now.Add(time.Minute)); err != nil {
			t.Fatalf("%s: own signature refused: %v", p, err)
		}
		if err := v.Verify(hs.Header(), append(body, ' '), now); !errors.Is(err, signing.ErrBadSignature) {
			t.Fatalf("%s: a body one byte longer: %v, want a bad signature", p, err)
		}
	})
}
