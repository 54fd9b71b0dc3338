// Package node starts hookcheck's Express reference receivers for signed
// webhooks (server.js in this folder, documented in its README.md): per
// provider a compliant route built on the official npm library, verifying
// the raw body, and broken routes that each add one flaw. Go tests and the
// provider suite start it with Start and point hookcheck at its routes.
//
// It needs node on PATH and `npm ci --prefix simulator/receiver/node`; Check
// says what is missing. Tests that use it run only with
// HOOKCHECK_NODE_RECEIVERS=1 (make test-node-receivers): see Require.
package node

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hookcheck/hookcheck/internal/secret"
	"github.com/hookcheck/hookcheck/simulator/signing"
)

// EnvVar turns on the tests that start the Node receivers; with it set, a
// missing node or node_modules fails them instead of skipping.
const EnvVar = "HOOKCHECK_NODE_RECEIVERS"

// Route is one receiver route of server.js.
type Route struct {
	// Provider is the signing scheme the route receives.
	Provider signing.Provider
	// Path is the route's path on the server, e.g. "/stripe/parsed".
	Path string
	// Flaw is the one thing the route does wrong; empty for the compliant
	// route.
	Flaw string
}

// Compliant reports whether the route is its provider's compliant one.
func (r Route) Compliant() bool { return r.Flaw == "" }

// ProcessedSuffix is what follows a Route's Path where the route answers
// how many times it processed an event (SIG-09): GET Path + ProcessedSuffix +
// id gives 200 and {"processed": N} once it did, 404 and
// {"processed": 0} before. Every route counts its own deliveries.
const ProcessedSuffix = "/processed/"

// VerifyURL returns the verify URL template of the route at path on the
// server at base (a Server's URL), for hookcheck's --verify-url or
// Target.VerifyURL: {id} is hookcheck's event-id placeholder.
func VerifyURL(base, path string) string { return base + path + ProcessedSuffix + "{id}" }

// The flaws of the broken routes.
const (
	FlawReserialized      = "verifies a re-serialization of the parsed body, not the raw bytes"
	FlawNoTolerance       = "checks the signature but not the timestamp's age"
	FlawOneSecret         = "holds one secret: refuses the next one during a rotation"
	FlawLooseCompare      = "compares signatures with ==, not in constant time"
	FlawNoCheck           = "checks no signature at all"
	FlawRateLimited       = "answers 429 when more than its limit are in flight"
	FlawLooseReserialized = "compares with == an HMAC of the re-serialized body"
	FlawNoDedup           = "processes every delivery it acknowledges, a redelivered event again"
	FlawDuplicate409      = "processes an event once, but refuses its redelivery with 409 Conflict"
)

// Routes lists every route of server.js, compliant first for each
// provider. The slice is new on each call.
func Routes() []Route {
	sw, st, gh := signing.StandardWebhooks, signing.Stripe, signing.GitHub
	return []Route{
		{sw, "/standard-webhooks", ""},
		{sw, "/standard-webhooks/reserialized", FlawReserialized},
		{sw, "/standard-webhooks/no-tolerance", FlawNoTolerance},
		{sw, "/standard-webhooks/one-secret", FlawOneSecret},
		{sw, "/standard-webhooks/eq", FlawLooseCompare},
		{sw, "/standard-webhooks/no-check", FlawNoCheck},
		{sw, "/standard-webhooks/429-under-load", FlawRateLimited},
		{sw, "/standard-webhooks/no-dedup", FlawNoDedup},
		{sw, "/standard-webhooks/duplicate-409", FlawDuplicate409},
		{st, "/stripe", ""},
		{st, "/stripe/parsed", FlawReserialized},
		{st, "/stripe/no-tolerance", FlawNoTolerance},
		{st, "/stripe/no-check", FlawNoCheck},
		{st, "/stripe/no-dedup", FlawNoDedup},
		{st, "/stripe/duplicate-409", FlawDuplicate409},
		{gh, "/github", ""},
		{gh, "/github/reserialized", FlawReserialized},
		{gh, "/github/eq", FlawLooseCompare},
		{gh, "/github/eq-reserialized", FlawLooseReserialized},
		{gh, "/github/no-check", FlawNoCheck},
		{gh, "/github/no-dedup", FlawNoDedup},
		{gh, "/github/duplicate-409", FlawDuplicate409},
	}
}

// Config configures one server.
type Config struct {
	// Dir is the folder of server.js and its node_modules; empty means
	// this package's source folder.
	Dir string
	// Node is the node binary; empty means "node" on PATH.
	Node string
	// Secret is the receiver's signing secret in the provider's format
	// (HOOKCHECK_SIGNING_SECRET); required. A whsec_ secret with base64
	// of 24 to 64 bytes serves all three providers.
	Secret secret.Secret
	// NextSecret, when set, is a second secret every route but the
	// one-secret one also accepts, as during a rotation.
	NextSecret secret.Secret
	// Now, when set, is the time the libraries take as now (to replay
	// vectors signed at a fixed time); zero means the clock.
	Now time.Time
	// MaxInFlight is the 429 route's limit (zero: server.js's default, 4).
	MaxInFlight int
	// Work is how long the 429 route works on each request (zero:
	// server.js's default, 250 ms).
	Work time.Duration
	// MaxIDs is how many event ids the server remembers over all routes
	// before it forgets the oldest (zero: server.js's default, 100000).
	MaxIDs int
	// Stderr receives the server's error output; nil discards it.
	Stderr io.Writer
}

// startTimeout bounds how long node may take to print its address.
const startTimeout = 30 * time.Second

// Server is a running server.js.
type Server struct {
	// URL is the base URL, http://127.0.0.1:PORT, without a trailing
	// slash: append a Route's Path.
	URL string

	cmd  *exec.Cmd
	done chan struct{} // closed once node has exited
	once sync.Once
}

// Dir returns this package's source folder, where server.js is, or an
// error when the binary was built without source paths (-trimpath).
func Dir() (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok || !filepath.IsAbs(file) {
		return "", errors.New("node: cannot locate server.js from this build; set Config.Dir")
	}
	return filepath.Dir(file), nil
}

// Check reports what is missing to run server.js in dir (empty: Dir()):
// the node binary (node, empty: on PATH) or the npm packages.
func Check(dir, node string) error {
	if dir == "" {
		d, err := Dir()
		if err != nil {
			return err
		}
		dir = d
	}
	if node == "" {
		node = "node"
	}
	if _, err := exec.LookPath(node); err != nil {
		return fmt.Errorf("node: %s is not installed: %w", node, err)
	}
	for _, pkg := range []string{"express", "standardwebhooks", "stripe", "@octokit/webhooks-methods"} {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", pkg, "package.json")); err != nil {
			return fmt.Errorf("node: npm package %s is not installed: run npm ci --prefix %s: %w", pkg, dir, err)
		}
	}
	return nil
}

// Require gates a test on the Node receivers: it skips tb, saying how to
// run it, unless HOOKCHECK_NODE_RECEIVERS=1; with it set, it fails tb when
// Check finds node or the packages missing.
func Require(tb testing.TB) {
	tb.Helper()
	if os.Getenv(EnvVar) != "1" {
		tb.Skip("set " + EnvVar + "=1 to run the Express reference receivers (make test-node-receivers; needs node and npm ci --prefix simulator/receiver/node)")
	}
	if err := Check("", ""); err != nil {
		tb.Fatalf("%s=1 but %v", EnvVar, err)
	}
}

// Start starts server.js on a free loopback port and returns once it
// listens. The server stops when ctx ends or Close is called.
func Start(ctx context.Context, c Config) (*Server, error) {
	if c.Secret.Reveal() == "" {
		return nil, errors.New("node: no signing secret")
	}
	dir := c.Dir
	if dir == "" {
		d, err := Dir()
		if err != nil {
			return nil, err
		}
		dir = d
	}
	if err := Check(dir, c.Node); err != nil {
		return nil, err
	}
	node := c.Node
	if node == "" {
		node = "node"
	}
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"NODE_ENV=production",
		"PORT=0",
		"HOOKCHECK_SIGNING_SECRET=" + c.Secret.Reveal(),
	}
	if c.NextSecret != "" {
		env = append(env, "HOOKCHECK_SIGNING_SECRET_NEXT="+c.NextSecret.Reveal())
	}
	if !c.Now.IsZero() {
		env = append(env, "HOOKCHECK_RECEIVER_NOW="+strconv.FormatInt(c.Now.Unix(), 10))
	}
	if c.MaxInFlight > 0 {
		env = append(env, "HOOKCHECK_RECEIVER_MAX_IN_FLIGHT="+strconv.Itoa(c.MaxInFlight))
	}
	if c.Work > 0 {
		env = append(env, "HOOKCHECK_RECEIVER_WORK_MS="+strconv.FormatInt(c.Work.Milliseconds(), 10))
	}
	if c.MaxIDs > 0 {
		env = append(env, "HOOKCHECK_RECEIVER_MAX_IDS="+strconv.Itoa(c.MaxIDs))
	}
	cmd := exec.CommandContext(ctx, node, "server.js") //nolint:gosec // node is the configured binary, server.js this package's file.
	cmd.Dir = dir
	cmd.Env = env
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 5 * time.Second
	cmd.Stderr = c.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("node: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("node: start server.js: %w", err)
	}
	s := &Server{cmd: cmd, done: make(chan struct{})}
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		_, _ = io.Copy(io.Discard, out) // keep draining so node never blocks on stdout
	}()
	go func() {
		_ = cmd.Wait() // the exit status after SIGTERM says nothing; stderr has any reason
		close(s.done)
	}()

	timer := time.NewTimer(startTimeout)
	defer timer.Stop()
	select {
	case line, ok := <-lines:
		const prefix = "listening on "
		if !ok || !strings.HasPrefix(line, prefix) {
			s.Close()
			return nil, fmt.Errorf("node: server.js did not start (first line %q)", line)
		}
		s.URL = strings.TrimPrefix(line, prefix)
		if !strings.HasPrefix(s.URL, "http://127.0.0.1:") {
			s.Close()
			return nil, fmt.Errorf("node: server.js listens on %q, want loopback", s.URL)
		}
		return s, nil
	case <-timer.C:
		s.Close()
		return nil, fmt.Errorf("node: server.js printed no address within %s", startTimeout)
	case <-ctx.Done():
		s.Close()
		return nil, fmt.Errorf("node: %w", ctx.Err())
	}
}

// Close stops the server (SIGTERM, then a kill after 5 s) and waits for it.
// It is safe to call more than once.
func (s *Server) Close() {
	s.once.Do(func() {
		_ = s.cmd.Process.Signal(syscall.SIGTERM) // an exited process is fine
		t := time.NewTimer(5 * time.Second)
		defer t.Stop()
		select {
		case <-s.done:
		case <-t.C:
			_ = s.cmd.Process.Kill()
			<-s.done
		}
	})
}

// StartT starts a server for tb (after Require) and stops it when tb ends;
// it returns the base URL.
func StartT(tb testing.TB, c Config) string {
	tb.Helper()
	Require(tb)
	if c.Stderr == nil {
		c.Stderr = tbWriter{tb}
	}
	s, err := Start(context.WithoutCancel(tb.Context()), c)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Close)
	return s.URL
}

// tbWriter logs the server's error output into the test's log.
type tbWriter struct{ tb testing.TB }

func (w tbWriter) Write(p []byte) (int, error) {
	w.tb.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
