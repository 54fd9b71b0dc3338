package capture

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hookcheck/hookcheck/internal/secret"
	"github.com/hookcheck/hookcheck/simulator/profiles"
	"github.com/hookcheck/hookcheck/simulator/signing"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// ProviderRules are what a capture of a provider other than AssemblyAI
// is compared with (Expect.Provider): its profile, where each rule's
// docs/spec.md id comes from, and its signing scheme.
type ProviderRules struct {
	// Name names the provider.
	Name string
	// Profile is its delivery profile; its sources name the rules.
	Profile profiles.Profile
	// Signing is its signing scheme; empty for one that does not sign.
	Signing signing.Provider
	// Verifier, when set, checks every captured signature with the
	// user's secret; nil checks their form only.
	Verifier signing.Verifier
}

// specID finds the first docs/spec.md id a source cites.
var specID = regexp.MustCompile(`\b[A-Z]{1,2}-\d+\b`)

// rule is the first id source cites, or fallback.
func rule(source, fallback string) string {
	if m := specID.FindString(source); m != "" {
		return m
	}
	return fallback
}

// signatureRule is the docs/spec.md id of s's signature headers.
func signatureRule(s signing.Provider) string {
	switch s {
	case signing.StandardWebhooks:
		return "SW-1"
	case signing.Stripe:
		return "ST-1"
	case signing.GitHub:
		return "GH-1"
	}
	return "signature"
}

// formChecker verifies with a secret no sender has: a signature that is
// well formed then fails as "does not match", one that is not fails
// otherwise.
func formChecker(s signing.Provider) signing.Verifier {
	key := secret.Secret(signing.PrefixSymmetric + "aG9va2NoZWNrLWZvcm0tY2hlY2stb25seS0wMDAwMDA=")
	if s == signing.GitHub {
		key = "hookcheck-form-check-only"
	}
	v, err := signing.NewVerifier(s, signing.VerifyOptions{Secrets: []secret.Secret{key}})
	if err != nil {
		return nil
	}
	return v
}

// addProvider compares attempt a with the provider's rules: method,
// Content-Type, signature headers (form, and signature when a Verifier
// is given), the sender's deadline when it left before the answer, and
// the schedule's wait before the attempt.
func (dd *deliveryDiffer) addProvider(a Record, first bool) {
	pr, p := dd.e.Provider, dd.e.Policy
	add := func(list *[]Difference, rule, what, want, got string, exceeds bool) {
		*list = append(*list, Difference{Rule: rule, Delivery: dd.key, Attempt: a.Attempt, What: what, Want: clipValue(want), Got: clipValue(got), Exceeds: exceeds})
	}
	if a.Method != p.Method {
		add(&dd.perAttempt, rule(pr.Profile.Method.Source, pr.Name), "method", q(p.Method), q(a.Method), true)
	}
	if ct := pr.Profile.Headers.Value["Content-Type"]; ct != "" && a.Header.Get("Content-Type") != ct {
		add(&dd.perAttempt, rule(pr.Profile.Headers.Source, pr.Name), "header Content-Type", q(ct), qh(a.Header, "Content-Type"), true)
	}
	if first {
		dd.firstPath, dd.firstQuery, dd.firstAttempt, dd.firstPrint = a.Path, a.RawQuery, a.Attempt, newBodyPrint(a)
	} else if dd.key != "" {
		dd.addRepeat(a, add)
	}
	if pr.Signing != "" {
		sr := signatureRule(pr.Signing)
		off, stamped := timestampOff(pr.Signing, a)
		if fc := formChecker(pr.Signing); fc != nil {
			err := fc.Verify(a.Header, a.BodyBytesRaw(), a.Time)
			if !errors.Is(err, signing.ErrBadSignature) {
				got := "well formed"
				if err != nil {
					got = err.Error()
				}
				add(&dd.perAttempt, sr, "signature headers", "present and well formed, timestamp at the arrival", got, true)
				stamped = false
			} else if stamped && (off > signing.DefaultTolerance || off < -signing.DefaultTolerance) {
				add(&dd.perAttempt, sr, "signature timestamp", fmt.Sprintf("the arrival ± %s", signing.DefaultTolerance),
					fmt.Sprintf("%s before the arrival", off.Round(time.Second)), true)
				stamped = false // said: not again as not the attempt's own
			} else if stamped && dd.stamp != nil && pr.Signing == signing.StandardWebhooks {
				stamped = dd.addOwnStamp(a, off, add)
			}
		}
		if stamped {
			dd.stamp = &ownStamp{attempt: a.Attempt, arrived: a.Time, off: off}
		}
		if pr.Verifier != nil {
			if err := pr.Verifier.Verify(a.Header, a.BodyBytesRaw(), a.Time); err != nil {
				add(&dd.perAttempt, sr, "signature (with the signing secret)", "verifies", err.Error(), true)
			} else {
				add(&dd.perAttempt, sr, "signature (with the signing secret)", "verifies", "verifies", false)
			}
		}
	}
	timeoutRule := rule(pr.Profile.Timeout.Source, pr.Name)
	tol := dd.e.Tolerance
	if tol <= 0 {
		tol = p.Timeout/10 + 20*time.Millisecond
	}
	// The sender left before the answer: in answer mode, or in forward
	// mode when the receiver's answer was still to come; a forward the
	// capture cut at its own deadline (TimedOut) shows no sender's.
	if a.ClientGone && (a.Forwarded == nil || !a.Forwarded.TimedOut) && a.AnsweredAfter() < p.Timeout-tol {
		add(&dd.perAttempt, timeoutRule, "deadline (the sender left before the answer)", fmt.Sprintf("%s ± %s", p.Timeout, tol), a.AnsweredAfter().Round(time.Millisecond).String(), true)
	}
	ra := ""
	if a.Forwarded != nil && a.Forwarded.Header != nil {
		ra = a.Forwarded.Header.Get("Retry-After")
	}
	cur := attemptSummary{attempt: a.Attempt, time: a.Time, answeredAfter: a.AnsweredAfter(), status: a.Status, clientGone: a.ClientGone, retryAfter: ra}
	// An attempt the profile never makes has no wait of its own: the
	// attempt count names it (GH-4: GitHub makes one).
	if !first && a.Attempt <= p.MaxAttempts {
		prev := dd.attempts[len(dd.attempts)-1]
		wait, why := providerWait(p, prev), ""
		if wait != p.WaitAfter(prev.attempt) {
			why = " (Retry-After)"
		}
		wtol := dd.e.Tolerance
		if wtol <= 0 {
			wtol = wait/10 + 20*time.Millisecond
		}
		got := cur.time.Sub(prev.time.Add(min(prev.answeredAfter, p.Timeout)))
		off := got - wait
		if off < 0 {
			off = -off
		}
		src := pr.Profile.RetryInterval.Source
		if pr.Profile.Schedule != nil {
			src = pr.Profile.Schedule.Source
		}
		if off > wtol {
			add(&dd.waits, rule(src, pr.Name), fmt.Sprintf("wait before the attempt (after attempt %d%s)", prev.attempt, why),
				fmt.Sprintf("%s ± %s", wait, wtol), got.Round(time.Millisecond).String(), true)
		}
	}
	dd.attempts = append(dd.attempts, cur)
}

// ownStampTolerance is how far the time between two attempts' signature
// timestamps (whole seconds) may be from the time between their arrivals.
const ownStampTolerance = 2 * time.Second

// addRepeat checks that retry a repeats the first attempt's message: its
// body byte for byte and its path and query (SW-1, ST-9, GH-7). A
// differing body is named by its first differing offset and both
// lengths, never shown.
func (dd *deliveryDiffer) addRepeat(a Record, add func(*[]Difference, string, string, string, string, bool)) {
	r := repeatRule(dd.e.Provider)
	if a.Path != dd.firstPath {
		add(&dd.perAttempt, r, fmt.Sprintf("path (same as attempt %d)", dd.firstAttempt), q(dd.firstPath), q(a.Path), true)
	}
	if a.RawQuery != dd.firstQuery {
		add(&dd.perAttempt, r, fmt.Sprintf("query string (same as attempt %d)", dd.firstAttempt), q(dd.firstQuery), q(a.RawQuery), true)
	}
	b := a.BodyBytesRaw()
	if at, differs := dd.firstPrint.firstDiff(b, sentLen(a, b)); differs {
		add(&dd.perAttempt, r, fmt.Sprintf("body (a retry repeats attempt %d's bytes)", dd.firstAttempt),
			fmt.Sprintf("the same %d bytes", dd.firstPrint.sent), fmt.Sprintf("%d bytes, %s", sentLen(a, b), at), true)
	}
}

// ownStamp is an attempt whose signature timestamp was its own: when it
// arrived, and how long before that its timestamp says it was signed.
type ownStamp struct {
	attempt int
	arrived time.Time
	off     time.Duration
}

// addOwnStamp checks that retry a's webhook-timestamp is its own (SW-1:
// "of the attempt"), not an earlier attempt's again: the time between its
// timestamp and the last own one is the time between the arrivals,
// whatever the clocks' skew. off is a's timestamp's offset from its
// arrival; false when the timestamp is not a's own.
func (dd *deliveryDiffer) addOwnStamp(a Record, off time.Duration, add func(*[]Difference, string, string, string, string, bool)) bool {
	prev := dd.stamp
	between := a.Time.Sub(prev.arrived)
	stamps := between - (off - prev.off)
	tol := max(ownStampTolerance, dd.e.Tolerance)
	if d := stamps - between; d > tol || d < -tol {
		add(&dd.perAttempt, "SW-1", "signature timestamp (the attempt's own)",
			fmt.Sprintf("%s after attempt %d's (as the arrivals) ± %s", between.Round(time.Second), prev.attempt, tol),
			fmt.Sprintf("%s after it", stamps.Round(time.Second)), true)
		return false
	}
	return true
}

// repeatRule is the docs/spec.md id saying a retry repeats the message
// of pr: the same webhook-id (SW-1), the same event (ST-9), a
// redelivery with the same X-GitHub-Delivery (GH-7).
func repeatRule(pr *ProviderRules) string {
	switch pr.Signing {
	case signing.StandardWebhooks:
		return "SW-1"
	case signing.Stripe:
		return "ST-9"
	case signing.GitHub:
		return "GH-7"
	}
	return pr.Name
}

// providerWait is the wait p makes after attempt prev: its schedule's
// for that attempt, or the answer's Retry-After when p honours it for
// that status.
func providerWait(p webhook.Policy, prev attemptSummary) time.Duration {
	wait := p.WaitAfter(prev.attempt)
	if prev.clientGone || !slices.Contains(p.RetryAfterOn, prev.status) {
		return wait
	}
	secs, err := strconv.Atoi(strings.TrimSpace(prev.retryAfter))
	if err != nil || secs < 0 {
		return wait
	}
	d := min(time.Duration(secs)*time.Second, profiles.MaxRetryInterval)
	if p.Pace == webhook.Accelerated {
		d /= webhook.AcceleratedFactor
	}
	return d
}

// ObserveProfile returns pr's profile changed to what the captured
// deliveries show, in pr's own format (schedule, stop-on, Retry-After and
// signature kept): the method, Content-Type, the attempts of a delivery
// whose every attempt failed, whether a 4xx was retried, and the
// schedule's waits attempt by attempt (the median of each, scaled back to
// real time when base is accelerated; a wait set by Retry-After is not the
// schedule's and is left out). What the capture cannot show stays as in
// pr's profile. source is the source of every observed value.
func ObserveProfile(ds []Delivery, pr ProviderRules, base webhook.Policy, source string) profiles.Profile {
	out := pr.Profile
	out.Headers.Value = maps.Clone(pr.Profile.Headers.Value)
	if len(ds) == 0 || len(ds[0].Attempts) == 0 {
		return out
	}
	first := ds[0].Attempts[0]
	out.Method = profiles.Field[string]{Value: first.Method, Source: source}
	if ct := first.Header.Get("Content-Type"); ct != "" && ct != out.Headers.Value["Content-Type"] {
		if out.Headers.Value == nil {
			out.Headers.Value = map[string]string{}
		}
		out.Headers.Value["Content-Type"] = ct
		out.Headers.Source = source
	}
	var waits [][]time.Duration // waits[n-1]: the waits after attempt n
	exhausted, retried4xx, stopped4xx := 0, false, false
	for _, d := range ds {
		allFailed := true
		for i, a := range d.Attempts {
			if i > 0 {
				prev := d.Attempts[i-1]
				if prev.Status >= 400 && prev.Status < 500 && !prev.ClientGone && !slices.Contains(base.StopOn, prev.Status) {
					retried4xx = true
				}
				ra := ""
				if prev.Forwarded != nil && prev.Forwarded.Header != nil {
					ra = prev.Forwarded.Header.Get("Retry-After")
				}
				s := attemptSummary{attempt: i, status: prev.Status, clientGone: prev.ClientGone, retryAfter: ra}
				if providerWait(base, s) == base.WaitAfter(i) {
					for len(waits) < i {
						waits = append(waits, nil)
					}
					waits[i-1] = append(waits[i-1], a.Time.Sub(prev.Time.Add(min(prev.AnsweredAfter(), base.Timeout))))
				}
			}
			if !a.ClientGone && a.Status >= 200 && a.Status < 300 {
				allFailed = false
			}
		}
		last := d.Attempts[len(d.Attempts)-1]
		if last.Status >= 400 && last.Status < 500 && !last.ClientGone {
			if !slices.Contains(base.StopOn, last.Status) {
				stopped4xx = true
			}
			allFailed = false
		}
		if allFailed {
			exhausted = max(exhausted, len(d.Attempts))
		}
	}
	if exhausted > 0 {
		out.MaxAttempts = profiles.Field[int]{Value: exhausted, Source: source}
	}
	switch {
	case retried4xx:
		out.RetryOn4xx = profiles.Field[bool]{Value: true, Source: source}
	case stopped4xx:
		out.RetryOn4xx = profiles.Field[bool]{Value: false, Source: source}
	}
	sched := pr.Profile.Waits()
	changed := false
	for i, ws := range waits {
		if len(ws) == 0 {
			continue
		}
		slices.Sort(ws)
		w := ws[len(ws)/2]
		if base.Pace == webhook.Accelerated {
			w *= webhook.AcceleratedFactor
		}
		if w >= time.Second {
			w = w.Round(100 * time.Millisecond)
		} else {
			w = w.Round(time.Millisecond)
		}
		w = max(w, 0)
		for len(sched) <= i {
			sched = append(sched, base.RetryInterval)
		}
		sched[i], changed = w, true
	}
	n := max(out.MaxAttempts.Value-1, 0)
	if changed || (out.Schedule != nil && len(sched) != n) {
		for len(sched) < n {
			last := base.RetryInterval
			if len(sched) > 0 {
				last = sched[len(sched)-1]
			}
			sched = append(sched, last)
		}
		sched = sched[:min(len(sched), n)]
		vals := make([]string, len(sched))
		for i, d := range sched {
			vals[i] = d.String()
		}
		out.Schedule = &profiles.Field[[]string]{Value: vals, Source: source}
		if len(sched) > 0 {
			out.RetryInterval = profiles.Field[string]{Value: sched[0].String(), Source: source}
		}
	}
	return out
}

// timestampOff is how long before a's arrival its signature says it was
// signed (SW-1's webhook-timestamp, ST-1's t=); ok false when the scheme
// signs no time (GitHub) or the header holds none.
func timestampOff(p signing.Provider, a Record) (time.Duration, bool) {
	var v string
	switch p {
	case signing.StandardWebhooks:
		v = a.Header.Get("Webhook-Timestamp")
	case signing.Stripe:
		for _, part := range strings.Split(a.Header.Get("Stripe-Signature"), ",") {
			if t, ok := strings.CutPrefix(strings.TrimSpace(part), "t="); ok {
				v = t
				break
			}
		}
	}
	secs, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return 0, false
	}
	return a.Time.Sub(time.Unix(secs, 0)), true
}
