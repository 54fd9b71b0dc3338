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
	all, err := AllRequirements()
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

// Remediations returns, for each requirement id, the fix of each failure
// mode that has its own (the catalogue's "remediations"; steps.FailureMode
// names the modes). A mode without one takes the requirement's
// remediation.
func Remediations() (map[string]map[string]string, error) {
	var rs []struct {
		ID           string            `json:"id"`
		Remediations map[string]string `json:"remediations"`
	}
	if err := json.Unmarshal(requirementsJSON, &rs); err != nil {
		return nil, fmt.Errorf("requirement catalogue: %w", err)
	}
	out := make(map[string]map[string]string, len(rs))
	for _, r := range rs {
		if len(r.Remediations) > 0 {
			out[r.ID] = r.Remediations
		}
	}
	return out, nil
}

// Simulator is the fidelity suite: one scenario or outline per rule of
// docs/spec.md, tagged with its id.
//
//go:embed simulator/*.feature
var Simulator embed.FS
