// Package reports holds hookcheck's machine-readable result model: what a
// conformance run found, requirement by requirement and scenario by
// scenario, with every delivery record. It is the one thing the renderers
// (HTML, JUnit XML, Cucumber JSON, Markdown) read; none of them reaches
// back into the engine or the steps.
package reports

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/hookcheck/hookcheck/reports/repro"
	"github.com/hookcheck/hookcheck/simulator/api"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// Schema names the version of the results.json format. v2 made each
// requirement's scenarios a list of ScenarioRef (v1 held internal keys)
// and dropped the scenarios' internal "id". v3 added the partial verdict,
// each requirement's impact and blocked_by, counts.blocked and coverage,
// and the receiver's calls to the emulated API (scenarios' "api_calls",
// environment's "api"). v4 added the API calls still in flight when their
// scenario ended ("in_flight", "waited_ms"), each requirement's
// possibly_same_as, counts.possibly_same, each delivery's probe,
// "checked" (the receiver's jobs the run checked: delivery, fetch,
// processing), the reproductions' body files and API fault commands, the
// session payload's sha256, and the failure mode that chose a failed
// requirement's fix (requirements' "failure_modes", scenarios'
// "failure_mode").
const Schema = "https://hookcheck.dev/schemas/results/v4"

// schemaV3 and schemaV2 are read as well: each later version only added
// fields, so an older file decodes with them empty.
const (
	schemaV3 = "https://hookcheck.dev/schemas/results/v3"
	schemaV2 = "https://hookcheck.dev/schemas/results/v2"
)

// schemaV1 is the format before v2, recognised only to say so.
const schemaV1 = "https://hookcheck.dev/schemas/results/v1"

// Verdict is the run's answer: may this endpoint be registered?
type Verdict string

// The verdicts of a run.
const (
	// Conformant: no MUST requirement failed (and, with --strict, no
	// SHOULD either).
	Conformant Verdict = "conformant"
	// NotConformant: at least one MUST requirement failed.
	NotConformant Verdict = "not_conformant"
	// Incomplete: the run was interrupted or could not check everything.
	Incomplete Verdict = "incomplete"
	// Partial: the selection (tags, --features) left out a built-in
	// requirement that applied, so the run is no conformance verdict;
	// what was selected may still have failed (Result.Pass).
	Partial Verdict = "partial"
)

// Impact is what a failed requirement costs, in the terms a reader acts
// on; the headline of a run names the worst impact that failed.
type Impact string

// The impact classes, worst first.
const (
	// LosesNotifications: real deliveries are not acknowledged, so
	// notifications are retried and lost (or arrive late).
	LosesNotifications Impact = "loses_notifications"
	// Security: forged requests are accepted.
	Security Impact = "security"
	// DuplicatesWork: an event delivered again is processed again, or
	// refused as if it had never arrived (SIG-09); nothing is lost.
	DuplicatesWork Impact = "duplicates_work"
	// WastesRetries: a request AssemblyAI never sends (a malformed probe)
	// gets a 5xx or a timeout, which AssemblyAI would retry 10 times.
	WastesRetries Impact = "wastes_retries"
	// Hygiene: a SHOULD; nothing is lost today.
	Hygiene Impact = "hygiene"
)

// impactRank orders the impact classes, worst first; an unknown impact
// (a user's own requirement) ranks last.
func (i Impact) rank() int {
	switch i {
	case LosesNotifications:
		return 0
	case Security:
		return 1
	case DuplicatesWork:
		return 2
	case WastesRetries:
		return 3
	case Hygiene:
		return 4
	}
	return 5
}

// Level is how binding a requirement is.
type Level string

// The levels of a requirement (RFC 2119).
const (
	Must   Level = "MUST"
	Should Level = "SHOULD"
	// MustShould is a requirement with a MUST part and a SHOULD part (RC-08);
	// FailedLevel then says which part failed.
	MustShould Level = "MUST/SHOULD"
)

// Status is the result of a requirement, scenario or step.
type Status string

// The statuses of a requirement, scenario or step.
const (
	Passed        Status = "passed"
	Failed        Status = "failed"
	NotApplicable Status = "not_applicable" // a precondition the user did not configure
	Skipped       Status = "skipped"        // not run (deselected or interrupted)
)

// Result is a whole run: the contents of results.json.
type Result struct {
	Schema  string  `json:"schema"`
	Verdict Verdict `json:"verdict"`
	Reason  string  `json:"reason,omitempty"` // why incomplete or partial
	// Cut names the scenarios an interrupt or the run's maximum duration
	// stopped or kept from starting: "RC-03 The p95 …".
	Cut    []string `json:"cut,omitempty"`
	Counts Counts   `json:"counts"`
	// Coverage says how much of the built-in catalogue the run checked;
	// a partial run lists what the selection left out.
	Coverage *Coverage `json:"coverage,omitempty"`
	// Checked lists the receiver's jobs the run checked (v4): delivery
	// always, fetch with the emulated API, processing with a verify URL
	// or api-fetch. The verdict speaks for these jobs only.
	Checked      []Job         `json:"checked"`
	Environment  Environment   `json:"environment"`
	Requirements []Requirement `json:"requirements"`
	Scenarios    []Scenario    `json:"scenarios"`
}

// Counts tallies requirements by level and status.
type Counts struct {
	MustPassed    int `json:"must_passed"`
	MustFailed    int `json:"must_failed"`
	ShouldPassed  int `json:"should_passed"`
	ShouldFailed  int `json:"should_failed"`
	NotApplicable int `json:"not_applicable"`
	Skipped       int `json:"skipped"`
	// Blocked counts the failed requirements (MUST or SHOULD, included in
	// the counts above) that failed the same way as their BlockedBy.
	Blocked int `json:"blocked"`
	// PossiblySame counts the failed requirements (included in the counts
	// above) that got their PossiblySameAs's answer to another kind of
	// request: possibly the same cause, still failures with their own fix.
	PossiblySame int `json:"possibly_same"`
}

// Coverage is how much of the built-in requirement catalogue a run
// checked: Checked of Applicable, and the applicable requirements the
// selection (tags, --features) left out.
type Coverage struct {
	Checked    int      `json:"checked"`
	Applicable int      `json:"applicable"`
	LeftOut    []string `json:"left_out"`
}

// Environment is how the run was made: enough to reproduce it.
type Environment struct {
	HookcheckVersion string `json:"hookcheck_version"`
	GoVersion        string `json:"go_version"`
	// Profile is "faithful" (real-time waits) or "accelerated" (--fast).
	Profile string `json:"profile"`
	Target  string `json:"target"` // secrets masked
	// SessionTarget is the webhook URL session webhooks were delivered
	// to (--session-target), secrets masked; empty when they went to
	// Target (or the run checked none).
	SessionTarget   string   `json:"session_target,omitempty"`
	BuiltInReceiver bool     `json:"built_in_receiver"`
	TimeoutMS       float64  `json:"timeout_ms"`
	MaxAttempts     int      `json:"max_attempts"`
	RetryIntervalMS float64  `json:"retry_interval_ms"`
	WaitMS          float64  `json:"wait_ms"` // the actual wait after the profile
	Regions         []string `json:"regions"`
	SourceAddress   string   `json:"source_address"`
	AuthHeaderName  string   `json:"auth_header_name,omitempty"`
	Allowlist       string   `json:"allowlist,omitempty"`
	Burst           int      `json:"burst"`
	Tags            string   `json:"tags,omitempty"`
	Features        string   `json:"features"` // "built-in" or the directory
	Strict          bool     `json:"strict"`
	Seed            int64    `json:"seed"`
	// API is the base URL of the emulated AssemblyAI API the run served
	// (--api); empty when it served none.
	API string `json:"api,omitempty"`
	// Product is what the run checked (--product): pre-recorded,
	// streaming or both.
	Product Product `json:"product,omitempty"`
	// MaxSessionMS is the longest streaming session checked (RC-21,
	// RC-23); zero when the run checked no streaming session.
	MaxSessionMS float64 `json:"max_session_ms,omitempty"`
	// Provider names the provider the run imitated, with its profile's
	// date and sources; nil for AssemblyAI, the default, whose results
	// read as they always have.
	Provider   *ProviderInfo `json:"provider,omitempty"`
	StartedAt  time.Time     `json:"started_at"`
	EndedAt    time.Time     `json:"ended_at"`
	DurationMS float64       `json:"duration_ms"`
}

// ProviderInfo says whose delivery rules a run imitated.
type ProviderInfo struct {
	// Name is the provider, e.g. "standard-webhooks".
	Name string `json:"name"`
	// ProfileDate is the day its profile's values were taken.
	ProfileDate string `json:"profile_date"`
	// Sources are the docs/spec.md rules the profile's values cite.
	Sources []string `json:"sources"`
}

// Requirement is one entry of the requirement catalogue with its result.
type Requirement struct {
	ID          string   `json:"id"`
	Level       Level    `json:"level"`
	Title       string   `json:"title"`
	Why         string   `json:"why"`
	Rules       []string `json:"rules"` // spec ids: D-*, P-*
	Remediation string   `json:"remediation"`
	// Condition is the precondition of a conditional requirement (auth,
	// allowlist, https); empty for unconditional ones.
	Condition string `json:"condition,omitempty"`
	Status    Status `json:"status"`
	// FailedLevel is the level of the failed part, for a failed
	// requirement: its Level, or for a MUST/SHOULD one the part that failed.
	FailedLevel Level `json:"failed_level,omitempty"`
	// Reason explains a failure, not_applicable or skipped in a sentence.
	Reason string `json:"reason,omitempty"`
	// Impact is what a failure of it costs; for a MUST/SHOULD one whose
	// SHOULD part failed, hygiene (EffectiveImpact; Tally writes it here).
	Impact Impact `json:"impact,omitempty"`
	// BlockedBy names the requirement whose failure this one repeats (the
	// same answer to the same kind of request): its failure is not an
	// independent finding and its own fix does not apply. null otherwise.
	BlockedBy *string `json:"blocked_by"`
	// PossiblySameAs names the root requirement (RC-01, RC-20, RC-12)
	// whose answer this one's failing requests got too, though some were
	// of another kind (a redacted-audio notification, a malformed body,
	// another method, a forgery): a server that answers every unhandled
	// error alike makes different bugs look the same. It is still a
	// failure, and its own fix applies once the root's is made. null
	// otherwise; never set together with BlockedBy.
	PossiblySameAs *string `json:"possibly_same_as"`
	// Scenarios point at each scenario that checks it, in run order.
	Scenarios []ScenarioRef `json:"scenarios"`
	// Products are the products whose scenarios check it in this run.
	Products []Product `json:"products,omitempty"`
	// FailureModes are the ways a failed requirement failed ("timeout",
	// "5xx", "fetch-not-retried"): its failed scenarios' FailureMode, the
	// failed level's first. They chose Remediation: each mode's own fix
	// from the catalogue, or the default one. Empty unless failed.
	FailureModes []string `json:"failure_modes,omitempty"`
}

// ScenarioRef points at one scenario the way a reader finds it: the
// feature file, the line and the name. The line is the scenario's, or for
// an outline the example row's, so a ref is unique within a run.
type ScenarioRef struct {
	Feature string `json:"feature"` // the feature file (Scenario.URI)
	Line    int    `json:"line"`
	Name    string `json:"name"`
}

// Scenario is one executed (or skipped) Gherkin scenario.
type Scenario struct {
	Name         string   `json:"name"`
	Feature      string   `json:"feature"`
	URI          string   `json:"uri"`
	Line         int      `json:"line"`
	Tags         []string `json:"tags"`
	Requirements []string `json:"requirements"` // RC-* ids from the tags
	// Product is the webhook the scenario checks: streaming when it is
	// tagged @streaming, pre-recorded otherwise.
	Product    Product   `json:"product,omitempty"`
	Level      Level     `json:"level,omitempty"`
	Status     Status    `json:"status"`
	Reason     string    `json:"reason,omitempty"`
	StartedAt  time.Time `json:"started_at"`
	DurationMS float64   `json:"duration_ms"`
	Steps      []Step    `json:"steps"`
	// Deliveries are the full records of every delivery the scenario made.
	Deliveries []*webhook.Delivery `json:"deliveries"`
	// Chart, when set, asks renderers for a response-time chart: "latency"
	// or "burst".
	Chart string `json:"chart,omitempty"`
	// APICalls are the calls the receiver made to the emulated AssemblyAI
	// API about this scenario's transcripts, oldest first; each names its
	// transcript, which ties it to the delivery that announced it.
	APICalls []api.Call `json:"api_calls,omitempty"`
	// APIFaults are the API's misbehaviours the scenario made on purpose,
	// one per transcript (RC-15, RC-16): what a reproduction recreates.
	APIFaults []repro.APIFault `json:"api_faults,omitempty"`
	// Reproductions, for a failed scenario, repeat each attempt's request:
	// a curl command and the `hookcheck send` command (issue 13).
	Reproductions []repro.Reproduction `json:"reproductions,omitempty"`
	// FailureMode says how a failed scenario failed, where that chooses
	// the fix: its first failed step's answer ("timeout", "5xx", "2xx")
	// or finding ("fetch-not-retried"). Empty otherwise.
	FailureMode string `json:"failure_mode,omitempty"`
}

// Ref is how requirements point at s.
func (s Scenario) Ref() ScenarioRef { return ScenarioRef{Feature: s.URI, Line: s.Line, Name: s.Name} }

// Step is one step of a scenario.
type Step struct {
	Keyword    string  `json:"keyword"`
	Text       string  `json:"text"`
	Line       int     `json:"line"`
	Status     Status  `json:"status"`
	DurationMS float64 `json:"duration_ms"`
	Error      string  `json:"error,omitempty"`
}

// Tally computes Counts and the verdict from the requirements: any failed
// MUST makes the run not conformant; with strict, so does a failed SHOULD.
// interrupted makes it incomplete whatever else happened. It also settles
// each requirement's Impact to its EffectiveImpact, so that results.json
// and the renderers name the same impact, and sets Checked.
func (r *Result) Tally(strict, interrupted bool) {
	var c Counts
	for _, q := range r.Requirements {
		level := q.effectiveLevel()
		switch {
		case q.Status == NotApplicable:
			c.NotApplicable++
		case q.Status == Skipped:
			c.Skipped++
		case level == Must && q.Status == Passed:
			c.MustPassed++
		case level == Must:
			c.MustFailed++
		case q.Status == Passed:
			c.ShouldPassed++
		default:
			c.ShouldFailed++
		}
		if q.Status == Failed && q.BlockedBy != nil {
			c.Blocked++
		}
		if q.Status == Failed && q.PossiblySameAs != nil {
			c.PossiblySame++
		}
	}
	r.Counts = c
	// One impact everywhere: results.json names the impact of the part
	// that failed, as every renderer does (EffectiveImpact).
	for i := range r.Requirements {
		r.Requirements[i].Impact = r.Requirements[i].EffectiveImpact()
	}
	r.Checked = CheckedJobs(r.Requirements)
	switch {
	case interrupted:
		r.Verdict = Incomplete
	case c.MustFailed > 0 || (strict && c.ShouldFailed > 0):
		r.Verdict = NotConformant
	default:
		r.Verdict = Conformant
	}
}

// Pass reports whether the run passes as a CI step: conformant, or partial
// with nothing selected failing (no MUST, and with strict no SHOULD).
func (r *Result) Pass() bool {
	switch r.Verdict {
	case Conformant:
		return true
	case Partial:
		return r.Counts.MustFailed == 0 && (!r.Environment.Strict || r.Counts.ShouldFailed == 0)
	}
	return false
}

// Blocker returns the id q is blocked by, or "".
func (q Requirement) Blocker() string {
	if q.BlockedBy == nil {
		return ""
	}
	return *q.BlockedBy
}

// SameCause returns the id q is possibly the same cause as, or "".
func (q Requirement) SameCause() string {
	if q.PossiblySameAs == nil {
		return ""
	}
	return *q.PossiblySameAs
}

// SameCauseNote says, for a requirement that is possibly the same cause
// as another, what that means to a reader; "" otherwise.
func (q Requirement) SameCauseNote() string {
	by := q.SameCause()
	if by == "" {
		return ""
	}
	return fmt.Sprintf("possibly the same cause as %s: the same answer as %s's delivery, to another kind of request; fix %s first, and if %s still fails, apply its own fix", by, by, by, q.ID)
}

// EffectiveImpact is the impact a failure of q has: its Impact, or hygiene
// when only the SHOULD part of a MUST/SHOULD requirement failed.
func (q Requirement) EffectiveImpact() Impact {
	if q.Status == Failed && q.Level == MustShould && q.FailedLevel == Should {
		return Hygiene
	}
	return q.Impact
}

// FailedMust returns the MUST requirements that failed, in catalogue order.
func (r *Result) FailedMust() []Requirement { return r.failed(Must) }

// FailedShould returns the SHOULD requirements that failed.
func (r *Result) FailedShould() []Requirement { return r.failed(Should) }

// effectiveLevel is the level a requirement counts at: the failed part's
// level when it failed, MUST for a passed MUST/SHOULD requirement.
func (q Requirement) effectiveLevel() Level {
	switch {
	case q.Status == Failed && q.FailedLevel != "":
		return q.FailedLevel
	case q.Level == MustShould:
		return Must
	}
	return q.Level
}

func (r *Result) failed(l Level) []Requirement {
	var out []Requirement
	for _, q := range r.Requirements {
		if q.effectiveLevel() == l && q.Status == Failed {
			out = append(out, q)
		}
	}
	return afterTheirCause(out)
}

// afterTheirCause moves each requirement that is possibly the same cause
// as another in qs right after that one (and the others moved there
// before it), so that its own fix reads after the root's; the rest keep
// their order. One whose cause is not in qs stays where it is.
func afterTheirCause(qs []Requirement) []Requirement {
	in := map[string]bool{}
	for _, q := range qs {
		in[q.ID] = true
	}
	following := map[string][]Requirement{}
	out := make([]Requirement, 0, len(qs))
	for _, q := range qs {
		if by := q.SameCause(); by != "" && by != q.ID && in[by] {
			following[by] = append(following[by], q)
		}
	}
	placed := map[string]bool{}
	var place func(q Requirement)
	place = func(q Requirement) {
		if placed[q.ID] {
			return
		}
		placed[q.ID] = true
		out = append(out, q)
		for _, f := range following[q.ID] {
			place(f)
		}
	}
	for _, q := range qs {
		if by := q.SameCause(); by != "" && by != q.ID && in[by] {
			continue
		}
		place(q)
	}
	// A cycle (only in a hand-made file) keeps its members in order.
	for _, q := range qs {
		place(q)
	}
	return out
}

// Write encodes r as indented JSON.
func (r *Result) Write(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("encode results: %w", err)
	}
	return nil
}

// Read decodes a results.json, checking its schema first: a file of
// another version is refused by name rather than by whichever of its
// fields fails to decode. The decoded result must pass Validate.
func Read(rd io.Reader) (*Result, error) {
	data, err := io.ReadAll(rd)
	if err != nil {
		return nil, fmt.Errorf("read results: %w", err)
	}
	var head struct {
		Schema string `json:"schema"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("decode results: %w", err)
	}
	switch head.Schema {
	case Schema, schemaV3, schemaV2:
	case schemaV1:
		return nil, errors.New("results schema v1 is from an older hookcheck; re-run `hookcheck run` to write v2")
	default:
		return nil, fmt.Errorf("results schema %q is not %q", head.Schema, Schema)
	}
	var r Result
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("decode results: %w", err)
	}
	// A file is input: check what the renderers rely on before any of
	// them runs (a null delivery crashed the HTML report).
	if err := r.Validate(); err != nil {
		return nil, fmt.Errorf("invalid results: %w", err)
	}
	return &r, nil
}

// ReadFile reads a results.json file.
func ReadFile(path string) (*Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

// CallsFor returns the API calls of s that concern d's transcript: those
// naming its transcript_id, or for a redacted-audio notification (which
// has none, D-11) the transcript whose audio URL it announced.
func (s Scenario) CallsFor(d *webhook.Delivery) []api.Call {
	var out []api.Call
	for _, c := range s.APICalls {
		switch {
		case c.TranscriptID == "":
		case d.Notification.TranscriptID != "" && c.TranscriptID == d.Notification.TranscriptID,
			d.Notification.TranscriptID == "" && d.Notification.RedactedAudioURL != "" &&
				strings.Contains(d.Notification.RedactedAudioURL, c.TranscriptID):
			out = append(out, c)
		}
	}
	return out
}

// DescribeCall says what a call did, for a reader: "GET
// /v2/transcript/ID: 200 after 12 ms", or for a call still in flight when
// its scenario ended "GET /v2/transcript/ID: no answer yet, still waiting
// after 10 s (in flight when the scenario ended)".
func DescribeCall(c api.Call) string {
	key := ""
	if !c.Authorized {
		key = ", without a valid API key"
	}
	if c.InFlight {
		return fmt.Sprintf("%s %s: no answer yet, still waiting after %s (in flight when the scenario ended)%s",
			c.Method, c.Path, FormatDuration(time.Duration(c.WaitedMS*float64(time.Millisecond))), key)
	}
	status := "no answer (the client went away)"
	if c.Status != 0 {
		status = strconv.Itoa(c.Status)
	}
	return fmt.Sprintf("%s %s: %s after %s%s", c.Method, c.Path, status,
		FormatDuration(time.Duration(c.DurationMS*float64(time.Millisecond))), key)
}
