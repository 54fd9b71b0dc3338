package htmlreport

import (
	"fmt"
	"html/template"
	"slices"
	"strings"
	"time"

	"github.com/hookcheck/hookcheck/internal/stats"
	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// page is everything the templates show.
type page struct {
	Result       *reports.Result
	CSS          template.CSS
	Target       string
	Started      string
	Verdict      string // CSS class: conformant, not_conformant, incomplete
	MustFixes    []fixRow
	ShouldFixes  []fixRow
	Requirements []requirementRow
	Features     []feature
	Scenarios    map[reports.Status]int
	Deliveries   int
	Environment  []field
	// Sender is whose webhooks the run checked ("AssemblyAI", or the
	// provider's name), and RuleIDs the spec ids its rules cite.
	Sender, RuleIDs string
}

type requirementRow struct {
	reports.Requirement
	Checks []link
	// Route is where its deliveries went, in a run with a session route.
	Route string
}

// fixRow is a failed requirement in "What must change", with what its
// failure costs in the words of the run's provider.
type fixRow struct {
	reports.Requirement
	ImpactText string
}

func fixRows(r *reports.Result, qs []reports.Requirement) []fixRow {
	out := make([]fixRow, len(qs))
	for i, q := range qs {
		out[i] = fixRow{Requirement: q, ImpactText: r.ImpactWordsOf(q)}
	}
	return out
}

type link struct{ Anchor, Text string }

type feature struct {
	Name          string
	Scenarios     []*scenario
	Passed        int
	Failed        int
	NotApplicable int
	Skipped       int
}

type field struct{ Name, Value string }

func newPage(r *reports.Result, o Options) (*page, error) {
	css, err := files.ReadFile("templates/style.css")
	if err != nil {
		return nil, fmt.Errorf("read report stylesheet: %w", err)
	}
	r = r.Masked()
	p := &page{
		Result: r, CSS: template.CSS(css), //nolint:gosec // G203: our own embedded stylesheet, not input
		Target: maskURL(r.Environment.Target), Verdict: string(r.Verdict),
		Sender: "AssemblyAI", RuleIDs: "D-*, P-*",
		MustFixes: fixRows(r, r.FailedMust()), ShouldFixes: fixRows(r, r.FailedShould()), Scenarios: r.ScenarioCounts(),
		Deliveries: r.DeliveryCount(), Started: stamp(r.Environment.StartedAt),
	}
	if p.Verdict == "" {
		p.Verdict = string(reports.Incomplete)
	}
	if pr := r.Environment.Provider; pr != nil {
		p.Sender, p.RuleIDs = pr.Name, "SW-*, ST-*, GH-*, PS-*"
	}
	anchors := map[reports.ScenarioRef]string{}
	for i, sc := range r.Scenarios {
		anchors[sc.Ref()] = anchor(i)
	}
	for _, q := range r.Requirements {
		row := requirementRow{Requirement: q, Route: r.Route(q)}
		for _, ref := range q.Scenarios {
			row.Checks = append(row.Checks, link{Anchor: anchors[ref], Text: ref.Name})
		}
		p.Requirements = append(p.Requirements, row)
	}
	p.Features = features(r, o)
	p.Environment = environment(r.Environment)
	return p, nil
}

func features(r *reports.Result, o Options) []feature {
	index := map[string]int{}
	var out []feature
	budget := budget{perScenario: o.FullPerScenario, total: o.FullTotal}
	for i := range r.Scenarios {
		sc := &r.Scenarios[i]
		fi, ok := index[sc.Feature]
		if !ok {
			fi = len(out)
			index[sc.Feature] = fi
			out = append(out, feature{Name: sc.Feature})
		}
		f := &out[fi]
		f.Scenarios = append(f.Scenarios, newScenario(r, sc, anchor(i), o, &budget))
		switch sc.Status {
		case reports.Passed:
			f.Passed++
		case reports.Failed:
			f.Failed++
		case reports.NotApplicable:
			f.NotApplicable++
		default:
			f.Skipped++
		}
	}
	return out
}

// budget counts the deliveries shown in full so far.
type budget struct{ perScenario, total, used int }

func (b *budget) take(nth int) bool {
	if nth >= b.perScenario || b.used >= b.total {
		return false
	}
	b.used++
	return true
}

func environment(e reports.Environment) []field {
	profile := e.Profile
	switch e.Profile {
	case "faithful":
		sender := "AssemblyAI"
		if e.Provider != nil {
			sender = e.Provider.Name
		}
		profile = "faithful (real-time waits, as " + sender + ")"
	case "accelerated":
		profile = "accelerated (--fast: waits shortened, deadline unchanged)"
	}
	auth := "none"
	if e.AuthHeaderName != "" {
		auth = e.AuthHeaderName + ": " + webhook.Mask
	}
	fs := []field{
		{"Target", maskURL(e.Target)},
		{"Profile", profile},
		{"Deadline per attempt", reports.FormatMS(e.TimeoutMS)},
		{"Attempts per delivery", fmt.Sprint(e.MaxAttempts)},
		{"Wait between attempts", fmt.Sprintf("%s (policy %s)", reports.FormatMS(e.WaitMS), reports.FormatMS(e.RetryIntervalMS))},
		{"Regions", strings.Join(e.Regions, ", ")},
		{"Source address", e.SourceAddress},
		{"Auth header", auth},
		{"Allowlist", orNone(e.Allowlist)},
		{"Burst size", fmt.Sprint(e.Burst)},
		{"Tags", orNone(e.Tags)},
		{"Features", e.Features},
		{"Strict", fmt.Sprint(e.Strict)},
		{"Started", stamp(e.StartedAt)},
		{"Ended", stamp(e.EndedAt)},
		{"Duration", reports.FormatMS(e.DurationMS)},
		{"hookcheck version", e.HookcheckVersion},
		{"Go version", e.GoVersion},
		{"Seed", fmt.Sprint(e.Seed)},
	}
	if e.BuiltInReceiver {
		fs[0].Value += " (built-in reference receiver)"
	}
	if pr := e.Provider; pr != nil {
		// Another provider's run: whose rules, as of when, from where.
		fs = slices.Insert(fs, 1, field{"Provider", fmt.Sprintf("%s (profile of %s; docs/spec.md %s)",
			pr.Name, pr.ProfileDate, strings.Join(pr.Sources, ", "))})
	}
	if e.SessionTarget != "" {
		fs[0].Value += " (transcript notifications)"
		fs = slices.Insert(fs, 1, field{"Session target", maskURL(e.SessionTarget) + " (session webhooks)"})
	}
	if e.Product != "" {
		product := string(e.Product)
		if e.MaxSessionMS > 0 {
			product += ", longest session " + stats.FormatLength(time.Duration(e.MaxSessionMS*float64(time.Millisecond)))
		}
		fs = append(fs, field{"Product", product})
	}
	return fs
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// anchor is the fragment identifier of the i-th scenario. Scenario ids are
// not used: they are free text and could spell anything, "http" included.
func anchor(i int) string { return fmt.Sprintf("sc-%d", i+1) }

// maskURL masks a password left in a URL (defence in depth: the model
// masks it already).
func maskURL(raw string) string { return webhook.RedactTarget(raw) }
