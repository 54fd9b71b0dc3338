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
	"path"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/cucumber/godog"
	messages "github.com/cucumber/messages/go/v34"

	"github.com/hookcheck/hookcheck/features"
	"github.com/hookcheck/hookcheck/internal/stats"
	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/simulator/webhook"
	"github.com/hookcheck/hookcheck/steps"
)

// DefaultConcurrency is how many scenarios run at once, apart from the
// @serial ones (burst and latency), which run alone afterwards.
const DefaultConcurrency = 8

// builtInDir is where the built-in features live in the repository.
const builtInDir = "features/receiver"

// serialTag marks scenarios that must not run beside others.
const serialTag = "@serial"

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
	// replayed; zero runs them in file order. It is recorded in the report.
	Seed int64
	// OnScenario is called as each scenario ends (from its goroutine,
	// serialised), e.g. for a progress line.
	OnScenario func(reports.Scenario)
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
	// uriPrefix makes a scenario's URI a path a reader can open: the
	// built-in features' directory in the repository.
	uriPrefix string
}

// Prepare checks everything that can be checked without touching the
// receiver. Its errors are *SetupError.
func Prepare(cfg Config) (*Prepared, error) {
	uriPrefix := ""
	if cfg.Features == nil {
		sub, err := fs.Sub(features.Receiver, path.Base(builtInDir))
		if err != nil {
			return nil, err
		}
		cfg.Features, cfg.FeaturesName, uriPrefix = sub, "built-in", builtInDir+"/"
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	filter, err := parseTags(cfg.Tags)
	if err != nil {
		return nil, setupErr(err)
	}
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
			return nil, setupErr(fmt.Errorf("no scenario matches --tags %q (%d scenarios in %s)", cfg.Tags, len(planned), cfg.FeaturesName))
		}
		return nil, setupErr(fmt.Errorf("no scenario found in %s", cfg.FeaturesName))
	}
	if err := undefinedSteps(p.selected, cfg.Conformance.Definitions()); err != nil {
		return nil, setupErr(err)
	}
	p.catalog, err = features.Requirements()
	if err != nil {
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
	rec := &recorder{planned: map[string]plannedScenario{}, done: map[string]reports.Scenario{}, onScenario: p.cfg.OnScenario,
		uriPrefix: p.uriPrefix}
	for _, sc := range p.planned {
		rec.planned[sc.key] = sc
	}
	// Scenarios that may overlap run first, concurrently; then the serial
	// ones (burst, latency) one at a time, so nothing skews their timings.
	passes := []struct {
		filter      tagFilter
		concurrency int
	}{
		{p.filter.And("~" + serialTag), p.cfg.Concurrency},
		{p.filter.And(serialTag), 1},
	}
	for _, pass := range passes {
		if ctx.Err() != nil || !p.any(pass.filter) {
			continue
		}
		p.runPass(ctx, rec, pass.filter, pass.concurrency)
	}
	res := &reports.Result{Schema: reports.Schema, Environment: p.environment(started)}
	res.Scenarios = rec.results(p.selected)
	res.Requirements = requirementResults(p.catalog, res.Scenarios)
	interrupted := ctx.Err() != nil
	res.Tally(p.cfg.Strict, interrupted)
	c := res.Counts
	switch {
	case interrupted:
		res.Reason = "the run was interrupted before every scenario ended: " + context.Cause(ctx).Error()
	case c.MustPassed+c.MustFailed+c.ShouldPassed+c.ShouldFailed == 0:
		// A run that checked nothing must not read as a pass.
		res.Verdict = reports.Incomplete
		res.Reason = "no requirement was checked: every selected scenario was not applicable or did not run"
	}
	return res
}

func (p *Prepared) any(f tagFilter) bool {
	for _, sc := range p.selected {
		if f.Match(sc.tags) {
			return true
		}
	}
	return false
}

func (p *Prepared) runPass(ctx context.Context, rec *recorder, filter tagFilter, concurrency int) {
	conf := p.cfg.Conformance
	suite := godog.TestSuite{
		Name: "hookcheck",
		ScenarioInitializer: func(sc *godog.ScenarioContext) {
			conf.RegisterSteps(sc)
			rec.hook(sc)
		},
		Options: &godog.Options{
			Format: "progress", Output: io.Discard, NoColors: true, Strict: true,
			FS: p.cfg.Features, Paths: []string{"."}, Tags: filter.String(),
			Concurrency: concurrency, DefaultContext: ctx, Randomize: p.cfg.Seed,
		},
	}
	suite.Run() // the recorder has every result; godog's status adds nothing
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
		Seed: p.cfg.Seed, API: c.APIURL, StartedAt: started, EndedAt: ended, DurationMS: stats.Milliseconds(ended.Sub(started)),
	}
	if pol.Pace == webhook.Accelerated {
		env.Profile = "accelerated"
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
}

// running is one scenario in progress; only its own goroutine touches it.
type running struct {
	key       string // the planned scenario's scenarioKey
	scenario  reports.Scenario
	stepStart time.Time
	next      int // index of the next step to fill
}

type runKey struct{}

func (r *recorder) hook(sc *godog.ScenarioContext) {
	sc.Before(func(ctx context.Context, pk *godog.Scenario) (context.Context, error) {
		s, key := r.newScenario(pk)
		run := &running{key: key, scenario: s}
		return context.WithValue(ctx, runKey{}, run), nil
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
		if err != nil && !errors.Is(err, godog.ErrSkip) {
			step.Error = err.Error()
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
		s := finish(run.scenario, ev)
		if ctx.Err() != nil && s.Status != reports.Passed {
			// Stopped by an interrupt: what it found is not a verdict.
			s.Status, s.Reason = reports.Skipped, "interrupted: "+context.Cause(ctx).Error()
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

// newScenario starts the record of pk and returns it with the key of its
// planned scenario.
func (r *recorder) newScenario(pk *godog.Scenario) (reports.Scenario, string) {
	var texts []string
	for _, st := range pk.Steps {
		texts = append(texts, st.Text)
	}
	key := scenarioKey(pk.Uri, pk.Name, texts)
	pl, ok := r.planned[key]
	s := reports.Scenario{Name: pk.Name, URI: r.uriPrefix + pk.Uri, Feature: featureName(pk.Uri), StartedAt: time.Now()}
	if ok {
		s.Line, s.Feature = pl.line, pl.feat
	}
	for _, t := range pk.Tags {
		s.Tags = append(s.Tags, t.Name)
		switch {
		case strings.HasPrefix(t.Name, "@RC-"):
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
			Tags: pl.tags, Status: reports.Skipped, Reason: "not run: the run was interrupted"}
		for _, t := range pl.tags {
			if strings.HasPrefix(t, "@RC-") {
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
