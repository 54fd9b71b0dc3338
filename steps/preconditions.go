package steps

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// The preconditions configure nothing: each one makes the scenario not
// applicable unless the run was configured so, because a check of a
// feature the user did not set up (an auth header, an allowlist, https)
// proves nothing either way.

// requireAuthHeader: RC-09 applies only with an auth header (D-8).
func (st *conformanceScenario) requireAuthHeader() error {
	if st.cfg.Policy.Auth == nil {
		return st.notApplicable("no auth header configured (set " + st.cfg.Vocabulary.Say("--auth-header-name and HOOKCHECK_AUTH_HEADER_VALUE",
			"Target.AuthHeaderName and Target.AuthHeaderValue") + ")")
	}
	return nil
}

// requireAllowlist: RC-10 applies only when an allowlist is declared.
func (st *conformanceScenario) requireAllowlist() error {
	if !st.cfg.Allowlist {
		return st.notApplicable("no allowlist declared (set " + st.cfg.Vocabulary.Say("--allowlist header or --allowlist socket:IP",
			"Target.Allowlist") + ")")
	}
	return nil
}

// requireHeaderAllowlist: a missing X-Forwarded-For means nothing to an
// allowlist that reads the socket peer address (P-7).
func (st *conformanceScenario) requireHeaderAllowlist() error {
	if st.cfg.Policy.Source.Mode != webhook.SourceHeader {
		return st.notApplicable("the allowlist reads the socket peer address, not X-Forwarded-For")
	}
	return nil
}

// requireRegion: a region's source address (D-7) is checked only when the
// run selected that region.
func (st *conformanceScenario) requireRegion(region string) error {
	if !slices.Contains(st.cfg.regions(), webhook.Region(region)) {
		return st.notApplicable(fmt.Sprintf("region %s not selected (%s)", region, st.cfg.Vocabulary.Say(
			"use --region "+region+" or both", "add webhook.Region"+strings.ToUpper(region)+" to Target.Regions")))
	}
	return nil
}

// requireHTTPS: RC-14 needs an https target whose certificate is verified.
func (st *conformanceScenario) requireHTTPS() error {
	u, err := url.Parse(st.target())
	switch {
	case err != nil || u.Scheme != "https":
		return st.notApplicable("the target is not an https URL")
	case st.cfg.Policy.InsecureSkipVerify:
		return st.notApplicable(st.cfg.Vocabulary.Say("--insecure", "Target.Policy.InsecureSkipVerify") + ": certificates are not verified")
	}
	return nil
}
