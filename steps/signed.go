package steps

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/cucumber/godog"

	"github.com/hookcheck/hookcheck/simulator/signing"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// The signed-webhook steps (SIG-*): deliveries signed as the provider
// signs them, and probes whose signature a receiver must refuse or, for
// rotation and unknown versions, accept. Each probe changes only the
// signing of an otherwise genuine delivery, sent once.

// signedDefinitions lists the signed-webhook steps.
func (c *Conformance) signedDefinitions() []Definition {
	return []Definition{
		{Kind: "Given", Pattern: `^the run signs its deliveries \(otherwise not applicable\)$`,
			Example: `the run signs its deliveries (otherwise not applicable)`,
			Doc:     "Not applicable unless the provider signs (--provider standard-webhooks) and a signing secret is set.",
			Func:    conf((*conformanceScenario).requireSigning)},
		{Kind: "When", Pattern: `^the provider delivers an event$`,
			Example: `the provider delivers an event`,
			Doc:     "One event of the run's provider (its payload, its signature), full schedule.",
			Func:    conf((*conformanceScenario).deliverEvent)},
		{Kind: "When", Pattern: `^the provider delivers the event a new endpoint receives first$`,
			Example: `the provider delivers the event a new endpoint receives first`,
			Doc:     "The provider's first event to a new endpoint, with the headers that name it (GitHub: the ping, GH-5), full schedule; not applicable for a provider that sends none.",
			Func:    conf((*conformanceScenario).deliverFirst)},
		{Kind: "When", Pattern: `^the provider delivers a burst of concurrent events$`,
			Example: `the provider delivers a burst of concurrent events`,
			Doc:     "--burst events of the run's provider at once, each with its own schedule; the scenario gets a burst chart (RC-11).",
			Func:    conf((*conformanceScenario).burstEvents)},
		{Kind: "When", Pattern: `^the provider delivers an event whose body has (extra whitespace|keys out of order|an escaped unicode letter|an integer beyond 2\^53)$`,
			Example: `the provider delivers an event whose body has keys out of order`,
			Doc:     "An event whose bytes no JSON re-serialization gives back: only a check of the raw body verifies it (SIG-07).",
			Func:    conf((*conformanceScenario).deliverRawSensitive)},
		{Kind: "When", Pattern: `^a signed event arrives with its body changed by one byte after signing$`,
			Example: `a signed event arrives with its body changed by one byte after signing`,
			Doc:     "The signature is of the body with one byte changed, sent once (SIG-02).",
			Func:    conf((*conformanceScenario).probeTampered)},
		{Kind: "When", Pattern: `^a signed event arrives signed with a wrong secret$`,
			Example: `a signed event arrives signed with a wrong secret`,
			Doc:     "Signed with a random secret of the provider's format, sent once (SIG-03).",
			Func:    conf((*conformanceScenario).probeWrongSecret)},
		{Kind: "When", Pattern: `^a signed event arrives with a timestamp (\d+) minutes in the (past|future)$`,
			Example: `a signed event arrives with a timestamp 10 minutes in the past`,
			Doc:     "Signed correctly, for a time that far from now, sent once (SIG-04).",
			Func:    conf((*conformanceScenario).probeSkewed)},
		{Kind: "When", Pattern: `^a signed event arrives with several signatures, one of them valid$`,
			Example: `a signed event arrives with several signatures, one of them valid`,
			Doc:     "Signed with a random secret and with the run's, as during a rotation: a delivery, not a probe (SIG-05).",
			Func:    conf((*conformanceScenario).probeRotation)},
		{Kind: "When", Pattern: `^a signed event arrives with an unknown signature version beside a valid one$`,
			Example: `a signed event arrives with an unknown signature version beside a valid one`,
			Doc:     "A v2 signature first, then the valid v1 (Stripe: v0, then v1): a delivery, not a probe (SIG-06).",
			Func:    conf((*conformanceScenario).probeUnknownBeside)},
		{Kind: "When", Pattern: `^a signed event arrives with only an unknown signature version$`,
			Example: `a signed event arrives with only an unknown signature version`,
			Doc:     "The valid MAC under version v2 (Stripe: v0), sent once: no known version, so refused (SIG-06).",
			Func:    conf((*conformanceScenario).probeUnknownOnly)},
	}
}

// requireSigning: the SIG requirements apply only to a signed run.
func (st *conformanceScenario) requireSigning() error {
	if st.cfg.Policy.Signing == nil {
		return st.notApplicable("the run does not sign its deliveries (set " + st.cfg.Vocabulary.Say(
			"--provider standard-webhooks and HOOKCHECK_SIGNING_SECRET", "Target.Provider and Target.SigningSecret") + ")")
	}
	return nil
}

// event is one event of the run's provider.
func (st *conformanceScenario) event() (webhook.Notification, error) {
	if st.cfg.Payload == nil {
		return webhook.Notification{}, godog.ErrPending
	}
	return webhook.RawBody(st.cfg.Payload(webhook.NewUUID()), "application/json"), nil
}

// deliverEvent delivers one event under the run's policy.
func (st *conformanceScenario) deliverEvent(ctx context.Context) error {
	if st.cfg.Payload == nil {
		return st.notApplicable("the run's provider has no event payload (AssemblyAI's steps deliver transcript notifications)")
	}
	n, err := st.event()
	if err != nil {
		return err
	}
	st.eventMessageID = newMessageID(st.cfg.Policy.Signing)
	return st.deliverAs(ctx, n, st.eventMessageID)
}

// deliverFirst delivers the provider's first event to a new endpoint,
// its headers over the profile's (X-GitHub-Event: ping).
func (st *conformanceScenario) deliverFirst(ctx context.Context) error {
	if st.cfg.First == nil || st.cfg.Policy.Signing == nil {
		return st.notApplicable("the run's provider sends no first event to a new endpoint")
	}
	body, header := st.cfg.First()
	st.eventMessageID = newMessageID(st.cfg.Policy.Signing)
	st.messageID = st.eventMessageID
	defer func() { st.messageID = "" }()
	return st.deliver(ctx, webhook.RawBody(body, "application/json"), "", func(p *webhook.Policy) {
		p.ExtraHeaders = p.ExtraHeaders.Clone()
		if p.ExtraHeaders == nil {
			p.ExtraHeaders = http.Header{}
		}
		for k, vs := range header {
			p.ExtraHeaders[k] = append([]string(nil), vs...)
		}
	})
}

// deliverAs delivers n with the message id id (empty: the delivery's own).
func (st *conformanceScenario) deliverAs(ctx context.Context, n webhook.Notification, id string) error {
	st.messageID = id
	defer func() { st.messageID = "" }()
	return st.deliver(ctx, n, "", nil)
}

// newMessageID is a fresh message id as s's provider writes one: a GUID
// for GitHub's X-GitHub-Delivery (GH-1), msg_ and letters and digits for
// Standard Webhooks' webhook-id (SW-1), which Stripe does not send. Empty
// for a run that does not sign.
func newMessageID(s *webhook.Signing) string {
	switch {
	case s == nil:
		return ""
	case s.Provider == signing.GitHub:
		return webhook.NewUUID()
	}
	return "msg_" + strings.ReplaceAll(webhook.NewUUID(), "-", "")
}

// burstEvents is RC-11's burst with the provider's events.
func (st *conformanceScenario) burstEvents(ctx context.Context) error {
	if st.cfg.Payload == nil {
		return st.notApplicable("the run's provider has no event payload (AssemblyAI's steps deliver transcript notifications)")
	}
	return st.burst(ctx, webhook.StatusCompleted) // st.notification makes the provider's events
}

// rawSensitive are bodies that differ from every re-serialization of
// their JSON (SIG-07).
var rawSensitive = map[string]string{
	"extra whitespace":          "{ \"type\" : \"invoice.paid\" ,\n\t\"data\" : { \"id\" : %q } }\n",
	"keys out of order":         `{"data":{"id":%q,"amount":1200},"type":"invoice.paid","timestamp":"2026-01-01T00:00:00Z"}`,
	"an escaped unicode letter": `{"type":"invoice.paid","data":{"id":%q,"customer":"Zo\u00eb \ud83d\ude00","note":"a\/b"}}`,
	"an integer beyond 2^53":    `{"type":"invoice.paid","data":{"id":%q,"amount":9007199254740993,"ratio":1.0e2}}`,
}

// deliverRawSensitive delivers an event whose bytes only a raw-body check
// verifies.
func (st *conformanceScenario) deliverRawSensitive(ctx context.Context, kind string) error {
	if st.cfg.Policy.Signing == nil {
		return st.notApplicable("the run does not sign its deliveries")
	}
	body := fmt.Sprintf(rawSensitive[kind], webhook.NewUUID())
	return st.deliver(ctx, webhook.RawBody([]byte(body), "application/json"), "", nil)
}

// probeSigned sends one event once, signed by the signer that change
// makes of the run's. An empty label makes it a delivery, not a probe:
// the provider itself sends such a request (several signatures during a
// rotation, a new version beside v1), so refusing it loses the event.
func (st *conformanceScenario) probeSigned(ctx context.Context, label string, change func(s *webhook.Signing) (signing.Signer, error)) error {
	if st.cfg.Policy.Signing == nil {
		return st.notApplicable("the run does not sign its deliveries")
	}
	n, err := st.event()
	if err != nil {
		return err
	}
	signer, err := change(st.cfg.Policy.Signing)
	if err != nil {
		return fmt.Errorf("sign the probe: %w", err)
	}
	return st.send(ctx, n, "", func(p *webhook.Policy) {
		s := *p.Signing
		s.Signer = signer
		p.Signing = &s
	}, label)
}

func (st *conformanceScenario) probeTampered(ctx context.Context) error {
	return st.probeSigned(ctx, "body changed after signing", func(s *webhook.Signing) (signing.Signer, error) {
		return signerFunc(func(m signing.Message) (signing.Headers, error) {
			changed := []byte(string(m.Body)) // a copy: the body sent stays as it is
			if len(changed) > 0 {
				changed[len(changed)/2] ^= 0x01
			}
			m.Body = changed
			return s.Signer.Sign(m)
		}), nil
	})
}

func (st *conformanceScenario) probeWrongSecret(ctx context.Context) error {
	return st.probeSigned(ctx, "wrong signing secret", func(s *webhook.Signing) (signing.Signer, error) {
		return signing.NewSigner(s.Provider, randomSecret(s.Provider))
	})
}

func (st *conformanceScenario) probeSkewed(ctx context.Context, minutes int, direction string) error {
	offset := time.Duration(minutes) * time.Minute
	if direction == "past" {
		offset = -offset
	}
	return st.probeSigned(ctx, fmt.Sprintf("timestamp %d minutes in the %s", minutes, direction), func(s *webhook.Signing) (signing.Signer, error) {
		return signerFunc(func(m signing.Message) (signing.Headers, error) {
			m.Timestamp = m.Timestamp.Add(offset)
			return s.Signer.Sign(m)
		}), nil
	})
}

func (st *conformanceScenario) probeRotation(ctx context.Context) error {
	return st.probeSigned(ctx, "", func(s *webhook.Signing) (signing.Signer, error) {
		// The new secret's signature first: a receiver that reads only
		// the first one refuses.
		return signing.NewSigner(s.Provider, append([]webhook.Secret{randomSecret(s.Provider)}, s.Secrets...)...)
	})
}

func (st *conformanceScenario) probeUnknownBeside(ctx context.Context) error {
	return st.probeVersion(ctx, "", true)
}

func (st *conformanceScenario) probeUnknownOnly(ctx context.Context) error {
	return st.probeVersion(ctx, "only an unknown signature version", false)
}

// probeVersion rewrites the signature header: an unknown version beside
// the valid one (keep), or the valid MAC under that version alone.
// Standard Webhooks writes versions as "v1,<mac>" entries (SW-5): v2 is
// unknown; Stripe as "v1=<mac>" pairs (ST-3): v0, which Stripe itself
// adds to test-mode events, is not to be trusted.
func (st *conformanceScenario) probeVersion(ctx context.Context, label string, keep bool) error {
	s := st.cfg.Policy.Signing
	if s != nil && s.Provider != signing.StandardWebhooks && s.Provider != signing.Stripe {
		return st.notApplicable(fmt.Sprintf("no signature-version probe for %s yet", s.Provider))
	}
	return st.probeSigned(ctx, label, func(s *webhook.Signing) (signing.Signer, error) {
		return signerFunc(func(m signing.Message) (signing.Headers, error) {
			hs, err := s.Signer.Sign(m)
			if err != nil {
				return nil, err
			}
			for i, f := range hs {
				switch {
				case strings.EqualFold(f.Name, signing.HeaderWebhookSignature) && keep:
					hs[i].Value = "v2," + base64.StdEncoding.EncodeToString(randomBytes(32)) + " " + f.Value
				case strings.EqualFold(f.Name, signing.HeaderWebhookSignature):
					hs[i].Value = strings.ReplaceAll(f.Value, "v1,", "v2,")
				case strings.EqualFold(f.Name, signing.HeaderStripeSignature) && keep:
					// t=…,v0=<other>,v1=<valid>: the unknown scheme first.
					hs[i].Value = strings.Replace(f.Value, ",v1=", ",v0="+hex.EncodeToString(randomBytes(32))+",v1=", 1)
				case strings.EqualFold(f.Name, signing.HeaderStripeSignature):
					hs[i].Value = strings.ReplaceAll(f.Value, ",v1=", ",v0=")
				}
			}
			return hs, nil
		}), nil
	})
}

// signerFunc adapts a function to signing.Signer.
type signerFunc func(signing.Message) (signing.Headers, error)

// Sign calls f.
func (f signerFunc) Sign(m signing.Message) (signing.Headers, error) { return f(m) }

// randomSecret is a fresh secret in p's format: not the run's.
func randomSecret(p signing.Provider) webhook.Secret {
	key := base64.StdEncoding.EncodeToString(randomBytes(32))
	if p == signing.GitHub {
		return webhook.Secret("forged-" + key)
	}
	return webhook.Secret(signing.PrefixSymmetric + key)
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}
