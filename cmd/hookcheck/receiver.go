package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/hookcheck/hookcheck/simulator/hostile"
	"github.com/hookcheck/hookcheck/simulator/receiver"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

type receiverFlags struct {
	listen    string
	behaviour string
	list      bool
	path      string
	authName  string
	authValue string
	allowlist string
	allowFrom string
	params    receiver.Params
	limits    receiver.InboxLimits
	apiURL    string
}

func newReceiverCmd(a *app) *cobra.Command {
	var f receiverFlags
	cmd := &cobra.Command{
		Use:   "receiver --listen ADDR --behaviour NAME",
		Short: "Serve a reference webhook receiver, compliant or deliberately broken",
		Long: `receiver serves one of hookcheck's reference receivers: the compliant one
(auth check, source allowlist, deduplication by transcript_id, 400 on malformed
bodies, 405 on other methods) or one that is broken on purpose. Point
'hookcheck send' or 'hookcheck run' at it to see what AssemblyAI would do.

Broken receivers come at two levels: "http" ones speak HTTP correctly but
answer wrongly (a status, a delay, a hang, a redirect, one flaw of the
compliant receiver); "socket" ones break HTTP, TCP or TLS itself (a blackhole,
a reset, bytes that are not HTTP, a bad certificate) and ignore --path, the
auth and allowlist flags and the numeric options.

List the behaviours and their level with --list.`,
		Example: `  hookcheck receiver --listen 127.0.0.1:8080 --behaviour fail-first --fail-first 3
  hookcheck receiver --listen 127.0.0.1:8080 --behaviour reset-mid-answer
  HOOKCHECK_AUTH_HEADER_VALUE=s3cret hookcheck receiver --behaviour compliant \
      --auth-header-name X-Webhook-Secret --allowlist header --region both
  hookcheck receiver --behaviour compliant --allowlist socket:127.0.0.2   # for run --allowlist socket:127.0.0.2
  HOOKCHECK_API_KEY=k hookcheck receiver --behaviour single-thread-fetch --api-url http://127.0.0.1:8090`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runReceiver(cmd.Context(), a, &f) },
	}
	fs := cmd.Flags()
	fs.StringVar(&f.listen, "listen", "127.0.0.1:8080", "address to listen on")
	fs.StringVar(&f.behaviour, "behaviour", "compliant", "receiver behaviour (see --list)")
	fs.BoolVar(&f.list, "list", false, "list the behaviours and exit")
	fs.StringVar(&f.path, "path", "", "serve only this path (others get 404)")
	fs.StringVar(&f.authName, "auth-header-name", "", "require this auth header (D-8)")
	fs.StringVar(&f.authValue, "auth-header-value", "", "expected auth header value; prefer env "+envAuthHeaderValue)
	fs.StringVar(&f.allowlist, "allowlist", "", "admit only listed source addresses (D-7, P-7): "+allowlistWords)
	fs.StringVar(&f.allowFrom, "region", regionBoth, "region(s) whose AssemblyAI address --allowlist header or socket admits: us, eu or both (D-7)")
	// The flag's first name, kept for the scripts that use it.
	fs.StringVar(&f.allowFrom, "allow-region", regionBoth, "region(s) whose AssemblyAI address the allowlist admits")
	_ = fs.MarkHidden("allow-region") // the flag exists: no error
	fs.IntVar(&f.params.Status, "status", 0, "status for status and fail-first (default 500)")
	fs.IntVar(&f.params.FailFirst, "fail-first", 0, "failures before fail-first recovers (default 3)")
	fs.DurationVar(&f.params.Delay, "delay", 0, "wait of delay and slow-ack")
	fs.IntVar(&f.params.Limit, "limit", 0, "concurrency rate-limited allows (default 10)")
	fs.IntVar(&f.limits.MaxRequests, "keep-requests", receiver.DefaultMaxRequests, "keep only the last N requests in memory (bounded window)")
	fs.IntVar(&f.limits.MaxIDs, "dedup-ids", receiver.DefaultMaxIDs, "remember the last N transcript ids for deduplication (bounded)")
	fs.StringVar(&f.params.Location, "location", "", "where redirect points (default its own URL)")
	fs.StringVar(&f.apiURL, "api-url", "", "fetch each notified transcript from this AssemblyAI API base URL (e.g. the http://ADDR of 'hookcheck run --api ADDR'), with the key from env "+envAPIKey+"; the fetching behaviours (fetch-before-ack, single-thread-fetch, ...) need it")
	return cmd
}

func runReceiver(ctx context.Context, a *app, f *receiverFlags) error {
	if f.list {
		return listBehaviours(a)
	}
	b, err := receiver.Lookup(f.behaviour)
	if errors.Is(err, receiver.ErrUnknownBehaviour) {
		kind, kerr := hostile.ParseKind(f.behaviour)
		if kerr != nil {
			return usagef("--behaviour: %v; socket-level: %s", err, strings.Join(kindNames(), ", "))
		}
		return runHostile(ctx, a, f.listen, kind)
	}
	if err != nil {
		return usagef("--behaviour: %v", err)
	}
	if signed(b.Name) && a.getenv(envSigningSecret) == "" {
		return usagef("--behaviour %s verifies signatures: set %s (whsec_…)", b.Name, envSigningSecret)
	}
	if b.NeedsAPI && f.apiURL == "" {
		return usagef("--behaviour %s fetches each transcript from AssemblyAI's API: give --api-url (the address 'hookcheck run --api ADDR' serves) and %s", b.Name, envAPIKey)
	}
	cfg, err := f.config(a)
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", f.listen)
	if err != nil {
		return usagef("--listen: %v", err)
	}
	h := b.New(cfg, f.params)
	if c, ok := h.(io.Closer); ok {
		defer func() { _ = c.Close() }() // ends the background fetches
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 30 * time.Second}
	fmt.Fprintf(a.out, "hookcheck: receiver %q (%s) listening on http://%s%s; Ctrl-C to stop\n",
		b.Name, flagWords.Replace(b.Description), l.Addr(), f.path)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	select {
	case err := <-errc:
		return fmt.Errorf("receiver: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("receiver shutdown: %w", err)
	}
	_ = srv.Close() // hanging behaviours never finish by themselves
	return nil
}

// runHostile serves a socket-level receiver on listen until ctx ends.
func runHostile(ctx context.Context, a *app, listen string, kind hostile.Kind) error {
	l, err := net.Listen("tcp", listen)
	if err != nil {
		return usagef("--listen: %v", err)
	}
	srv, err := hostile.Serve(ctx, l, kind, hostile.Options{})
	if err != nil {
		return fmt.Errorf("receiver: %w", err)
	}
	fmt.Fprintf(a.out, "hookcheck: receiver %q (%s) listening on %s; Ctrl-C to stop\n",
		kind, kind.Description(), srv.URL)
	<-ctx.Done()
	return srv.Close()
}

func kindNames() []string {
	var names []string
	for _, k := range hostile.Kinds() {
		names = append(names, string(k))
	}
	return names
}

func (f *receiverFlags) config(a *app) (receiver.Config, error) {
	switch p := f.params; {
	case p.Status != 0 && (p.Status < 100 || p.Status > 599):
		return receiver.Config{}, usagef("--status %d: not an HTTP status (100..599)", p.Status)
	case p.FailFirst < 0:
		return receiver.Config{}, usagef("--fail-first must not be negative, got %d", p.FailFirst)
	case p.Delay < 0:
		return receiver.Config{}, usagef("--delay must not be negative, got %s", p.Delay)
	case p.Limit < 0:
		return receiver.Config{}, usagef("--limit must not be negative, got %d", p.Limit)
	}
	if f.limits.MaxRequests < 1 || f.limits.MaxIDs < 1 {
		return receiver.Config{}, usagef("--keep-requests and --dedup-ids must be at least 1, got %d and %d", f.limits.MaxRequests, f.limits.MaxIDs)
	}
	cfg := receiver.Config{Path: f.path, Logger: a.requestLogger(), Inbox: receiver.NewBoundedInbox(f.limits),
		SigningSecret: webhook.Secret(a.getenv(envSigningSecret))} // the sw-* receivers verify with it
	value := f.authValue
	if value == "" {
		value = a.getenv(envAuthHeaderValue)
	}
	if f.authName != "" {
		if value == "" {
			return cfg, usagef("--auth-header-name %s needs a value: set --auth-header-value or %s", f.authName, envAuthHeaderValue)
		}
		cfg.AuthHeaderName, cfg.AuthHeaderValue = f.authName, webhook.Secret(value)
	} else if f.authValue != "" {
		return cfg, usagef("--auth-header-value needs --auth-header-name")
	}
	if f.apiURL != "" {
		key := a.getenv(envAPIKey)
		if key == "" {
			return cfg, usagef("--api-url needs the API key the receiver fetches with: set %s", envAPIKey)
		}
		cfg.API = &receiver.API{BaseURL: strings.TrimRight(f.apiURL, "/"), Key: webhook.Secret(key)}
	}
	if a.flagChanged("allow-region") {
		fmt.Fprintln(a.err, "hookcheck: warning: --allow-region is deprecated: use --region")
	}
	if f.allowlist != "" {
		list, err := parseAllowlist(f.allowlist, f.allowFrom)
		if err != nil {
			return cfg, err
		}
		cfg.Allowlist = list
	} else if a.flagChanged("region") || a.flagChanged("allow-region") {
		return cfg, usagef("--region says whose addresses the allowlist admits: it acts only with --allowlist header or socket")
	}
	if err := cfg.Validate(); err != nil {
		return cfg, usageError{err}
	}
	return cfg, nil
}

// flagWords turns the Go names the receiver catalogue speaks in (it is a
// Go API too) into the receiver command's flags, for --list and the
// completion of --behaviour.
var flagWords = strings.NewReplacer(
	"Params.Status", "--status",
	"Params.FailFirst", "--fail-first",
	"Params.Delay", "--delay",
	"Params.Limit", "--limit",
	"Params.Location", "--location",
	"Config.API", "--api-url",
	"Config.AuthHeaderName", "--auth-header-name",
	"Config.Allowlist", "--allowlist",
	"Config.Path", "--path",
)

func listBehaviours(a *app) error {
	w := tabwriter.NewWriter(a.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "BEHAVIOUR\tLEVEL\tWHAT IT DOES\tBREAKS")
	for _, b := range receiver.Behaviours() {
		fmt.Fprintf(w, "%s\thttp\t%s\t%s\n", b.Name, flagWords.Replace(b.Description), flagWords.Replace(b.Violates))
	}
	for _, k := range hostile.Kinds() {
		fmt.Fprintf(w, "%s\tsocket\t%s\t%s\n", k, k.Description(), k.Violates())
	}
	// Other providers' receivers verify signatures with the secret in
	// $HOOKCHECK_SIGNING_SECRET; run checks them with --provider.
	for _, b := range receiver.ProviderBehaviours("") {
		fmt.Fprintf(w, "%s\thttp\t%s\t%s\n", b.Name, flagWords.Replace(b.Description), flagWords.Replace(b.Violates))
	}
	return w.Flush()
}

// signed says the behaviour called name is another provider's receiver,
// which verifies signatures with $HOOKCHECK_SIGNING_SECRET.
func signed(name string) bool {
	for _, b := range receiver.ProviderBehaviours("") {
		if b.Name == name {
			return true
		}
	}
	return false
}
