package main

import (
	"crypto/rand"
	"encoding/base64"
	"strings"

	"github.com/spf13/pflag"

	"github.com/hookcheck/hookcheck/simulator/provider"
	"github.com/hookcheck/hookcheck/simulator/signing"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// envSigningSecret carries the secret a provider that signs signs with,
// in the provider's own format (whsec_… for Standard Webhooks): never on
// the command line.
const envSigningSecret = "HOOKCHECK_SIGNING_SECRET"

// registerProvider adds --provider to fs.
func registerProvider(fs *pflag.FlagSet, p *string) {
	fs.StringVar(p, "provider", provider.AssemblyAI, "whose deliveries to imitate: "+strings.Join(provider.Names(), " or ")+
		" (its delivery profile, payloads, signature and requirements); one that signs takes its secret from $"+envSigningSecret)
}

// otherProvider returns the provider named, when it is not AssemblyAI.
func otherProvider(name string) (provider.Provider, bool) {
	pr, err := provider.Lookup(name)
	if err != nil || pr.IsDefault() {
		return provider.Provider{}, false
	}
	return pr, true
}

// newSigningSecret is a fresh secret in p's format, for the built-in
// receiver of a run that names none.
func newSigningSecret(p signing.Provider) webhook.Secret {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	if p == signing.GitHub {
		return webhook.Secret("hookcheck-" + base64.RawURLEncoding.EncodeToString(b))
	}
	return webhook.Secret(signing.PrefixSymmetric + base64.StdEncoding.EncodeToString(b))
}
