package receiver

import (
	"net/http"

	"github.com/hookcheck/hookcheck/simulator/signing"
)

// stripeBehaviours are the Stripe receivers (ST-1..ST-5): the compliant
// one verifies with simulator/signing (as stripe-go's
// webhook.ConstructEvent does: the raw body, every v1, 300 s into the
// past), the others each get one thing wrong. They serve Config.Path,
// answer 405 to other methods, 400 to a request that does not verify or
// does not parse, 200 to the rest, and need Config.SigningSecret.
func stripeBehaviours() []Behaviour {
	b := func(name, description, violates string, f signedFlaw) Behaviour {
		return Behaviour{Name: name, Description: description, Violates: violates,
			New: func(c Config, _ Params) http.Handler { return newSigned(c, signing.Stripe, f) }}
	}
	return []Behaviour{
		b("stripe-compliant", "Stripe: verifies every request on the raw body, every v1 signature, events up to 5 minutes old (simulator/signing, as constructEvent)", "", signedCompliant),
		b("stripe-parsed-body", "Stripe: verifies JSON.stringify of the parsed body, as constructEvent behind express.json() does", "SIG-07 (ST-1)", signedReserialized),
		b("stripe-no-tolerance", "Stripe: checks the v1 signature but not the event's age", "SIG-04 (ST-5)", signedNoTolerance),
		b("stripe-no-check", "Stripe: never verifies Stripe-Signature", "SIG-02, SIG-03, SIG-04 (ST-1, ST-5)", signedNoCheck),
	}
}
