package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/hookcheck/hookcheck/internal/secret"
	"github.com/hookcheck/hookcheck/simulator/capture"
	"github.com/hookcheck/hookcheck/simulator/profiles"
	"github.com/hookcheck/hookcheck/simulator/provider"
	"github.com/hookcheck/hookcheck/simulator/signing"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

type diffFlags struct {
	policy     policyFlags
	authName   string
	webhookURL string
	tolerance  time.Duration
	json       bool
	update     string
}

func newDiffCmd(a *app) *cobra.Command {
	var f diffFlags
	cmd := &cobra.Command{
		Use:   "diff CAPTURE",
		Short: "Compare captured deliveries with what hookcheck's profile would send",
		Long: `diff compares each delivery of a capture file (from 'hookcheck capture') with
what hookcheck would send for the same notification under its profile and
flags: the D-12 headers (User-Agent, Accept, Accept-Encoding, Content-Type),
the auth header's presence (D-8), the body's fields and types (D-2, D-11,
S-4), the attempt count given the answers (D-4, D-5), the waits between
attempts (P-2, within --tolerance), the source address (D-7, P-7: an
address of --region, both by default) and the query string byte for byte
(D-9). Each difference names its spec rule.

Give the same pace as the sender: --fast for a capture of 'send --fast'.

The file is read record by record. A request whose body was cut short
(incomplete), a torn line (a write cut short, e.g. by a full disk) and a line
over ` + lineLimit + ` are skipped, each with a warning naming its line.

--provider standard-webhooks|stripe|github compares with that provider's
profile instead: its method and Content-Type, its signature headers (present,
well formed, timestamped at the arrival; a Standard Webhooks retry with its
own timestamp), a retry's body byte for byte and path and query as the first
attempt's (the first differing offset is shown, never a body), the deadline
when the sender left before the answer (answered by capture or forwarded),
the attempt count given its stop-on and 4xx rules, and each
wait with its schedule's wait for that attempt (or the answer's Retry-After
where it honours it). With $HOOKCHECK_SIGNING_SECRET set, every captured
signature is verified with it and each attempt says whether it verifies.
--update-profile then writes a profile of that provider's format.

Exit code: 0 no difference beyond tolerance, 1 some difference, 2 usage error.`,
		Example: `  hookcheck diff capture.jsonl
  hookcheck diff capture.jsonl --fast --auth-header-name X-Webhook-Secret \
      --webhook-url 'https://example.com/hook?customer_id=1234'
  hookcheck diff capture.jsonl --region eu   # every delivery must come from AssemblyAI's EU address`,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error { return runDiff(a, &f, args[0]) },
	}
	fs := cmd.Flags()
	fs.StringVar(&f.authName, "auth-header-name", "", "auth header every attempt must carry (D-8); its value is masked in captures")
	fs.StringVar(&f.webhookURL, "webhook-url", "", "the webhook_url as submitted: its query must arrive byte for byte (D-9)")
	fs.DurationVar(&f.tolerance, "tolerance", 0, "how far a wait may be off (default 10% of the wait + 20ms)")
	fs.BoolVar(&f.json, "json", false, "print the differences as JSON")
	fs.StringVar(&f.update, "update-profile", "", "write the observed values as a profile FILE that send, run and serve-api take with --profile")
	f.policy.register(fs, policyFlagSet{source: true, compare: true})
	registerProvider(fs, &f.policy.provider)
	return cmd
}

func runDiff(a *app, f *diffFlags, path string) error {
	p, err := f.policy.policy(a.getenv)
	if err != nil {
		return err
	}
	rules, err := diffProvider(a, f)
	if err != nil {
		return err
	}
	warn, done := captureWarner(a.err, path)
	if f.update != "" && rules != nil {
		ds, err := readCapture(a.err, path)
		if err != nil {
			return err
		}
		if err := writeProviderProfile(f.update, path, ds, *rules, p, time.Now()); err != nil {
			return err
		}
		fmt.Fprintf(a.err, "hookcheck: wrote the observed profile to %s\n", f.update)
		warn = nil // said once
	} else if f.update != "" {
		ds, err := readCapture(a.err, path)
		if err != nil {
			return err
		}
		if err := writeProfile(f.update, path, capture.Observe(ds, p), time.Now()); err != nil {
			return err
		}
		fmt.Fprintf(a.err, "hookcheck: wrote the observed profile to %s\n", f.update)
		warn = nil // said once
	}
	e := capture.Expect{Policy: p, AuthHeaderName: f.authName, WebhookURL: f.webhookURL, Tolerance: f.tolerance,
		Regions: f.policy.regions(), Provider: rules}
	// The file is read record by record: memory grows with the number of
	// requests, not with their bodies.
	df := capture.NewDiffer(e)
	n, err := scanCapture(path, capture.ReadOptions{Warn: warn}, func(_ int, r capture.Record) error { df.Add(r); return nil })
	done()
	if err != nil {
		return err
	}
	if n == 0 {
		return usagef("%s: no request captured", path)
	}
	ds := df.Result()
	out := console{a.out}
	var all []capture.Difference
	exceeds := 0
	for _, d := range ds {
		diffs := d.Differences
		all = append(all, diffs...)
		for _, x := range diffs {
			if x.Exceeds {
				exceeds++
			}
		}
		if !f.json {
			fmt.Fprintf(out, "delivery %s: %d attempt(s)\n", orNone(d.Key), d.Attempts)
			for _, x := range diffs {
				fmt.Fprintf(out, "  %s\n", x)
			}
		}
	}
	if f.json {
		if all == nil {
			all = []capture.Difference{}
		}
		enc := json.NewEncoder(a.out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(all); err != nil {
			return fmt.Errorf("write differences: %w", err)
		}
	} else {
		fmt.Fprintf(out, "%d deliveries, %d difference(s) beyond tolerance\n", len(ds), exceeds)
	}
	if exceeds > 0 {
		return exitError{exitFailed}
	}
	return nil
}

func orNone(key string) string {
	if key == "" {
		return "(no transcript_id/session_id)"
	}
	return key
}

// writeProfile writes the policy observed in capturePath as a profile. A
// value outside a profile's bounds (a hostile or broken capture: 200,000
// attempts, a 2,562,047 h wait, a header value with CR/LF) is refused, not
// clamped: a clamped value would not be what was observed, and the file
// would pass for an observation. Nothing is written then (exit 2).
func writeProfile(out, capturePath string, p webhook.Policy, now time.Time) error {
	if p.Pace == webhook.Accelerated {
		p.Pace = webhook.RealTime // Observe scaled the waits back
	}
	source := fmt.Sprintf("observed in %s by hookcheck diff on %s; what a capture cannot show (deadline, redirects, body limit) is the compared profile's",
		filepath.Base(capturePath), now.UTC().Format(time.DateOnly))
	pr := webhook.ProfileFromPolicy(p, "observed", now.UTC().Format(time.DateOnly), source)
	pr.About = "Delivery rules observed in a capture of real deliveries."
	return saveProfile(out, capturePath, pr)
}

// saveProfile checks the observed profile pr and writes it to out; a
// value outside a profile's bounds is refused and nothing is written.
func saveProfile(out, capturePath string, pr profiles.Profile) error {
	if err := pr.Check(); err != nil {
		return usagef("--update-profile: %s holds a value no profile may: observed %v; %s not written", capturePath, err, out)
	}
	b, err := pr.Marshal()
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, b, 0o644); err != nil { //nolint:gosec // a profile holds no secret
		return usagef("--update-profile: %v", err)
	}
	return nil
}

// diffProvider reads --provider and $HOOKCHECK_SIGNING_SECRET: nil for
// AssemblyAI, whose comparison is as it always was.
func diffProvider(a *app, f *diffFlags) (*capture.ProviderRules, error) {
	pr, err := provider.Lookup(f.policy.provider)
	if err != nil {
		return nil, usagef("--provider: %v", err)
	}
	if pr.IsDefault() {
		return nil, nil
	}
	rules := &capture.ProviderRules{Name: pr.Name, Profile: pr.Profile, Signing: pr.Signing}
	key := a.getenv(envSigningSecret)
	if key == "" || pr.Signing == "" {
		return rules, nil
	}
	v, err := signing.NewVerifier(pr.Signing, signing.VerifyOptions{Secrets: []secret.Secret{secret.Secret(key)}})
	if err != nil {
		// The verifier's error names the format, never the value.
		return nil, usagef("--provider %s ($%s): %v", pr.Name, envSigningSecret, err)
	}
	rules.Verifier = v
	return rules, nil
}

// writeProviderProfile writes the profile of rules' provider observed in
// capturePath, in that provider's format; a value outside a profile's
// bounds is refused, as writeProfile refuses it.
func writeProviderProfile(out, capturePath string, ds []capture.Delivery, rules capture.ProviderRules, p webhook.Policy, now time.Time) error {
	source := fmt.Sprintf("observed in %s by hookcheck diff on %s; what a capture cannot show is %s's profile",
		filepath.Base(capturePath), now.UTC().Format(time.DateOnly), rules.Name)
	pr := capture.ObserveProfile(ds, rules, p, source)
	pr.Profile, pr.Date = "observed-"+rules.Name, now.UTC().Format(time.DateOnly)
	pr.About = "Delivery rules of " + rules.Name + " observed in a capture of real deliveries."
	return saveProfile(out, capturePath, pr)
}

// lineLimit states capture.DefaultMaxLineBytes in the help.
var lineLimit = fmt.Sprintf("%d MiB", capture.DefaultMaxLineBytes>>20)

// maxWarnings bounds the skipped-line warnings printed for one file.
const maxWarnings = 20

// captureWarner prints each line a read of path skipped to w, the first
// maxWarnings of them, and returns a function that prints how many more.
func captureWarner(w io.Writer, path string) (warn func(int, string), done func()) {
	n := 0
	w = console{w}
	warn = func(line int, why string) {
		n++
		if n <= maxWarnings {
			fmt.Fprintf(w, "hookcheck: warning: %s line %d: %s\n", path, line, why)
		}
	}
	done = func() {
		if n > maxWarnings {
			fmt.Fprintf(w, "hookcheck: warning: %s: %d more line(s) skipped\n", path, n-maxWarnings)
		}
	}
	return warn, done
}

// readCapture reads a capture file's deliveries, warning on w of each
// line skipped; a missing, malformed or empty file is the user's mistake
// (exit 2).
func readCapture(w io.Writer, path string) ([]capture.Delivery, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, usagef("%v", err)
	}
	defer file.Close()
	warn, done := captureWarner(w, path)
	ds, err := capture.ReadWith(file, capture.ReadOptions{Warn: warn})
	done()
	if err != nil {
		return nil, usagef("%s: %v", path, err)
	}
	if len(ds) == 0 {
		return nil, usagef("%s: no request captured", path)
	}
	return ds, nil
}
