package receiver

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// Params are a behaviour's numeric options; a zero field takes the
// behaviour's default, and behaviours ignore fields they do not use.
type Params struct {
	// Status is the status of status and fail-first (default 500).
	Status int
	// FailFirst is how many requests fail-first fails (default 3).
	FailFirst int
	// Delay is the wait of delay (default none) and slow-ack (default 3 s).
	Delay time.Duration
	// Limit is the concurrency rate-limited allows (default 10).
	Limit int
	// Location is where redirect points (default the request's own URL).
	Location string
}

// Behaviour is a named receiver, compliant or deliberately broken.
type Behaviour struct {
	// Name is how the CLI and the conformance suite refer to it.
	Name string
	// Description says in one line what it does.
	Description string
	// Violates names the rule or requirement it breaks; empty for
	// compliant.
	Violates string
	// New builds the handler. It records into cfg.Inbox.
	New func(cfg Config, p Params) http.Handler
	// NeedsAPI says the behaviour's flaw is in how it fetches transcripts
	// from Config.API: without an API it fetches nothing and answers as
	// the compliant receiver does.
	NeedsAPI bool
}

// ErrUnknownBehaviour is wrapped by Lookup's error for an unknown name.
var ErrUnknownBehaviour = errors.New("unknown receiver behaviour")

// Behaviours returns every HTTP-level behaviour: compliant first, then the
// blunt ones for the delivery engine, then the one-flaw receivers for the
// conformance suite. (Socket-level ones, such as a reset or bytes that are
// not HTTP, are hostile.Kinds.) The blunt ones ignore Path, auth and allowlist: they are the
// receiver a delivery-engine test points at, whatever it sends. The slice is
// new on each call.
//
// They receive AssemblyAI's notifications; the receivers of other
// providers are in ProviderBehaviours, and Lookup finds both.
func Behaviours() []Behaviour {
	return []Behaviour{
		{"compliant", "answers every delivery correctly", "",
			func(c Config, _ Params) http.Handler { return NewCompliant(c) }, false},

		{"status", "always answers Params.Status (default 500)", "D-3: never a 2xx", newStatus, false},
		{"fail-first", "answers Params.Status (default 500) to the first Params.FailFirst (default 3) requests, then 200", "D-3 until it recovers", newFailFirst, false},
		{"delay", "waits Params.Delay, then answers 200", "D-3 when the delay reaches 10 s", newDelay, false},
		{"hang", "reads the request, then never answers", "D-3: no answer within 10 s", newHang, false},
		{"redirect", "answers 302 to Params.Location (default its own URL, a loop)", "D-3: a 3xx is not a 2xx (P-3)", newRedirect, false},

		flawed("error-500-on-error-status", "answers 500 to status \"error\" notifications", "RC-02 (D-2, D-4)", flawError500OnErrorStatus),
		flawed("slow-ack", "answers 200 only after Params.Delay (default 3 s)", "RC-03 (p95 ≤ 2 s, D-3)", flawSlowAck),
		flawed("conflict-on-redelivery", "answers 409 to a transcript_id or session_id it has seen", "RC-04, RC-22 (D-4, D-5, S-3)", flawConflictOnRedelivery),
		flawed("rejects-query-params", "answers 400 when the URL has a query string", "RC-05 (D-9)", flawRejectsQueryParams),
		flawed("strict-fields", "answers 400 to a transcript notification with fields beyond transcript_id and status", "RC-06 (D-2)", flawStrictFields),
		flawed("crash-on-redacted-audio", "answers 500 to the redacted-audio notification", "RC-07 (D-11)", flawCrashOnRedactedAudio),
		flawed("accepts-malformed", "answers 200 to an invalid, empty or id-less body", "RC-08 SHOULD (D-5)", flawAcceptsMalformed),
		flawed("crash-on-malformed", "answers 500 to an invalid, empty or id-less body", "RC-08 MUST (D-4, D-5)", flawCrashOnMalformed),
		flawed("accepts-forged-auth", "never checks the auth header (shows only with Config.AuthHeaderName)", "RC-09 (D-8)", flawAcceptsForgedAuth),
		flawed("auth-500", "answers 500 instead of 401/403 to a missing or wrong auth header", "RC-09 (D-8, D-4)", flawAuth500),
		flawed("no-allowlist", "accepts any source address (shows only with Config.Allowlist)", "RC-10 (D-7)", flawNoAllowlist),
		flawed("crash-without-xff", "answers 500 when X-Forwarded-For is missing", "RC-10 (D-7, P-7)", flawCrashWithoutXFF),
		{"us-only-allowlist", "allows only the US source address (header mode unless Config.Allowlist says socket)", "RC-10 (D-7)", newUSOnly, false},
		flawed("rate-limited", "answers 429 when more than Params.Limit (default 10) requests are in progress", "RC-11 (P-6)", flawRateLimited),
		flawed("redirects", "answers 307 to its own URL instead of acknowledging", "RC-12 (P-3)", flawRedirects),
		flawed("accepts-any-method", "answers 200 to GET, PUT and every other method", "RC-13 (D-1)", flawAcceptsAnyMethod),
		fetching("fetch-before-ack", "with Config.API: fetches the transcript before answering, and answers 500 when the fetch fails", "RC-15 (D-3)", flawFetchBeforeAck),
		fetching("passes-api-status", "with Config.API: fetches the transcript before answering and answers the API's own error status (a 429 stays a 429)", "RC-16 (D-5, P-6)", flawPassesAPIStatus),
		fetching("never-fetches", "with Config.API: acknowledges and never fetches the transcript", "RC-17", flawNeverFetches),
		fetching("fetches-completed-only", "with Config.API: acknowledges, then fetches only \"completed\" transcripts, never an \"error\" one", "RC-17 SHOULD (D-2)", flawFetchesCompletedOnly),
		fetching("fetch-no-retry", "with Config.API: acknowledges, then fetches the transcript once in the background and never retries a failed fetch", "RC-16 (D-3, P-6)", flawFetchNoRetry),
		flawed("generic-500", "answers every unhandled error with the same 500 body, as uvicorn does: a failed fetch before answering (always without Config.API), invalid JSON, a body without transcript_id (the redacted-audio notification, a session webhook)", "RC-07, RC-08, RC-15 (D-11, D-5, D-3); RC-01 without Config.API", flawGeneric500),
		fetching("single-thread-fetch", "with Config.API: serves one request at a time and fetches the transcript before answering, as an event loop blocked by a synchronous fetch does", "RC-15, RC-19 (D-3)", flawSingleThreadFetch),
		fetching("fetch-wrong-key", "with Config.API: fetches the transcript with a wrong API key (gets 401)", "RC-17 (A-1)", flawFetchWrongKey),
		// Streaming sessions (S-5): body limits as frameworks set them by
		// default, and the receivers that cannot read a session webhook.
		{"body-limit-100kb", "answers 413 to a body over 100 KB, the default of Express's express.json()", "RC-21 (S-5, D-5)", newBodyLimit(100 << 10), false},
		{"body-limit-1mb", "answers 413 to a body over 1 MB, the default of Next.js API routes and nginx", "RC-21 (S-5, D-5)", newBodyLimit(1 << 20), false},
		flawed("requires-transcript-id", "reads transcript_id and answers 500 to a body without it (a session webhook, the redacted-audio notification)", "RC-20, RC-07 (S-4, D-11)", flawRequiresTranscriptID),
		flawed("slow-parse", "takes a second per MiB of body before answering (a 3-hour session: about 2.5 s)", "RC-23 (S-5, D-3)", flawSlowParse),
		{"wrong-path", "serves only /webhook-v2, so deliveries to the registered path get 404", "D-5: every notification is lost", newWrongPath, false},
		// Under load (hookcheck load): a pool of Params.Limit (default 4)
		// workers, Params.Delay (default 100 ms) of work per request, so a
		// capacity of 40 a second, and what each does past it.
		{"pool-queue", "Params.Limit workers (default 4), Params.Delay of work each (default 100 ms); past its capacity requests queue without limit: latency climbs, then timeouts", "D-3 past its capacity: retries multiply the load (D-4)", newPoolQueue, false},
		{"shed-429", "Params.Limit requests at once (default 4), Params.Delay each (default 100 ms); answers 429 to the rest at once", "RC-11 (D-5, P-6): every 429 loses a notification", newShed429, false},
		{"pool-dry-500", "Params.Limit database connections (default 4), held Params.Delay per request (default 100 ms); a request that gets none within 1 s answers 500", "D-3 past its capacity: 500s that AssemblyAI retries (D-4) amplify the load", newPoolDry500, false},
		{"queue-first", "records each notification in a queue and answers 200 at once; Params.Limit workers (default 4) take Params.Delay each (default 100 ms) off the request path", "", newQueueFirst, false},
	}
}

// Lookup returns the behaviour called name.
func Lookup(name string) (Behaviour, error) {
	all := append(Behaviours(), ProviderBehaviours("")...)
	names := make([]string, len(all))
	for i, b := range all {
		if b.Name == name {
			return b, nil
		}
		names[i] = b.Name
	}
	return Behaviour{}, fmt.Errorf("%w %q (valid: %s)", ErrUnknownBehaviour, name, strings.Join(names, ", "))
}

// flawed is a Behaviour that is the compliant receiver with flaw f.
func flawed(name, description, violates string, f flaw) Behaviour {
	return Behaviour{Name: name, Description: description, Violates: violates, New: func(c Config, p Params) http.Handler {
		return newReceiver(c, p, f)
	}}
}

// fetching is flawed for a flaw in how the receiver fetches transcripts
// from Config.API: it needs one to show.
func fetching(name, description, violates string, f flaw) Behaviour {
	b := flawed(name, description, violates, f)
	b.NeedsAPI = true
	return b
}

// wrongPath is where wrong-path serves instead of the registered path.
const wrongPath = "/webhook-v2"

// newWrongPath is the compliant receiver moved to wrongPath.
func newWrongPath(cfg Config, p Params) http.Handler {
	cfg.Path = wrongPath
	return newReceiver(cfg, p, flawNone)
}

// newBodyLimit returns the compliant receiver with a body limit of n
// bytes: a framework's default that a session webhook outgrows (S-5).
func newBodyLimit(n int64) func(Config, Params) http.Handler {
	return func(cfg Config, p Params) http.Handler {
		cfg.MaxBodyBytes = n
		return newReceiver(cfg, p, flawNone)
	}
}

// newUSOnly is the compliant receiver whose allowlist has only the US
// address, the mistake of a team that forgot the EU region (D-7).
func newUSOnly(cfg Config, p Params) http.Handler {
	list := Allowlist{Mode: AllowlistHeader}
	if cfg.Allowlist != nil && cfg.Allowlist.Mode != "" {
		list.Mode = cfg.Allowlist.Mode
	}
	list.Allowed = AssemblyAIAddresses(webhook.RegionUS)
	cfg.Allowlist = &list
	return newReceiver(cfg, p, flawNone)
}
