package steps

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/hookcheck/hookcheck/simulator/signing"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// The timing check (SIG-08): a receiver that compares signatures with ==
// returns at the first differing byte, so the time it takes to refuse
// grows with how many leading bytes are right, and an attacker who can
// time it learns the signature byte by byte. The check sends pairs of
// forged signatures, one wrong in its first byte and one wrong only in its
// last, interleaved so that drift touches both alike, and compares the
// median time to refuse of the two.

// Probe labels of the two kinds of timing probe.
const (
	timingEarly = "timing: signature wrong in its first byte"
	timingLate  = "timing: signature wrong only in its last byte"
)

// MinTimingLeak is the smallest difference of medians SIG-08 reports: below
// it, the difference is lost in a network's jitter whatever the samples
// say.
const MinTimingLeak = 100 * time.Microsecond

// timingDefinitions lists the timing steps.
func (c *Conformance) timingDefinitions() []Definition {
	return []Definition{
		{Kind: "When", Pattern: `^signed events arrive whose signature is wrong in its first byte or only in its last, (\d+) times each$`,
			Example: `signed events arrive whose signature is wrong in its first byte or only in its last, 50 times each`,
			Doc:     "Pairs of probes, interleaved: the valid signature with its first character changed, and with its last (SIG-08). Each is sent once.",
			Func:    conf((*conformanceScenario).probeTiming)},
		{Kind: "Then", Pattern: `^the time to refuse does not depend on how many leading bytes of the signature are right$`,
			Example: `the time to refuse does not depend on how many leading bytes of the signature are right`,
			Doc: fmt.Sprintf("The median time to refuse a signature wrong only in its last byte exceeds that of one wrong in its first by no more than the noise "+
				"(3 standard errors of the difference of medians, from the pooled median absolute deviation), or by less than %s.", MinTimingLeak),
			Func: conf((*conformanceScenario).expectNoTimingLeak)},
	}
}

// probeTiming sends n pairs of timing probes.
func (st *conformanceScenario) probeTiming(ctx context.Context, n int) error {
	if st.cfg.Policy.Signing == nil {
		return st.notApplicable("the run does not sign its deliveries")
	}
	if s := st.cfg.Policy.Signing; s.Provider != signing.StandardWebhooks && s.Provider != signing.Stripe && s.Provider != signing.GitHub {
		return st.notApplicable(fmt.Sprintf("no timing probe for %s yet", s.Provider))
	}
	if n < 5 || n > 1000 {
		return fmt.Errorf("%d samples of each: want 5 to 1000", n)
	}
	for range n {
		for _, late := range []bool{false, true} {
			label := timingEarly
			if late {
				label = timingLate
			}
			err := st.probeSigned(ctx, label, func(s *webhook.Signing) (signing.Signer, error) {
				return signerFunc(func(m signing.Message) (signing.Headers, error) {
					hs, err := s.Signer.Sign(m)
					if err != nil {
						return nil, err
					}
					for i, f := range hs {
						switch {
						case strings.EqualFold(f.Name, signing.HeaderWebhookSignature):
							hs[i].Value = spoil(f.Value, late)
						case strings.EqualFold(f.Name, signing.HeaderStripeSignature):
							hs[i].Value = spoilHex(f.Value, "v1=", late)
						case strings.EqualFold(f.Name, signing.HeaderGitHubSignature256):
							hs[i].Value = spoilHex(f.Value, "sha256=", late)
						}
					}
					return hs, nil
				}), nil
			})
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// spoil changes one base64 character of a "v1,<base64>" signature: the
// first after the comma, or the last before any padding.
func spoil(sig string, late bool) string {
	b := []byte(sig)
	i := strings.IndexByte(sig, ',') + 1
	if late {
		i = len(strings.TrimRight(sig, "=")) - 1
	}
	if i <= 0 || i >= len(b) {
		return sig
	}
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

// spoilHex changes one hex digit of the first signature after marker in a
// Stripe-Signature ("t=…,v1=<hex>", ST-1) or X-Hub-Signature-256
// ("sha256=<hex>", GH-1): its first, or the header's last; the result is
// still lower-case hex, so only the comparison of MACs refuses it.
func spoilHex(header, marker string, late bool) string {
	b := []byte(header)
	i := strings.Index(header, marker)
	if i < 0 {
		return header
	}
	i += len(marker)
	if late {
		i = len(b) - 1
	}
	if i >= len(b) {
		return header
	}
	if b[i] == '0' {
		b[i] = '1'
	} else {
		b[i] = '0'
	}
	return string(b)
}

// expectNoTimingLeak compares the two kinds of probe's times to refuse.
func (st *conformanceScenario) expectNoTimingLeak() error {
	var early, late []time.Duration
	st.mu.Lock()
	for _, d := range st.ev.Deliveries {
		if len(d.Attempts) == 0 || d.Attempts[0].StatusCode == 0 {
			continue
		}
		switch d.Probe {
		case timingEarly:
			early = append(early, d.Attempts[0].Duration)
		case timingLate:
			late = append(late, d.Attempts[0].Duration)
		}
	}
	st.mu.Unlock()
	if len(early) < 5 || len(late) < 5 {
		return fmt.Errorf("too few answered timing probes to judge (%d and %d): add a When step that sends them", len(early), len(late))
	}
	v := judgeTiming(early, late)
	if v.leak {
		return fmt.Errorf("a signature wrong only in its last byte took %s longer to refuse (median %s) than one wrong in its first (median %s), over %d samples of each; the noise allows %s. "+
			"The comparison returns at the first differing byte: an attacker who can time it learns a valid signature byte by byte",
			round(v.diff), round(v.lateMedian), round(v.earlyMedian), len(early), round(v.allowed))
	}
	return nil
}

// timingVerdict is what judgeTiming concludes.
type timingVerdict struct {
	earlyMedian, lateMedian, diff, allowed time.Duration
	leak                                   bool
}

// judgeTiming says whether late's median exceeds early's by more than the
// noise: 3 standard errors of the median (1.2533 σ/√n, σ estimated as
// 1.4826 times the pooled median absolute deviation), and MinTimingLeak.
func judgeTiming(early, late []time.Duration) timingVerdict {
	me, ml := median(early), median(late)
	var dev []time.Duration
	for _, d := range early {
		dev = append(dev, absDur(d-me))
	}
	for _, d := range late {
		dev = append(dev, absDur(d-ml))
	}
	sigma := 1.4826 * float64(median(dev))
	n := float64(min(len(early), len(late)))
	se := 1.2533 * sigma / math.Sqrt(n)
	allowed := max(time.Duration(3*math.Sqrt2*se), MinTimingLeak)
	diff := ml - me
	return timingVerdict{earlyMedian: me, lateMedian: ml, diff: diff, allowed: allowed, leak: diff > allowed}
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// round shows a duration to the microsecond.
func round(d time.Duration) time.Duration { return d.Round(time.Microsecond) }

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
