// Package provider holds the providers hookcheck imitates: for each, its
// delivery rules as data (a simulator/profiles profile, every value citing
// docs/spec.md), a payload generator, its signing scheme
// (simulator/signing) and its feature folder (features/). The engine,
// the suite and the reports read a Provider and nothing else about it, so
// adding one is a profile file, a payload generator, a feature folder and
// an entry in All (docs/providers.md).
//
// AssemblyAI is the default: its profile, payloads and features are the
// ones hookcheck always had, and a run of it reads as it always did.
package provider

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/hookcheck/hookcheck/features"
	"github.com/hookcheck/hookcheck/simulator/profiles"
	"github.com/hookcheck/hookcheck/simulator/signing"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// The providers' names, as --provider takes them.
const (
	// AssemblyAI is the default provider (docs/spec.md D-*, P-*).
	AssemblyAI = "assemblyai"
	// StandardWebhooks is Standard Webhooks v1 (docs/spec.md SW-*).
	StandardWebhooks = "standard-webhooks"
	// Stripe is Stripe's live-mode event delivery (docs/spec.md ST-*).
	Stripe = "stripe"
	// GitHub is GitHub's webhook delivery (docs/spec.md GH-*).
	GitHub = "github"
)

// Provider is one sender hookcheck imitates.
type Provider struct {
	// Name is how --provider and Target.Provider name it.
	Name string
	// Profile is its delivery rules, each value with its source.
	Profile profiles.Profile
	// Signing is its signing scheme; empty for a provider that does not
	// sign (AssemblyAI authenticates with a custom header, D-8).
	Signing signing.Provider
	// Features is its feature folder; the suite runs it unless the user
	// gives their own.
	Features fs.FS
	// Payload returns the body of one event, given the event's id: what
	// the provider's deliveries and probes send. Nil means the built-in
	// AssemblyAI notifications.
	Payload func(id string) []byte
	// First, when set, is the event a new endpoint receives before any
	// other, with the headers that name it (GitHub's ping, GH-5): the
	// suite checks that it is acknowledged too. Nil: none.
	First func() (body []byte, header http.Header)
	// SigningFormat says what a signing secret looks like, for messages.
	SigningFormat string
}

// Default returns AssemblyAI, the provider of a run that names none.
func Default() Provider { return All()[0] }

// All returns every provider, the default first; new on each call.
func All() []Provider {
	return []Provider{
		{Name: AssemblyAI, Profile: profiles.AssemblyAI(), Features: features.BuiltIn},
		{Name: StandardWebhooks, Profile: profiles.StandardWebhooks(), Signing: signing.StandardWebhooks,
			Features: features.StandardWebhooks, Payload: StandardWebhooksEvent,
			SigningFormat: "whsec_ followed by the base64 of 24 to 64 key bytes (SW-3)"},
		{Name: Stripe, Profile: profiles.Stripe(), Signing: signing.Stripe,
			Features: features.Stripe, Payload: StripeEvent,
			SigningFormat: "the endpoint's whsec_… secret, as the Dashboard shows it (ST-2)"},
		{Name: GitHub, Profile: profiles.GitHub(), Signing: signing.GitHub,
			Features: features.GitHub, Payload: GitHubPush, First: GitHubPing,
			SigningFormat: "the webhook's secret, any string (GH-2)"},
	}
}

// Names lists the providers' names, the default first.
func Names() []string {
	var out []string
	for _, p := range All() {
		out = append(out, p.Name)
	}
	return out
}

// Lookup returns the provider called name; empty means the default.
func Lookup(name string) (Provider, error) {
	if name == "" {
		return Default(), nil
	}
	for _, p := range All() {
		if p.Name == name {
			return p, nil
		}
	}
	return Provider{}, fmt.Errorf("unknown provider %q (want %s)", name, strings.Join(Names(), " or "))
}

// IsDefault says p is AssemblyAI.
func (p Provider) IsDefault() bool { return p.Name == AssemblyAI }

// Policy returns the delivery policy of p's profile, signed with secret
// when p signs (a provider that signs needs one).
func (p Provider) Policy(secret webhook.Secret) (webhook.Policy, error) {
	pol, err := webhook.PolicyFromProfile(p.Profile)
	if err != nil {
		return pol, err
	}
	if p.Signing == "" {
		if secret != "" {
			return pol, fmt.Errorf("%s does not sign its deliveries: a signing secret is for %s", p.Name, strings.Join(p.signers(), " or "))
		}
		return pol, nil
	}
	if secret == "" {
		return pol, fmt.Errorf("%s signs every delivery: it needs a signing secret, %s", p.Name, p.SigningFormat)
	}
	s, err := webhook.NewSigning(p.Signing, secret)
	if err != nil {
		// The signer's error names the format, never the value.
		return pol, fmt.Errorf("signing secret: %w", err)
	}
	pol.Signing = s
	return pol, nil
}

func (p Provider) signers() []string {
	var out []string
	for _, q := range All() {
		if q.Signing != "" {
			out = append(out, q.Name)
		}
	}
	return out
}

// sourceRule finds the docs/spec.md ids a source cites ("SW-9", "D-4").
var sourceRule = regexp.MustCompile(`\b[A-Z]{1,2}-\d+\b`)

// Sources returns the docs/spec.md ids p's profile cites, sorted.
func (p Provider) Sources() []string {
	b, err := json.Marshal(p.Profile)
	if err != nil {
		return nil
	}
	var ids []string
	for _, m := range sourceRule.FindAllString(string(b), -1) {
		if !slices.Contains(ids, m) {
			ids = append(ids, m)
		}
	}
	sort.Strings(ids)
	return ids
}

// StandardWebhooksEvent is a Standard Webhooks payload (SW-8): type,
// timestamp and data, compact, keys in order, ASCII: bytes that a JSON
// re-serialization (JSON.stringify, json.Marshal) gives back unchanged, so
// that a receiver verifying a re-serialized body still accepts it and only
// the raw-body requirement (SIG-07, with bodies no re-serialization gives
// back) finds that flaw: one cause, one finding.
func StandardWebhooksEvent(id string) []byte {
	ts := time.Unix(1767225600, 0).UTC().Format(time.RFC3339)
	return fmt.Appendf(nil, `{"data":{"amount":1200,"currency":"eur","customer":"Zoe","id":%q},"timestamp":%q,"type":"invoice.paid"}`, id, ts)
}

// StripeEvent is a Stripe event object (ST-9): id, object, api_version,
// created, data.object, livemode, pending_webhooks, request and type.
// Stripe sends its events pretty-printed; this one is compact, keys in
// order, ASCII, for the reason StandardWebhooksEvent gives: a receiver
// that verifies a re-serialized body still accepts it, and only SIG-07,
// whose bodies (extra whitespace, as a pretty-printed event has, among
// them) no re-serialization gives back, finds that flaw.
func StripeEvent(id string) []byte {
	return fmt.Appendf(nil, `{"api_version":"2025-03-31.basil","created":1767225600,`+
		`"data":{"object":{"amount_paid":1200,"currency":"eur","customer":"cus_Zoe","id":"in_%s","object":"invoice","status":"paid"}},`+
		`"id":"evt_%s","livemode":false,"object":"event","pending_webhooks":1,`+
		`"request":{"id":null,"idempotency_key":null},"type":"invoice.paid"}`, compactID(id), compactID(id))
}

// compactID is id with only the letters and digits an object id holds.
func compactID(id string) string {
	return strings.Map(func(r rune) rune {
		if (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			return r
		}
		return -1
	}, id)
}

// GitHubPush is a push event (GH-8), the event most GitHub webhooks
// receive: ref, before, after, commits, head_commit, repository, pusher
// and sender, compact, keys in order, ASCII, for the reason
// StandardWebhooksEvent gives. Its commit ids derive from id, so that
// two events differ. The delivery's id travels in X-GitHub-Delivery
// (GH-1), its type in X-GitHub-Event (the profile's: push).
func GitHubPush(id string) []byte {
	// 40 hex digits, as a commit id is written.
	before, after := sha256.Sum256([]byte("before "+id)), sha256.Sum256([]byte("after "+id))
	b, a := hex.EncodeToString(before[:20]), hex.EncodeToString(after[:20])
	return fmt.Appendf(nil, `{"after":%q,"base_ref":null,"before":%q,`+
		`"commits":[{"added":[],"author":{"email":"octocat@example.com","name":"Octocat"},"distinct":true,"id":%q,"message":"Update README","modified":["README.md"],"removed":[]}],`+
		`"compare":"https://github.com/octo-org/hello/compare/%s...%s","created":false,"deleted":false,"forced":false,`+
		`"head_commit":{"id":%q,"message":"Update README"},"pusher":{"email":"octocat@example.com","name":"octocat"},`+
		`"ref":"refs/heads/main","repository":{"full_name":"octo-org/hello","id":1,"name":"hello","private":false},`+
		`"sender":{"id":1,"login":"octocat","type":"User"}}`, a, b, a, b[:12], a[:12], a)
}

// GitHubPing is the ping event GitHub sends a new webhook before any other
// (GH-5): zen, hook_id and hook, compact, keys in order, ASCII, with
// X-GitHub-Event: ping.
func GitHubPing() ([]byte, http.Header) {
	return []byte(`{"hook":{"active":true,"config":{"content_type":"json","insecure_ssl":"0"},"events":["push"],"id":1,"name":"web","type":"Repository"},"hook_id":1,"zen":"Keep it logically awesome."}`),
		http.Header{http.CanonicalHeaderKey("X-GitHub-Event"): {"ping"}}
}
