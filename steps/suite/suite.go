// Package suite runs Gherkin feature files with hookcheck's step library
// against a receiver and turns what happened into a reports.Result: the
// requirement verdicts, every scenario with its steps, and every delivery.
package suite

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cucumber/godog"
	messages "github.com/cucumber/messages/go/v34"

	"github.com/hookcheck/hookcheck/features"
	"github.com/hookcheck/hookcheck/internal/stats"
	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/reports/repro"
	"github.com/hookcheck/hookcheck/simulator/provider"
	"github.com/hookcheck/hookcheck/simulator/webhook"
	"github.com/hookcheck/hookcheck/steps"
)

// DefaultConcurrency is how many scenarios run at once, apart from the
// @serial ones (burst and latency), which run alone afterwards.
const DefaultConcurrency = 8

// DefaultMaxDuration bounds a run unless Config.MaxDuration says
// otherwise. A delivery stops at its first failed attempt and RC-03 once
// its p95 is decided, so the built-in suite against a receiver that never
// answers ends in about two minutes even in real time; ten minutes leaves
// room for a slow but answering receiver and still fits a CI job.
const DefaultMaxDuration = 10 * time.Minute

// builtInDir is where the built-in features live in the repository: one
// directory per product (receiver/, streaming/).
const builtInDir = "features"

// serialTag marks scenarios that must not run beside others.
const serialTag = "@serial"

// longTag marks scenarios that take long by design, such as a redelivery
// one retry interval (10 s, P-2) after the first delivery: they start
// first in their pass, so that a real-time run lasts about as long as its
// longest mandated wait instead of that wait plus whatever ran before it.
const longTag = "@long"

// finalTag marks scenarios that read what the whole run did (RC-18): they
// run alone, after every other.
const finalTag = "@final"

// isolatedTag marks scenarios that fault AssemblyAI's API or hold the
// receiver busy on purpose (RC-15, RC-16, RC-19): they run in a phase of
// their own, one at a time with nothing else in flight, each followed by
// steps.Settle. A receiver that a slow fetch stalls (a blocking call in an
// event loop, one worker) would otherwise time out on whatever ran beside
// them, and the verdict would depend on what did (issue 17).
const isolatedTag = "@isolated"

// Config is one run of the suite.
type Config struct {
	// Conformance is the receiver under test and the delivery policy.
	Conformance steps.Conformance
	// Features holds the .feature files; nil means the built-in suite.
	Features fs.FS
	// FeaturesName names Features in the report ("built-in" or a path).
	FeaturesName string
	// Tags selects scenarios (godog syntax, see tagFilter).
	Tags string
	// Strict makes failed SHOULD requirements fail the run too.
	Strict bool
	// Concurrency bounds scenarios at once; zero means DefaultConcurrency.
	Concurrency int
	// Version is hookcheck's version for the report.
	Version string
	// BuiltInReceiver says the target is hookcheck's own reference
	// receiver, started for this run.
	BuiltInReceiver bool
	// AllowlistName describes the allowlist setting for the report.
	AllowlistName string
	// Seed shuffles the order in which scenarios start (within each pass),
	// so that an order that exposes a receiver's concurrency bug can be
	// replayed; zero runs them in file order. Either way the feature files
	// with a @long scenario start first (see startOrder). It is recorded in
	// the report.
	Seed int64
	// OnScenario is called as each scenario ends (from its goroutine,
	// serialised), e.g. for a progress line.
	OnScenario func(reports.Scenario)
	// MaxDuration bounds the run: past it, the scenarios still running are
	// stopped, the rest are not started, and the result is incomplete.
	// Zero means DefaultMaxDuration, negative no bound.
	MaxDuration time.Duration
	// Secrets are the values no output may hold (the auth header's value,
	// the target's user information, an API key): each scenario is masked
	// by value (webhook.Redactor) before OnScenario sees it or the result
	// holds it.
	Secrets []string
	// Provider is the provider whose suite runs (its feature folder,
	// unless Features replaces it) and whose requirements the catalogue
	// holds; the zero value is AssemblyAI.
	Provider provider.Provider
	// Product selects the scenarios of a product by their tags (a
	// streaming one is tagged @streaming); zero means reports.PreRecorded.
	Product reports.Product
	// BodyBudget is the run's memory guard: the answer body bytes all
	// its deliveries may keep (webhook.BodyBudget); past it the run stops
	// and is incomplete, naming the guard. Zero means
	// webhook.DefaultBodyBudget. Conformance.Options.BodyBudget, when
	// set, is used instead.
	BodyBudget int64
	// Rerun, when set, restricts the run to these scenarios of an earlier
	// run (reports.Result.FailedScenarios), matched by feature URI and
	// line; one not among the selected scenarios is a *SetupError. The
	// verdict is then always partial.
	Rerun []reports.ScenarioRef
	// RerunOf names where Rerun came from (the earlier results.json), for
	// the partial verdict's reason.
	RerunOf string
}

// DeadlineError is why a run that reached its MaxDuration stopped.
type DeadlineError struct {
	Max time.Duration
	// Vocabulary names the setting: --max-duration or Target.MaxDuration.
	Vocabulary steps.Vocabulary
}

func (e *DeadlineError) Error() string {
	return fmt.Sprintf("the run reached its maximum duration of %s (%s)", stats.FormatDuration(e.Max),
		e.Vocabulary.Say("--max-duration", "Target.MaxDuration"))
}

// SetupError is a problem with the user's input found before anything ran:
// a syntax error, an undefined step, a tag expression that is malformed or
// selects nothing. The CLI exits 2 for it.
type SetupError struct{ Err error }

func (e *SetupError) Error() string { return e.Err.Error() }
func (e *SetupError) Unwrap() error { return e.Err }

func setupErr(err error) error { return &SetupError{Err: err} }

// Prepared is a suite ready to run: features parsed, steps checked, the
// selection counted.
type Prepared struct {
	cfg      Config
	planned  []plannedScenario
	selected []plannedScenario
	filter   tagFilter
	catalog  []reports.Requirement
	fixes    map[string]map[string]string // requirement id -> failure mode -> fix
	// uriPrefix makes a scenario's URI a path a reader can open: the
	// built-in features' directory in the repository.
	uriPrefix string
}

// Prepare checks everything that can be checked without touching the
// receiver. Its errors are *SetupError.
func Prepare(cfg Config) (*Prepared, error) {
	uriPrefix := ""
	if cfg.Provider.Name == "" {
		cfg.Provider = provider.Default()
	}
	if cfg.Features == nil {
		cfg.Features, cfg.FeaturesName, uriPrefix = cfg.Provider.Features, "built-in", builtInDir+"/"
	}
	if cfg.Product == "" {
		cfg.Product = reports.PreRecorded
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	filter, err := parseTags(cfg.Tags)
	if err != nil {
		return nil, setupErr(err)
	}
	filter = filter.forProduct(cfg.Product)
	planned, err := load(cfg.Features)
	if err != nil {
		return nil, setupErr(err)
	}
	p := &Prepared{cfg: cfg, planned: planned, filter: filter, uriPrefix: uriPrefix}
	for _, sc := range planned {
		if filter.Match(sc.tags) {
			p.selected = append(p.selected, sc)
		}
	}
	if len(p.selected) == 0 {
		if cfg.Tags != "" {
			return nil, setupErr(fmt.Errorf("no scenario matches %s %q (%d scenarios in %s)%s", cfg.Conformance.Vocabulary.Say("--tags", "Target.Tags"),
				cfg.Tags, len(planned), cfg.FeaturesName, productNote(cfg.Product, cfg.Conformance.Vocabulary)))
		}
		if cfg.Product != reports.PreRecorded {
			return nil, setupErr(fmt.Errorf("no scenario found in %s%s", cfg.FeaturesName, productNote(cfg.Product, cfg.Conformance.Vocabulary)))
		}
		return nil, setupErr(fmt.Errorf("no scenario found in %s", cfg.FeaturesName))
	}
	if len(cfg.Rerun) > 0 {
		if err := p.rerun(cfg.Rerun); err != nil {
			return nil, setupErr(err)
		}
	}
	if err := undefinedSteps(p.selected, cfg.Conformance.Definitions()); err != nil {
		return nil, setupErr(err)
	}
	if p.catalog, err = catalogFor(cfg.Provider.Name, planned); err != nil {
		return nil, err
	}
	p.catalog = forProduct(p.catalog, planned, cfg.Product)
	if p.fixes, err = features.RemediationsFor(cfg.Provider.Name); err != nil {
		return nil, err
	}
	return p, nil
}

// Selected is the number of scenarios the run will execute.
func (p *Prepared) Selected() int { return len(p.selected) }

// Run executes the suite. It always returns a Result, also when ctx ends
// early: then the verdict is incomplete and what did not run is skipped.
func (p *Prepared) Run(ctx context.Context) *reports.Result {
	started := time.Now()
	if d := p.cfg.MaxDuration; d >= 0 {
		if d == 0 {
			d = DefaultMaxDuration
		}
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, d, &DeadlineError{Max: d, Vocabulary: p.cfg.Conformance.Vocabulary})
		defer cancel()
	}
	conf := p.cfg.Conformance
	if conf.Options.BodyBudget == nil {
		// The memory guard: a receiver that answers every attempt with
		// an endless body stops the run, which then writes its files,
		// instead of filling the memory until the run is killed.
		var cancel context.CancelCauseFunc
		ctx, cancel = context.WithCancelCause(ctx)
		defer cancel(nil)
		conf.Options.BodyBudget = webhook.NewBodyBudget(p.cfg.BodyBudget, cancel)
	}
	redact := webhook.NewRedactor(p.cfg.Secrets...)
	rec := &recorder{planned: map[string]plannedScenario{}, done: map[string]reports.Scenario{}, onScenario: p.cfg.OnScenario,
		uriPrefix: p.uriPrefix, redact: redact}
	if len(p.cfg.Rerun) > 0 {
		rec.only = map[string]bool{}
		for _, sc := range p.selected {
			rec.only[sc.key] = true
		}
	}
	for _, sc := range p.planned {
		rec.planned[sc.key] = sc
	}
	// Scenarios that may overlap run concurrently; beside them, the
	// isolated ones, one at a time, each alone with the receiver (the
	// others idle or done: steps.Gate) and settled before the next, so
	// that the stall they may provoke reaches no other scenario; then the
	// serial ones (burst, latency) one at a time, so nothing skews their
	// timings; RC-18, which reads the whole run, last.
	shared := p.filter.And("~" + serialTag).And("~" + isolatedTag).And("~" + finalTag)
	isolated := p.filter.And(isolatedTag).And("~" + finalTag)
	conf.Ledger = steps.NewLedger() // this run's acknowledgements, for RC-18
	conf.Gate = steps.NewGate(p.count(shared))
	var wg sync.WaitGroup
	for _, pass := range []struct {
		filter      tagFilter
		concurrency int
	}{{shared, p.cfg.Concurrency}, {isolated, 1}} {
		if p.any(pass.filter) {
			wg.Go(func() { p.runPass(ctx, rec, conf, pass.filter, pass.concurrency) })
		}
	}
	wg.Wait()
	conf.Gate = nil // the serial and final passes run alone anyway
	for _, filter := range []tagFilter{
		p.filter.And(serialTag).And("~" + isolatedTag).And("~" + finalTag),
		p.filter.And(finalTag),
	} {
		if ctx.Err() != nil || !p.any(filter) {
			continue
		}
		p.runPass(ctx, rec, conf, filter, 1)
	}
	res := &reports.Result{Schema: reports.Schema, Environment: p.environment(started)}
	res.Scenarios = rec.results(p.selected)
	res.Requirements = requirementResults(p.catalog, res.Scenarios)
	chooseFixes(res.Requirements, res.Scenarios, p.fixes)
	refineImpact(res.Requirements, res.Scenarios)
	attributeRootCause(res.Requirements, res.Scenarios)
	markProducts(res.Requirements, res.Scenarios)
	interrupted := ctx.Err() != nil
	res.Tally(p.cfg.Strict, interrupted)
	res.Coverage = p.coverage(res.Requirements)
	c := res.Counts
	switch {
	case interrupted:
		res.Reason = "the run was interrupted before every scenario ended: " + context.Cause(ctx).Error()
		if res.Cut = cutScenarios(res.Scenarios); len(res.Cut) > 0 {
			res.Reason += fmt.Sprintf("; %d of %d scenarios cut", len(res.Cut), len(res.Scenarios))
		}
	case c.MustPassed+c.MustFailed+c.ShouldPassed+c.ShouldFailed == 0:
		// A run that checked nothing must not read as a pass.
		res.Verdict = reports.Incomplete
		res.Reason = "no requirement was checked: every selected scenario was not applicable or did not run"
	case len(res.Coverage.LeftOut) > 0:
		// A subset that passes says nothing about what it left out.
		res.Verdict = reports.Partial
		res.Reason = fmt.Sprintf("the selection left out %s, which applied to this run", strings.Join(res.Coverage.LeftOut, ", "))
	}
	if len(p.cfg.Rerun) > 0 && res.Verdict != reports.Incomplete {
		// A rerun that passes says nothing about what passed before and
		// was not run again: never a conformance verdict.
		res.Verdict = reports.Partial
		res.Reason = reports.RerunReason(len(p.selected), p.cfg.RerunOf)
	}
	return res.Redacted(redact)
}

// coverage counts the built-in requirements the run checked against those
// that applied: a requirement no selected scenario checks is left out
// unless its precondition (auth, allowlist, https) was not configured, in
// which case it would not have applied anyway.
func (p *Prepared) coverage(reqs []reports.Requirement) *reports.Coverage {
	cov := &reports.Coverage{LeftOut: []string{}}
	builtIn := map[string]bool{}
	for _, q := range p.catalog {
		builtIn[q.ID] = true
	}
	for _, q := range reqs {
		if !builtIn[q.ID] {
			continue
		}
		switch {
		case q.Status == reports.Passed || q.Status == reports.Failed:
			cov.Checked++
			cov.Applicable++
		case q.Status == reports.Skipped && len(q.Scenarios) == 0 && p.applies(q.Condition):
			cov.Applicable++
			cov.LeftOut = append(cov.LeftOut, q.ID)
		}
	}
	return cov
}

// applies reports whether a requirement with this precondition would
// apply to the run as configured.
func (p *Prepared) applies(condition string) bool {
	c := p.cfg.Conformance
	switch condition {
	case "":
		return true
	case "auth":
		return c.Policy.Auth != nil
	case "allowlist":
		return c.Allowlist
	case "https":
		https := strings.HasPrefix(c.Target, "https://") || strings.HasPrefix(c.SessionTarget, "https://")
		return https && !c.Policy.InsecureSkipVerify
	case "verify":
		return c.Verify != nil
	case "signed":
		return c.Policy.Signing != nil
	}
	return false
}

// cutScenarios names the scenarios an interrupt stopped or kept from
// starting: "RC-03 The p95 acknowledgement time …".
func cutScenarios(scenarios []reports.Scenario) []string {
	var out []string
	for _, s := range scenarios {
		interrupted := strings.HasPrefix(s.Reason, "interrupted") || strings.HasPrefix(s.Reason, "not run: the run was interrupted")
		if s.Status != reports.Skipped || !interrupted {
			continue
		}
		out = append(out, strings.TrimSpace(strings.Join(s.Requirements, ",")+" "+s.Name))
	}
	return out
}

// count is how many selected scenarios f matches.
func (p *Prepared) count(f tagFilter) int {
	n := 0
	for _, sc := range p.selected {
		if f.Match(sc.tags) {
			n++
		}
	}
	return n
}

func (p *Prepared) any(f tagFilter) bool {
	for _, sc := range p.selected {
		if f.Match(sc.tags) {
			return true
		}
	}
	return false
}

func (p *Prepared) runPass(ctx context.Context, rec *recorder, conf steps.Conformance, filter tagFilter, concurrency int) {
	suite := godog.TestSuite{
		Name: "hookcheck",
		ScenarioInitializer: func(sc *godog.ScenarioContext) {
			conf.RegisterSteps(sc)
			rec.hook(sc)
		},
		Options: &godog.Options{
			Format: "progress", Output: io.Discard, NoColors: true, Strict: true,
			FS: p.cfg.Features, Paths: p.startOrder(filter), Tags: filter.String(),
			Concurrency: concurrency, DefaultContext: ctx, Randomize: p.cfg.Seed,
		},
	}
	suite.Run() // the recorder has every result; godog's status adds nothing
}

// startOrder lists the feature files holding the pass's scenarios in the
// order their scenarios start. godog starts the files in the order of its
// Paths, filling its concurrency slots as they free, and shuffles only the
// scenarios within a file (by the same seed). So the files are put in two
// classes, those with a @long scenario first, then the others; within a
// class they keep file order with a zero seed, else a shuffle by the seed,
// so that a seed replays the same order. A long scenario then starts at
// once instead of waiting for a slot, and the pass lasts about as long as
// its longest scenario.
func (p *Prepared) startOrder(filter tagFilter) []string {
	var long, other []string
	seen := map[string]bool{}
	isLong := map[string]bool{}
	for _, sc := range p.selected {
		if !filter.Match(sc.tags) {
			continue
		}
		if slices.Contains(sc.tags, longTag) {
			isLong[sc.uri] = true
		}
		if !seen[sc.uri] {
			seen[sc.uri] = true
			other = append(other, sc.uri) // p.selected is in file order
		}
	}
	other = slices.DeleteFunc(other, func(uri string) bool {
		if isLong[uri] {
			long = append(long, uri)
			return true
		}
		return false
	})
	if p.cfg.Seed != 0 {
		// Not for security: a replayable order. One source for both
		// classes, so the seed alone determines the whole order.
		r := rand.New(rand.NewPCG(uint64(p.cfg.Seed), 0)) //nolint:gosec // G404: a reproducible shuffle, not a secret
		r.Shuffle(len(long), func(i, j int) { long[i], long[j] = long[j], long[i] })
		r.Shuffle(len(other), func(i, j int) { other[i], other[j] = other[j], other[i] })
	}
	return append(long, other...)
}

func (p *Prepared) environment(started time.Time) reports.Environment {
	c := p.cfg.Conformance
	pol := c.Policy
	ended := time.Now()
	env := reports.Environment{
		HookcheckVersion: p.cfg.Version, GoVersion: runtime.Version(),
		Profile: "faithful", Target: webhook.RedactTarget(c.Target), BuiltInReceiver: p.cfg.BuiltInReceiver,
		TimeoutMS: stats.Milliseconds(pol.Timeout), MaxAttempts: pol.MaxAttempts, RetryIntervalMS: stats.Milliseconds(pol.RetryInterval),
		WaitMS: stats.Milliseconds(pol.Wait()), SourceAddress: pol.Source.String(), Allowlist: p.cfg.AllowlistName,
		Burst: c.Burst, Tags: p.cfg.Tags, Features: p.cfg.FeaturesName, Strict: p.cfg.Strict,
		Seed: p.cfg.Seed, API: c.APIURL, Product: p.cfg.Product, StartedAt: started, EndedAt: ended, DurationMS: stats.Milliseconds(ended.Sub(started)),
	}
	if c.SessionTarget != "" {
		env.SessionTarget = webhook.RedactTarget(c.SessionTarget)
	}
	if pr := p.cfg.Provider; !pr.IsDefault() {
		env.Provider = &reports.ProviderInfo{Name: pr.Name, ProfileDate: pr.Profile.Date, Sources: pr.Sources()}
	}
	if pol.Pace == webhook.Accelerated {
		env.Profile = "accelerated"
	}
	if p.cfg.Product.Includes(reports.Streaming) {
		env.MaxSessionMS = stats.Milliseconds(c.MaxSessionDuration)
		if c.MaxSessionDuration == 0 {
			env.MaxSessionMS = stats.Milliseconds(webhook.MaxSessionDuration)
		}
	}
	if env.Burst == 0 {
		env.Burst = steps.DefaultBurst
	}
	for _, r := range c.Regions {
		env.Regions = append(env.Regions, string(r))
	}
	if len(env.Regions) == 0 {
		env.Regions = []string{string(pol.Region)}
	}
	if pol.Auth != nil {
		env.AuthHeaderName = pol.Auth.Name
	}
	return env
}

// recorder collects scenario results from godog's hooks. Hooks of
// concurrent scenarios run in their own goroutines, so it locks.
type recorder struct {
	mu         sync.Mutex
	planned    map[string]plannedScenario
	done       map[string]reports.Scenario
	onScenario func(reports.Scenario)
	uriPrefix  string
	redact     *webhook.Redactor
	// only, when set, holds the keys of the scenarios a rerun runs; godog
	// skips the others of their files before they touch the gate.
	only map[string]bool
}

// running is one scenario in progress; only its own goroutine touches it.
type running struct {
	key       string // the planned scenario's scenarioKey
	scenario  reports.Scenario
	stepStart time.Time
	next      int  // index of the next step to fill
	isolated  bool // tagged isolatedTag: settled as it ends
	// cut says the run ended while the scenario waited at the gate: it
	// never began, so its steps are recorded as skipped, as those of a
	// scenario the interrupt kept from starting, not as failed by the
	// hook (which of the two a scenario meets depends on scheduling).
	cut bool
}

type runKey struct{}

func (r *recorder) hook(sc *godog.ScenarioContext) {
	sc.Before(func(ctx context.Context, pk *godog.Scenario) (context.Context, error) {
		if r.only != nil && !r.only[pickleKey(pk)] {
			return ctx, godog.ErrSkip // not rerun: never recorded, never gated
		}
		isolated := hasTag(pk, isolatedTag)
		// Wait for the receiver first, so that the scenario's time is its
		// own: alone for an isolated one, shared for the others of the
		// concurrent pass (a nil gate, in the later passes, never waits).
		// An error is the run's end: the scenario is recorded as cut.
		gateErr := steps.EnterGate(ctx, isolated)
		s, key := r.newScenario(pk)
		run := &running{key: key, scenario: s, isolated: isolated, cut: gateErr != nil}
		return context.WithValue(ctx, runKey{}, run), gateErr
	})
	sc.StepContext().Before(func(ctx context.Context, _ *godog.Step) (context.Context, error) {
		if run, ok := ctx.Value(runKey{}).(*running); ok {
			run.stepStart = time.Now()
		}
		return ctx, nil
	})
	sc.StepContext().After(func(ctx context.Context, st *godog.Step, status godog.StepResultStatus, err error) (context.Context, error) {
		run, ok := ctx.Value(runKey{}).(*running)
		if !ok {
			return ctx, nil
		}
		step := reports.Step{Keyword: keyword(st), Text: st.Text, Status: stepStatus(status)}
		if !run.stepStart.IsZero() {
			step.DurationMS = stats.Milliseconds(time.Since(run.stepStart))
		}
		if run.cut {
			step.Status, err = reports.Skipped, nil
		}
		if err != nil && !errors.Is(err, godog.ErrSkip) {
			step.Error = err.Error()
			if run.scenario.FailureMode == "" {
				run.scenario.FailureMode = steps.FailureMode(err) // chooses the fix
			}
		}
		if status == godog.StepUndefined {
			step.Error = "undefined step"
		}
		// Steps end in order: fill the next planned step with this text.
		for i := run.next; i < len(run.scenario.Steps); i++ {
			if s := &run.scenario.Steps[i]; s.Text == st.Text {
				step.Keyword, step.Line = s.Keyword, s.Line
				*s = step
				run.next = i + 1
				return ctx, nil
			}
		}
		run.scenario.Steps = append(run.scenario.Steps, step)
		return ctx, nil
	})
	sc.After(func(ctx context.Context, _ *godog.Scenario, _ error) (context.Context, error) {
		run, ok := ctx.Value(runKey{}).(*running)
		if !ok {
			return ctx, nil
		}
		ev, _ := steps.EvidenceFrom(ctx)
		if run.isolated {
			steps.Settle(ctx) // after the evidence: a fetch still held is part of it
		}
		steps.LeaveGate(ctx)
		s := finish(run.scenario, ev).Redacted(r.redact)
		if ctx.Err() != nil && s.Status != reports.Passed {
			// Stopped by an interrupt: what it found is not a verdict.
			s.Status, s.Reason = reports.Skipped, "interrupted: "+context.Cause(ctx).Error()
			s.Reproductions = nil // no failure to reproduce: it was cut
			s.FailureMode = ""
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		r.done[run.key] = s
		if r.onScenario != nil {
			r.onScenario(s) // under the lock: progress lines never interleave
		}
		return ctx, nil
	})
}

// hasTag reports whether pk is tagged tag.
func hasTag(pk *godog.Scenario, tag string) bool {
	for _, t := range pk.Tags {
		if t.Name == tag {
			return true
		}
	}
	return false
}

// newScenario starts the record of pk and returns it with the key of its
// planned scenario.
// pickleKey is pk's scenarioKey.
func pickleKey(pk *godog.Scenario) string {
	var texts []string
	for _, st := range pk.Steps {
		texts = append(texts, st.Text)
	}
	return scenarioKey(pk.Uri, pk.Name, texts)
}

func (r *recorder) newScenario(pk *godog.Scenario) (reports.Scenario, string) {
	key := pickleKey(pk)
	pl, ok := r.planned[key]
	s := reports.Scenario{Name: pk.Name, URI: r.uriPrefix + pk.Uri, Feature: featureName(pk.Uri), StartedAt: time.Now(),
		Product: reports.PreRecorded}
	if ok {
		s.Line, s.Feature = pl.line, pl.feat
	}
	for _, t := range pk.Tags {
		s.Tags = append(s.Tags, t.Name)
		switch {
		case t.Name == steps.StreamingTag:
			s.Product = reports.Streaming
		case isRequirementTag(t.Name):
			s.Requirements = append(s.Requirements, strings.TrimPrefix(t.Name, "@"))
		case t.Name == "@must":
			s.Level = reports.Must
		case t.Name == "@should" && s.Level == "":
			s.Level = reports.Should
		}
	}
	for i, st := range pk.Steps {
		step := reports.Step{Text: st.Text, Keyword: keyword(st)}
		if ok && i < len(pl.steps) {
			step.Keyword, step.Line = pl.steps[i].keyword, pl.steps[i].line
		}
		s.Steps = append(s.Steps, step)
	}
	return s, key
}

// finish sets a scenario's status from its steps and evidence.
func finish(s reports.Scenario, ev steps.Evidence) reports.Scenario {
	s.DurationMS = stats.Milliseconds(time.Since(s.StartedAt))
	s.Deliveries, s.Chart, s.APICalls = ev.Deliveries, ev.Chart, ev.APICalls
	for _, f := range ev.APIFaults {
		s.APIFaults = append(s.APIFaults, repro.FaultOf(f.TranscriptID, f.API, f.Fault))
	}
	s.Status = reports.Passed
	for i := range s.Steps {
		st := &s.Steps[i]
		if st.Status == "" {
			st.Status = reports.Skipped
		}
		switch {
		case st.Status == reports.Failed:
			s.Status = reports.Failed
			if s.Reason == "" {
				s.Reason = st.Error
			}
		case st.Status == reports.Skipped && s.Status == reports.Passed:
			s.Status = reports.Skipped
		}
	}
	if s.Status != reports.Failed && ev.NotApplicable != "" {
		s.Status, s.Reason = reports.NotApplicable, ev.NotApplicable
	}
	if s.Status == reports.Skipped && s.Reason == "" {
		s.Reason = "not run"
	}
	if s.Status != reports.Failed {
		s.FailureMode = ""
	}
	s.Reproductions = reports.ReproductionsFor(s) // issue 13: failures only
	return s
}

// results returns one Scenario per selected scenario, in file order; those
// that never ran (interrupted) are skipped.
func (r *recorder) results(selected []plannedScenario) []reports.Scenario {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]reports.Scenario, 0, len(selected))
	for _, pl := range selected {
		if s, ok := r.done[pl.key]; ok {
			out = append(out, s)
			continue
		}
		s := reports.Scenario{Name: pl.name, URI: r.uriPrefix + pl.uri, Feature: pl.feat, Line: pl.line,
			Tags: pl.tags, Status: reports.Skipped, Reason: "not run: the run was interrupted", Product: productOf(pl.tags)}
		for _, t := range pl.tags {
			if isRequirementTag(t) {
				s.Requirements = append(s.Requirements, strings.TrimPrefix(t, "@"))
			}
		}
		for _, st := range pl.steps {
			s.Steps = append(s.Steps, reports.Step{Keyword: st.keyword, Text: st.text, Line: st.line, Status: reports.Skipped})
		}
		out = append(out, s)
	}
	return out
}

func keyword(st *godog.Step) string {
	switch st.Type {
	case messages.PickleStepType_CONTEXT:
		return "Given"
	case messages.PickleStepType_ACTION:
		return "When"
	case messages.PickleStepType_OUTCOME:
		return "Then"
	}
	return "*"
}

func stepStatus(s godog.StepResultStatus) reports.Status {
	switch s {
	case godog.StepPassed:
		return reports.Passed
	case godog.StepSkipped:
		return reports.Skipped
	}
	return reports.Failed // failed, undefined, pending, ambiguous
}
