package capture

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hookcheck/hookcheck/internal/termtext"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// Expect is what hookcheck's profile would send, to compare a capture with.
type Expect struct {
	// Policy is the delivery policy of the profile (with its pace).
	Policy webhook.Policy
	// AuthHeaderName, when set, must be on every attempt (D-8); its value
	// is masked in the capture, so only its presence is compared.
	AuthHeaderName string
	// WebhookURL, when set, is the URL as submitted: every attempt's query
	// must equal its query byte for byte (D-9).
	WebhookURL string
	// Tolerance is how far a wait may be from the profile's; zero means
	// 10 % of the wait plus 20 ms.
	Tolerance time.Duration
	// Regions are the regions whose source address (D-7) a delivery may
	// show in header mode; none means every region.
	Regions []webhook.Region
	// Provider, when set, is a provider other than AssemblyAI: each
	// attempt is compared with its rules (ProviderRules), not with
	// AssemblyAI's headers, body, auth, query and source address.
	Provider *ProviderRules
}

// Difference is one way a captured delivery differs from the profile.
type Difference struct {
	// Rule is the docs/spec.md rule the difference touches.
	Rule string `json:"rule"`
	// Delivery is the delivery's key; Attempt is 0 for the whole delivery.
	Delivery string `json:"delivery"`
	Attempt  int    `json:"attempt,omitempty"`
	// What names the compared item; Want and Got are its values.
	What string `json:"what"`
	Want string `json:"want"`
	Got  string `json:"got"`
	// Exceeds says the difference is beyond tolerance (exit 1); others
	// are notes, e.g. a wait within tolerance or the body's spacing.
	Exceeds bool `json:"exceeds"`
}

// String renders the difference as one line, without control characters.
func (d Difference) String() string {
	where := d.Delivery
	if where == "" {
		where = "(no transcript_id/session_id)"
	}
	if d.Attempt > 0 {
		where += fmt.Sprintf(" attempt %d", d.Attempt)
	}
	mark := "DIFF"
	if !d.Exceeds {
		mark = "note"
	}
	return termtext.Printable(fmt.Sprintf("%s %-5s %s: %s: want %s, got %s", mark, d.Rule, where, d.What, d.Want, d.Got), 0)
}

// d12 is the historic header set of a delivery (D-12) as the sender sends
// it, with the policy's own values.
func d12(p webhook.Policy, contentType string) [][2]string {
	h := [][2]string{
		{"User-Agent", p.UserAgent},
		{"Accept", "*/*"},
		{"Accept-Encoding", "gzip, deflate"},
		{"Content-Type", contentType},
	}
	for i := range h {
		if v := p.ExtraHeaders.Get(h[i][0]); v != "" {
			h[i][1] = v
		}
	}
	return h
}

// Diff compares a captured delivery with what e's profile would send for
// the same notification.
func Diff(d Delivery, e Expect) []Difference {
	if len(d.Attempts) == 0 {
		return nil
	}
	dd := newDeliveryDiffer(e, d.Key)
	for _, a := range d.Attempts {
		dd.add(a)
	}
	return dd.result()
}

// DeliveryDiff is the differences of one captured delivery.
type DeliveryDiff struct {
	// Key names the delivery (Record.Key).
	Key string
	// Attempts is how many attempts were captured.
	Attempts int
	// Differences are Diff's.
	Differences []Difference
}

// Differ compares a capture read record by record (see Scan) with e's
// profile. Of each attempt it keeps only what a later check needs (its
// time, answer and a body digest), never a whole body or a header; of a
// provider's delivery, at most 1 KiB of its first body and a digest of
// each 64th of it: its memory grows with the number of requests, not with
// their size.
type Differ struct {
	e     Expect
	index map[[sha256.Size]byte]int
	ds    []*deliveryDiffer
}

// NewDiffer returns a Differ comparing with e.
func NewDiffer(e Expect) *Differ {
	return &Differ{e: e, index: map[[sha256.Size]byte]int{}}
}

// Add compares the next record of the capture.
func (df *Differ) Add(r Record) {
	k := sha256.Sum256([]byte(r.Key))
	i, ok := df.index[k]
	if !ok {
		i = len(df.ds)
		df.index[k] = i
		df.ds = append(df.ds, newDeliveryDiffer(df.e, r.Key))
	}
	df.ds[i].add(r)
}

// Result returns each delivery's differences, in the order of their first
// attempt.
func (df *Differ) Result() []DeliveryDiff {
	out := make([]DeliveryDiff, 0, len(df.ds))
	for _, d := range df.ds {
		out = append(out, DeliveryDiff{Key: d.key, Attempts: len(d.attempts), Differences: d.result()})
	}
	return out
}

// attemptSummary is what the checks of a whole delivery need of one of
// its attempts.
type attemptSummary struct {
	attempt       int
	time          time.Time
	answeredAfter time.Duration
	status        int
	clientGone    bool
	retryAfter    string // the forwarded answer's Retry-After
}

// deliveryDiffer compares one delivery attempt by attempt.
type deliveryDiffer struct {
	e         Expect
	key       string
	wantQuery *string
	// Of the first attempt: what later ones must repeat.
	firstQuery, firstPath string
	firstAttempt          int
	firstBody             [sha256.Size]byte
	// Of a provider's delivery: its first body, and the last attempt
	// whose signature timestamp was its own (stamp: none yet).
	firstPrint bodyPrint
	stamp      *ownStamp
	attempts   []attemptSummary
	// perAttempt, body and waits are the differences found, in the
	// order Diff gives them.
	perAttempt, body, waits []Difference
}

func newDeliveryDiffer(e Expect, key string) *deliveryDiffer {
	dd := &deliveryDiffer{e: e, key: key}
	if e.WebhookURL != "" {
		if u, err := url.Parse(e.WebhookURL); err == nil {
			dd.wantQuery = &u.RawQuery
		}
	}
	return dd
}

func (dd *deliveryDiffer) add(a Record) {
	p := dd.e.Policy
	addTo := func(list *[]Difference, rule string, attempt int, what, want, got string, exceeds bool) {
		*list = append(*list, Difference{Rule: rule, Delivery: dd.key, Attempt: attempt, What: what, Want: clipValue(want), Got: clipValue(got), Exceeds: exceeds})
	}
	add := func(rule string, attempt int, what, want, got string, exceeds bool) {
		addTo(&dd.perAttempt, rule, attempt, what, want, got, exceeds)
	}
	first := len(dd.attempts) == 0
	if dd.e.Provider != nil {
		dd.addProvider(a, first)
		return
	}
	body := a.BodyBytesRaw()
	sum := sha256.Sum256(body)
	if first {
		dd.firstQuery, dd.firstPath, dd.firstAttempt, dd.firstBody = a.RawQuery, a.Path, a.Attempt, sum
		dd.body = bodyDiff(dd.key, a)
	}
	if a.Method != p.Method {
		add("D-1", a.Attempt, "method", q(p.Method), q(a.Method), true)
	}
	for _, h := range d12(p, "application/json") {
		if got := a.Header.Get(h[0]); got != h[1] {
			add("D-12", a.Attempt, "header "+h[0], q(h[1]), qh(a.Header, h[0]), true)
		}
	}
	if dd.e.AuthHeaderName != "" && len(a.Header.Values(dd.e.AuthHeaderName)) == 0 {
		add("D-8", a.Attempt, "auth header "+dd.e.AuthHeaderName, "present", "absent", true)
	}
	if dd.wantQuery != nil && a.RawQuery != *dd.wantQuery {
		add("D-9", a.Attempt, "query string", q(*dd.wantQuery), q(a.RawQuery), true)
	} else if a.RawQuery != dd.firstQuery {
		add("D-9", a.Attempt, "query string (same as attempt 1)", q(dd.firstQuery), q(a.RawQuery), true)
	}
	if a.Path != dd.firstPath {
		add("D-9", a.Attempt, "path (same as attempt 1)", q(dd.firstPath), q(a.Path), true)
	}
	if a.Attempt > dd.firstAttempt && sum != dd.firstBody {
		add("D-4", a.Attempt, "body (a retry repeats the notification)", "attempt 1's body", fmt.Sprintf("%d other bytes", len(body)), true)
	}
	if rule, want, got, ok := sourceDiff(p, dd.e.Regions, a); !ok {
		add(rule, a.Attempt, "source address", want, got, true)
	}
	cur := attemptSummary{attempt: a.Attempt, time: a.Time, answeredAfter: a.AnsweredAfter(), status: a.Status, clientGone: a.ClientGone}
	if !first {
		// P-2: the wait runs from the end of one attempt (the answer, or
		// the sender's deadline) to the start of the next.
		prev := dd.attempts[len(dd.attempts)-1]
		wait, tol := p.Wait(), dd.tolerance()
		got := cur.time.Sub(prev.time.Add(min(prev.answeredAfter, p.Timeout)))
		off := got - wait
		if off < 0 {
			off = -off
		}
		if off > tol {
			addTo(&dd.waits, "P-2", a.Attempt, "wait before the attempt", fmt.Sprintf("%s ± %s", wait, tol), got.Round(time.Millisecond).String(), true)
		}
	}
	dd.attempts = append(dd.attempts, cur)
}

func (dd *deliveryDiffer) tolerance() time.Duration {
	if dd.e.Tolerance > 0 {
		return dd.e.Tolerance
	}
	return dd.e.Policy.Wait()/10 + 20*time.Millisecond
}

func (dd *deliveryDiffer) result() []Difference {
	out := make([]Difference, 0, len(dd.perAttempt)+len(dd.body)+len(dd.waits)+1)
	out = append(out, dd.perAttempt...)
	out = append(out, dd.body...)
	if want := expectedAttempts(dd.e.Policy, dd.attempts); want != len(dd.attempts) {
		r := "D-4"
		if pr := dd.e.Provider; pr != nil {
			r = rule(pr.Profile.MaxAttempts.Source, pr.Name)
		}
		out = append(out, Difference{Rule: r, Delivery: dd.key, What: "attempt count (from the answers given)",
			Want: fmt.Sprint(want), Got: fmt.Sprint(len(dd.attempts)), Exceeds: true})
	}
	out = append(out, dd.waits...)
	if len(out) == 0 {
		return nil
	}
	return out
}

// expectedAttempts is how many attempts the policy makes given the answers
// the capture gave (D-3..D-5, P-3, P-4, P-6).
func expectedAttempts(p webhook.Policy, as []attemptSummary) int {
	for i, a := range as {
		n := i + 1
		switch {
		case a.clientGone: // the sender's deadline passed: a failure (P-4)
		case a.status >= 200 && a.status < 300:
			return n
		case a.status >= 400 && a.status < 500 && !p.RetryOn4xx:
			return n
		case slices.Contains(p.StopOn, a.status): // SW-10's 410
			return n
		}
		if n >= p.MaxAttempts {
			return n
		}
	}
	// The capture ended while the profile would still retry.
	last := as[len(as)-1]
	if last.clientGone || last.status < 200 || last.status >= 300 {
		return min(p.MaxAttempts, max(len(as)+1, 1))
	}
	return len(as)
}

// sourceDiff checks the source address (D-7, P-7): in header mode
// X-Forwarded-For names a D-7 address (a tunnel may append hops); in bind
// mode the peer is the bound address.
func sourceDiff(p webhook.Policy, regions []webhook.Region, a Record) (rule, want, got string, ok bool) {
	peer, _, err := net.SplitHostPort(a.RemoteAddr)
	if err != nil {
		peer = a.RemoteAddr
	}
	switch p.Source.Mode {
	case webhook.SourceBind:
		return "P-7", p.Source.BindIP.String(), peer, peer == p.Source.BindIP.String()
	case webhook.SourceNone:
		return "", "", "", true
	}
	if len(regions) == 0 {
		regions = []webhook.Region{webhook.RegionUS, webhook.RegionEU}
	}
	known := make([]string, len(regions))
	for i, r := range regions {
		known[i] = r.Address()
	}
	if slices.Contains(known, peer) {
		return "", "", "", true
	}
	xff := a.Header.Values("X-Forwarded-For")
	for _, v := range xff {
		for _, hop := range strings.Split(v, ",") {
			if slices.Contains(known, strings.TrimSpace(hop)) {
				return "", "", "", true
			}
		}
	}
	return "D-7", "X-Forwarded-For or peer " + strings.Join(known, " or "),
		fmt.Sprintf("peer %s, X-Forwarded-For %q", peer, strings.Join(xff, ", ")), false
}

// bodyDiff compares the body's fields and types with the notification the
// profile would send (D-2, D-11, S-4), then its bytes with hookcheck's
// encoding (a note: spacing may differ without harm).
func bodyDiff(key string, a Record) []Difference {
	var out []Difference
	add := func(rule, what, want, got string, exceeds bool) {
		out = append(out, Difference{Rule: rule, Delivery: key, What: what, Want: clipValue(want), Got: clipValue(got), Exceeds: exceeds})
	}
	if a.BodyTruncated {
		add("S-5", "body", "kept whole", fmt.Sprintf("%d bytes, cut by the capture's limit", a.BodyBytes), false)
		return out
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(a.BodyBytesRaw(), &fields); err != nil {
		add("D-2", "body", "a JSON object", "not one: "+err.Error(), true)
		return out
	}
	var want map[string]string // field -> JSON type
	var rule string
	var n webhook.Notification
	switch {
	case has(fields, "session_id"):
		rule, want = "S-4", map[string]string{"session_id": "string", "messages": "array"}
	case has(fields, "redacted_audio_url"):
		rule, want = "D-11", map[string]string{"status": "string", "redacted_audio_url": "string"}
		n = webhook.RedactedAudioReady(str(fields["redacted_audio_url"]))
	default:
		rule, want = "D-2", map[string]string{"transcript_id": "string", "status": "string"}
		n = webhook.Notification{Kind: webhook.KindTranscript, TranscriptID: str(fields["transcript_id"]), Status: str(fields["status"])}
	}
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if _, ok := want[k]; !ok {
			add(rule, "body field "+k, "absent", jsonType(fields[k]), true)
		}
	}
	wnames := make([]string, 0, len(want))
	for k := range want {
		wnames = append(wnames, k)
	}
	sort.Strings(wnames)
	for _, k := range wnames {
		got := "absent"
		if v, ok := fields[k]; ok {
			got = jsonType(v)
		}
		if got != want[k] {
			add(rule, "body field "+k, want[k], got, true)
		}
	}
	if rule == "D-2" {
		if s := str(fields["status"]); s != webhook.StatusCompleted && s != webhook.StatusError {
			add("D-2", "body field status", `"completed" or "error"`, q(s), true)
		}
	}
	if n.Kind != "" && len(out) == 0 {
		if b, _, err := n.Encode(); err == nil && !bytes.Equal(b, a.BodyBytesRaw()) {
			add(rule, "body bytes (hookcheck's encoding)", q(string(b)), q(a.Body), false)
		}
	}
	return out
}

// maxValueBytes bounds a value a Difference repeats (a body, a header).
const maxValueBytes = 1 << 10

// clipValue cuts s to maxValueBytes, on a rune boundary, saying so.
func clipValue(s string) string {
	if len(s) <= maxValueBytes {
		return s
	}
	n := maxValueBytes
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return fmt.Sprintf("%s… (%d bytes)", s[:n], len(s))
}

func has(m map[string]json.RawMessage, k string) bool { _, ok := m[k]; return ok }

func str(v json.RawMessage) string {
	var s string
	_ = json.Unmarshal(v, &s)
	return s
}

// jsonType names the JSON type of a value.
func jsonType(v json.RawMessage) string {
	t := bytes.TrimSpace(v)
	if len(t) == 0 {
		return "absent"
	}
	switch t[0] {
	case '"':
		return "string"
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

func q(s string) string { return fmt.Sprintf("%q", s) }

func qh(h http.Header, name string) string {
	if len(h.Values(name)) == 0 {
		return "absent"
	}
	return q(h.Get(name))
}
