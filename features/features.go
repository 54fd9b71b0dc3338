// Package features holds hookcheck's Gherkin feature files and its
// requirement catalogue: the receiver conformance suite (receiver/) checks
// a team's webhook receiver against requirements RC-01..RC-17
// (requirements.json), and streaming/ checks it against RC-20..RC-23 and
// the rules they share, with a streaming session's webhook; the
// simulator's fidelity suite (simulator/) checks hookcheck's own sender
// against AssemblyAI's rules. The files are embedded
// so the CLI and the Go API can run them from any directory.
package features

import (
	"embed"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/hookcheck/hookcheck/reports"
)

// Receiver is the conformance suite: one feature per requirement, each
// scenario tagged with its requirement id and @must or @should.
//
//go:embed receiver/*.feature
var Receiver embed.FS

// BuiltIn holds every built-in suite file under its directory: receiver/
// (the transcript notification) and streaming/ (the webhook of a streaming
// session, every scenario tagged @streaming), which `hookcheck run
// --product` chooses between.
//
//go:embed receiver/*.feature streaming/*.feature
var BuiltIn embed.FS

//go:embed requirements.json
var requirementsJSON []byte

// StandardWebhooks is the suite of the standard-webhooks provider: the
// signed-webhook requirements (SIG-*) and the shared rules that apply to
// any sender (deadline, redirects, malformed bodies, methods).
//
//go:embed standard-webhooks/*.feature
var StandardWebhooks embed.FS

// Stripe is the suite of the stripe provider: the signed-webhook
// requirements that apply to Stripe's scheme (docs/spec.md ST-*) and the
// shared rules.
//
//go:embed stripe/*.feature
var Stripe embed.FS

// GitHub is the suite of the github provider: the signed-webhook
// requirements that apply to GitHub's scheme (docs/spec.md GH-*: no
// timestamp, one secret, so no SIG-04 or SIG-05) and the shared rules.
//
//go:embed github/*.feature
var GitHub embed.FS

// RequirementsFor returns the catalogue entries of provider: those whose
// "providers" list names it, an entry without one being AssemblyAI's. The
// suite adds the shared entries a provider's features check.
func RequirementsFor(provider string) ([]reports.Requirement, error) {
	all, err := AllRequirementsFor(provider)
	if err != nil {
		return nil, err
	}
	var rs []struct {
		Providers []string `json:"providers"`
	}
	if err := json.Unmarshal(requirementsJSON, &rs); err != nil {
		return nil, fmt.Errorf("requirement catalogue: %w", err)
	}
	out := all[:0:0]
	for i, q := range all {
		ps := rs[i].Providers
		if len(ps) == 0 {
			ps = []string{"assemblyai"}
		}
		if slices.Contains(ps, provider) {
			out = append(out, q)
		}
	}
	return out, nil
}

// Requirements returns AssemblyAI's requirement catalogue (RC-*), every
// status unset: the requirements of a run that names no other provider.
func Requirements() ([]reports.Requirement, error) { return RequirementsFor("assemblyai") }

// AllRequirements returns every provider's requirements, every status
// unset, in catalogue order.
func AllRequirements() ([]reports.Requirement, error) {
	var rs []reports.Requirement
	if err := json.Unmarshal(requirementsJSON, &rs); err != nil {
		return nil, fmt.Errorf("requirement catalogue: %w", err)
	}
	return rs, nil
}

// AllRequirementsFor is AllRequirements in the words of provider: a
// shared requirement (RC-08, RC-11, …) written for AssemblyAI's
// notifications has its "other_providers" title, why, rules and
// remediation in another provider's run, where AssemblyAI's rules (a 429
// is never retried, transcript_id) are not true.
func AllRequirementsFor(provider string) ([]reports.Requirement, error) {
	rs, err := AllRequirements()
	if err != nil || provider == "" || provider == "assemblyai" {
		return rs, err
	}
	ovs, err := otherProviders()
	if err != nil {
		return nil, err
	}
	for i, q := range rs {
		o, ok := ovs[q.ID]
		if !ok {
			continue
		}
		if o.Title != "" {
			rs[i].Title = o.Title
		}
		if o.Why != "" {
			rs[i].Why = o.Why
		}
		if len(o.Rules) > 0 {
			rs[i].Rules = o.Rules
		}
		if o.Remediation != "" {
			rs[i].Remediation = o.Remediation
		}
	}
	return rs, nil
}

// override is a shared requirement's "other_providers" text.
type override struct {
	Title        string            `json:"title"`
	Why          string            `json:"why"`
	Rules        []string          `json:"rules"`
	Remediation  string            `json:"remediation"`
	Remediations map[string]string `json:"remediations"`
}

// otherProviders returns each entry's "other_providers" text, by id.
func otherProviders() (map[string]override, error) {
	var rs []struct {
		ID    string    `json:"id"`
		Other *override `json:"other_providers"`
	}
	if err := json.Unmarshal(requirementsJSON, &rs); err != nil {
		return nil, fmt.Errorf("requirement catalogue: %w", err)
	}
	out := map[string]override{}
	for _, r := range rs {
		if r.Other != nil {
			out[r.ID] = *r.Other
		}
	}
	return out, nil
}

// Remediations returns, for each requirement id, the fix of each failure
// mode that has its own (the catalogue's "remediations"; steps.FailureMode
// names the modes). A mode without one takes the requirement's
// remediation.
func Remediations() (map[string]map[string]string, error) { return RemediationsFor("assemblyai") }

// RemediationsFor is Remediations in a run of provider: a shared
// requirement's "other_providers" remediations replace AssemblyAI's.
func RemediationsFor(provider string) (map[string]map[string]string, error) {
	var rs []struct {
		ID           string            `json:"id"`
		Remediations map[string]string `json:"remediations"`
	}
	if err := json.Unmarshal(requirementsJSON, &rs); err != nil {
		return nil, fmt.Errorf("requirement catalogue: %w", err)
	}
	var ovs map[string]override
	if provider != "" && provider != "assemblyai" {
		var err error
		if ovs, err = otherProviders(); err != nil {
			return nil, err
		}
	}
	out := make(map[string]map[string]string, len(rs))
	for _, r := range rs {
		fixes := r.Remediations
		if o, ok := ovs[r.ID]; ok {
			fixes = o.Remediations // none: the override's remediation
		}
		if len(fixes) > 0 {
			out[r.ID] = fixes
		}
	}
	return out, nil
}

// Simulator is the fidelity suite: one scenario or outline per rule of
// docs/spec.md, tagged with its id.
//
//go:embed simulator/*.feature
var Simulator embed.FS
