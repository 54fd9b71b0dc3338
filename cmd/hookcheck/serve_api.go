package main

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/hookcheck/hookcheck/reports/repro"
	"github.com/hookcheck/hookcheck/simulator/api"
	"github.com/hookcheck/hookcheck/simulator/inspect"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// envAPIKey lets CI pass the emulated API's key without the command line.
const envAPIKey = "HOOKCHECK_API_KEY" //nolint:gosec // G101: the name of a variable, not a credential

type serveAPIFlags struct {
	policy          policyFlags
	listen          string
	apiKey          string
	processingDelay time.Duration
	maxUploadBytes  int64
	baseURL         string
	grace           time.Duration
	maxTranscripts  int
	maxStoreBytes   int64
	// Transcripts that exist from the start, and the faults of their
	// fetches: how a reproduction recreates RC-15's and RC-16's API.
	seeds  []string
	faults []string
	ui     uiFlags
}

func newServeAPICmd(a *app) *cobra.Command {
	var f serveAPIFlags
	cmd := &cobra.Command{
		Use:   "serve-api",
		Short: "Serve an emulated AssemblyAI transcript API that delivers real webhooks",
		Long: `serve-api is a local stand-in for the part of AssemblyAI's v2 API that concerns
webhooks: POST /v2/upload, POST/GET/DELETE /v2/transcript, GET /v2/transcript
(list). Each transcript moves queued → processing → completed (or error) and
its webhook is delivered with the same engine and policy as 'hookcheck send'.
Point AssemblyAI's SDKs at it with their base-URL option.

Magic audio_url query values: hookcheck=error ends the transcript in status
error; hookcheck=delay:5s overrides --processing-delay for it.

--seed-transcript ID[:error] makes a finished transcript exist from the start,
so a receiver notified about it by 'hookcheck send --transcript-id ID' finds
it; --fault ID:SPEC makes that transcript's GET misbehave (and seeds it,
completed, if it is not): SPEC is key=value pairs joined by commas, status
(400..599), times (GETs that misbehave before the recovery), delay (each
misbehaving answer held back), retry-after (with status) and for. This is how
the reproductions of 'hookcheck run' recreate a slow (RC-15) or failing
(RC-16) API.
Every delivery and its attempts: GET /hookcheck/v1/deliveries[?transcript_id=ID].
See docs/serve-api.md.`,
		Example: `  HOOKCHECK_API_KEY=test hookcheck serve-api --listen 127.0.0.1:8080 --processing-delay 200ms --fast
  hookcheck serve-api --listen 127.0.0.1:8090 --fault 9f27cf46-73aa-4d95-9d1d-15dbf241625e:status=500,times=2
  hookcheck serve-api --listen 127.0.0.1:8090 --fault 9f27cf46-73aa-4d95-9d1d-15dbf241625e:delay=15s --seed-transcript 2177c104-fd7c-47bc-a91e-ec5024d2213c`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runServeAPI(cmd.Context(), a, &f) },
	}
	fs := cmd.Flags()
	fs.StringVar(&f.listen, "listen", "127.0.0.1:8080", "address to serve on")
	fs.StringVar(&f.apiKey, "api-key", "", "API key clients must send (A-1); prefer env "+envAPIKey+"; unset accepts any non-empty key")
	fs.DurationVar(&f.processingDelay, "processing-delay", api.DefaultProcessingDelay, "time from queued to completed or error")
	fs.Int64Var(&f.maxUploadBytes, "max-upload-bytes", api.DefaultMaxUploadBytes, "largest accepted upload")
	fs.IntVar(&f.maxTranscripts, "max-transcripts", api.DefaultMaxTranscripts, "transcripts kept in memory; the oldest is evicted first (the list's page_details count them)")
	fs.Int64Var(&f.maxStoreBytes, "max-store-bytes", api.DefaultMaxStoreBytes, "bytes the kept transcripts may account for; the oldest is evicted first (the list's page_details say so)")
	fs.StringVar(&f.baseURL, "base-url", "", "prefix of upload_url and resource_url (default from each request's Host)")
	fs.DurationVar(&f.grace, "grace", 30*time.Second, "on Ctrl-C, how long pending deliveries may finish before they are recorded as cancelled (a second Ctrl-C ends it at once); what was not delivered is counted and its ids written to a file")
	fs.StringArrayVar(&f.seeds, "seed-transcript", nil, "make a finished transcript exist from the start: ID (completed) or ID:error; repeatable")
	fs.StringArrayVar(&f.faults, "fault", nil, "make a transcript's GET misbehave: ID:status=500,times=2 or ID:delay=15s (keys status, times, delay, retry-after, for); seeds ID if needed; repeatable")
	f.policy.register(fs, policyFlagSet{source: true,
		oneRegion: "the API delivers its webhooks from one region's address, as each AssemblyAI region's API does (D-7)"})
	f.ui.register(fs)
	return cmd
}

// seedsOf turns --seed-transcript and --fault into the transcripts to
// seed, in flag order.
func seedsOf(f *serveAPIFlags) ([]api.SeedTranscript, error) {
	var out []api.SeedTranscript
	index := map[string]int{}
	add := func(id string) *api.SeedTranscript {
		if i, ok := index[id]; ok {
			return &out[i]
		}
		index[id] = len(out)
		// An audio URL of its own: a seeded transcript was never uploaded.
		out = append(out, api.SeedTranscript{ID: id, AudioURL: "https://cdn.assemblyai.example/seeded/" + id + ".wav"})
		return &out[len(out)-1]
	}
	for _, s := range f.seeds {
		id, status, _ := strings.Cut(s, ":")
		switch status {
		case "", string(api.StatusCompleted):
		case string(api.StatusError):
		default:
			return nil, usagef("--seed-transcript %q: want ID or ID:error", s)
		}
		if id == "" {
			return nil, usagef("--seed-transcript %q: want ID or ID:error", s)
		}
		add(id).Status = api.Status(status)
	}
	for _, s := range f.faults {
		fa, err := repro.ParseFault(s)
		if err != nil {
			return nil, usagef("--fault: %v", err)
		}
		add(fa.TranscriptID).Fault = fa.Fault()
	}
	return out, nil
}

func runServeAPI(ctx context.Context, a *app, f *serveAPIFlags) error {
	p, err := f.policy.policy(a.getenv)
	if err != nil {
		return err
	}
	if f.processingDelay <= 0 {
		return usagef("--processing-delay must be positive, got %s", f.processingDelay)
	}
	if f.grace < 0 {
		return usagef("--grace must not be negative, got %s", f.grace)
	}
	if f.maxTranscripts < 1 {
		return usagef("--max-transcripts must be at least 1, got %d", f.maxTranscripts)
	}
	if f.maxStoreBytes <= 0 {
		return usagef("--max-store-bytes must be positive, got %d", f.maxStoreBytes)
	}
	if f.maxUploadBytes <= 0 {
		return usagef("--max-upload-bytes must be positive, got %d", f.maxUploadBytes)
	}
	key := f.apiKey
	if key == "" {
		key = a.getenv(envAPIKey)
	}
	seeds, err := seedsOf(f)
	if err != nil {
		return err
	}
	ins, err := f.ui.inspector(a, inspect.Options{Mode: inspect.ModeAPI, MaxRows: f.maxTranscripts})
	if err != nil {
		return err
	}
	cfg := api.Config{
		APIKey: webhook.Secret(key), ProcessingDelay: f.processingDelay, MaxUploadBytes: f.maxUploadBytes,
		Policy: p, Logger: a.requestLogger(), BaseURL: f.baseURL, MaxTranscripts: f.maxTranscripts,
		MaxStoreBytes: f.maxStoreBytes,
	}
	if ins != nil {
		cfg.OnDelivery = ins.ObserveDelivery
	}
	srv, err := api.New(cfg)
	if err != nil {
		return usageError{err}
	}
	defer limitMemory(f.maxStoreBytes)()
	for _, st := range seeds {
		if err := srv.Seed(st); err != nil {
			return usagef("--seed-transcript/--fault: %v", err)
		}
	}
	if ins != nil {
		// The inspector first, as capture does: a --ui address that
		// cannot be served is a usage error before the API is announced
		// or listens (a listener left open would queue connections no
		// one ever answers).
		ins.SetAPI(srv)
		stop, err := f.ui.serveInspector(ctx, a, ins)
		if err != nil {
			return err
		}
		defer stop()
	}
	l, err := net.Listen("tcp", f.listen)
	if err != nil {
		return usagef("--listen: %v", err)
	}
	keyNote := "any non-empty API key"
	if key != "" {
		keyNote = "API key " + webhook.Secret(key).String()
	}
	fmt.Fprintf(a.out, "hookcheck: emulated AssemblyAI API on http://%s (%s; processing %s; deliveries %s, deadline %s, %d attempts, wait %s); Ctrl-C to stop\n",
		l.Addr(), keyNote, f.processingDelay, p.Pace, p.Timeout, p.MaxAttempts, p.Wait())
	for _, st := range seeds {
		fault := ""
		if st.Fault != (api.Fault{}) {
			fault = ", GET faulted: " + strings.TrimPrefix(repro.FaultOf(st.ID, "", st.Fault).Spec(), st.ID+":")
		}
		fmt.Fprintf(a.out, "  seeded transcript %s (%s%s)\n", st.ID, cmp.Or(st.Status, api.StatusCompleted), fault)
	}
	srvDone := make(chan struct{})
	// A second Ctrl-C (or SIGTERM) ends the grace period at once; the
	// first one, which also arrives here, ends ctx.
	sigs := a.signals
	if sigs == nil {
		c := make(chan os.Signal, 2)
		signal.Notify(c, os.Interrupt, syscall.SIGTERM)
		defer signal.Stop(c)
		sigs = c
	}
	abort := abortOnSecond(sigs, srvDone)
	err = srv.ServeUntil(ctx, l, f.grace, abort)
	close(srvDone)
	if lost := srv.Undelivered(); len(lost) > 0 {
		// Say what was lost, not just "context deadline exceeded".
		return reportUndelivered(a, lost)
	}
	if err != nil {
		return fmt.Errorf("serve-api: %w", err)
	}
	return nil
}

// abortOnSecond returns a channel closed when the second signal arrives
// on sigs, the user's "stop now" after the first Ctrl-C began a graceful
// shutdown. It stops watching when done is closed.
func abortOnSecond(sigs <-chan os.Signal, done <-chan struct{}) <-chan struct{} {
	abort := make(chan struct{})
	go func() {
		for n := 0; ; {
			select {
			case <-sigs:
				if n++; n == 2 {
					close(abort)
					return
				}
			case <-done:
				return
			}
		}
	}()
	return abort
}

// reportUndelivered prints how many notifications the shutdown left
// undelivered and writes their ids to a file named in the message (one
// "transcript_id delivery_id" line each; the delivery id is "-" for a
// transcript whose webhook was never sent). Exit 1.
func reportUndelivered(a *app, lost []api.Undelivered) error {
	f, err := os.CreateTemp("", "hookcheck-undelivered-*.txt")
	where := ""
	if err == nil {
		w := bufio.NewWriter(f)
		for _, u := range lost {
			d := u.DeliveryID
			if d == "" {
				d = "-"
			}
			fmt.Fprintf(w, "%s %s\n", u.TranscriptID, d)
		}
		err = errors.Join(w.Flush(), f.Close())
		where = "; transcript and delivery ids in " + f.Name()
	}
	if err != nil {
		// Without a file, stderr carries the ids.
		where = "; transcript/delivery ids:"
		for _, u := range lost {
			where += " " + u.TranscriptID + "/" + u.DeliveryID
		}
	}
	fmt.Fprintf(a.err, "serve-api: %d notification(s) not delivered when the grace period ended%s\n", len(lost), where)
	return exitError{exitFailed}
}

// memoryHeadroom is what serve-api's soft memory limit allows beyond the
// store's byte budget: requests being read, answers being written, the
// call log.
const memoryHeadroom = 64 << 20

// limitMemory sets the runtime's soft memory limit to the store's byte
// budget plus memoryHeadroom, unless GOMEMLIMIT already set one, so that
// the garbage collector's headroom (by default as much again as the live
// heap) does not double what the budget bounds. It returns the function
// that restores the previous limit.
func limitMemory(storeBytes int64) (restore func()) {
	if debug.SetMemoryLimit(-1) != math.MaxInt64 {
		return func() {}
	}
	prev := debug.SetMemoryLimit(min(storeBytes, math.MaxInt64-memoryHeadroom) + memoryHeadroom)
	return func() { debug.SetMemoryLimit(prev) }
}
