// Package inspect is the live inspector of `hookcheck serve-api --ui` and
// `hookcheck capture --ui`: a page served from the binary that shows every
// delivery as it happens, which attempt it is of AssemblyAI's schedule
// (D-4), when the next one comes and how the schedule ended (D-3, D-5,
// D-6), with the report's timeline of each one.
//
// An Inspector is fed by the emulated API (ObserveDelivery, as
// api.Config.OnDelivery) or by the capture recorder (ObserveRecord, as
// capture.Config.OnRecord). It keeps the rows of a bounded window of
// deliveries, serves them as paged JSON and pushes every change to the open
// pages with Server-Sent Events; a page that stops reading is dropped,
// never buffered without bound. Every request needs the token (a random
// one printed once, as Jupyter does), from the URL, a cookie set on the
// first visit, or an Authorization: Bearer header; a request from another
// Origin is refused, and every answer carries a strict
// Content-Security-Policy. The page itself (static/) is plain HTML, CSS and
// JavaScript, embedded, with no build step and nothing fetched from
// elsewhere; the detail of a delivery is rendered on the server with the
// report's own templates (reports/htmlreport).
package inspect

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/hookcheck/hookcheck/simulator/api"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// Mode says what feeds an Inspector.
type Mode string

// The modes of an Inspector.
const (
	// ModeAPI: serve-api's deliveries; actions notify again and create.
	ModeAPI Mode = "serve-api"
	// ModeCapture: capture's records; action replay.
	ModeCapture Mode = "capture"
)

// Defaults of Options' zero fields.
const (
	// DefaultMaxRows is how many deliveries the list keeps, as serve-api
	// keeps 10,000 transcripts (api.DefaultMaxTranscripts).
	DefaultMaxRows = 10_000
	// DefaultMaxBytes bounds the captured requests held for the detail
	// view and replay.
	DefaultMaxBytes = 64 << 20
	// DefaultMaxPages bounds the pages open at once (event streams).
	DefaultMaxPages = 64
	// DefaultEventBuffer is how many events a page may fall behind before
	// it is dropped.
	DefaultEventBuffer = 1024
	// DefaultPageSize and MaxPageSize bound a list page.
	DefaultPageSize = 100
	MaxPageSize     = 1000
)

// Options configure an Inspector.
type Options struct {
	Mode Mode
	// Token is what every request must carry; empty draws a random one.
	Token string
	// API is the emulated API (ModeAPI): detail calls and actions.
	API *api.Server
	// ForwardTo is capture's --forward-to, the default replay target.
	ForwardTo *url.URL
	// Timeout, MaxAttempts and RetryInterval are the sender's schedule
	// (D-3, D-4) a captured delivery is read against; zero means
	// AssemblyAI's.
	Timeout       time.Duration
	MaxAttempts   int
	RetryInterval time.Duration
	// MaxRows, MaxBytes, MaxPages and EventBuffer bound memory; zero
	// means the default.
	MaxRows     int
	MaxBytes    int64
	MaxPages    int
	EventBuffer int
	// Client sends replays; nil means one with Timeout as its deadline.
	Client *http.Client
	// Heartbeat is how often an idle event stream gets a comment line, so
	// a vanished page is noticed; zero means 15 s.
	Heartbeat time.Duration
	// Logger receives errors; nil means none.
	Logger *slog.Logger
}

// Inspector serves the live inspector. It is an http.Handler.
type Inspector struct {
	opts    Options
	model   *model
	hub     *hub
	handler http.Handler
	apiMu   sync.Mutex
}

// New returns an Inspector for o.
func New(o Options) (*Inspector, error) {
	if o.Mode != ModeAPI && o.Mode != ModeCapture {
		return nil, fmt.Errorf("inspector: unknown mode %q", o.Mode)
	}
	if o.Token == "" {
		b := make([]byte, 24)
		if _, err := rand.Read(b); err != nil {
			return nil, fmt.Errorf("inspector token: %w", err)
		}
		o.Token = hex.EncodeToString(b)
	}
	if len(o.Token) < 8 {
		return nil, errors.New("inspector: the token must be at least 8 characters")
	}
	if o.Timeout <= 0 {
		o.Timeout = webhook.DefaultTimeout
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = webhook.DefaultMaxAttempts
	}
	if o.RetryInterval <= 0 {
		o.RetryInterval = webhook.DefaultRetryInterval
	}
	if o.MaxRows <= 0 {
		o.MaxRows = DefaultMaxRows
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxPages <= 0 {
		o.MaxPages = DefaultMaxPages
	}
	if o.EventBuffer <= 0 {
		o.EventBuffer = DefaultEventBuffer
	}
	if o.Heartbeat <= 0 {
		o.Heartbeat = 15 * time.Second
	}
	if o.Client == nil {
		o.Client = &http.Client{Timeout: o.Timeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	in := &Inspector{opts: o, model: newModel(o.MaxRows, o.MaxBytes), hub: newHub(o.EventBuffer, o.MaxPages)}
	in.handler = in.routes()
	return in, nil
}

// SetAPI gives the Inspector the emulated API it shows (ModeAPI), once it
// exists: api.New takes ObserveDelivery, so the Inspector comes first.
func (in *Inspector) SetAPI(s *api.Server) {
	in.apiMu.Lock()
	defer in.apiMu.Unlock()
	in.opts.API = s
}

func (in *Inspector) api() *api.Server {
	in.apiMu.Lock()
	defer in.apiMu.Unlock()
	return in.opts.API
}

// URL is the address to open, token included, for a listener on addr.
func (in *Inspector) URL(addr net.Addr) string {
	return "http://" + addr.String() + "/?token=" + url.QueryEscape(in.opts.Token)
}

// CheckAddr applies the rule of --ui: a loopback address is fine; any other
// (an empty host listens on every interface) needs a token chosen by the
// user (--ui-token), since the page shows deliveries and their headers.
func CheckAddr(addr string, userToken bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q: want HOST:PORT, e.g. 127.0.0.1:0", addr)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(strings.Trim(host, "[]")); ip != nil && ip.IsLoopback() {
		return nil
	}
	if !userToken {
		return fmt.Errorf("%q is not a loopback address: name a token with --ui-token to serve the inspector there", addr)
	}
	return nil
}

// cookieName holds the token once a page has been opened with it.
const cookieName = "hookcheck_inspector"

// cookieFor is the cookie of the inspector r reached. Cookies are shared
// by every port of a host, so the name carries the port: serve-api's and
// capture's inspectors on one machine each keep their own token.
func cookieFor(r *http.Request) string {
	_, port, err := net.SplitHostPort(r.Host)
	if err != nil || strings.Trim(port, "0123456789") != "" {
		return cookieName
	}
	return cookieName + "_" + port
}

// csp allows the page's own script, style and data only: no inline
// script, no other origin, no framing.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
	"form-action 'none'; frame-ancestors 'none'; base-uri 'none'"

// ServeHTTP checks the token and the Origin, then serves the page and its
// endpoints.
func (in *Inspector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cache-Control", "no-store")
	if o := r.Header.Get("Origin"); o != "" && o != "http://"+r.Host {
		writeError(w, http.StatusForbidden, "cross-origin request refused")
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		writeError(w, http.StatusForbidden, "cross-site request refused")
		return
	}
	if r.URL.Path == "/favicon.ico" && r.Method == http.MethodGet {
		// The icon tells nothing: served to anyone, so that a browser
		// that fetches it by itself logs no error.
		in.serveStatic("static/favicon.svg", "image/svg+xml")(w, r)
		return
	}
	if q := r.URL.Query().Get("token"); q != "" && in.tokenOK(q) {
		// Not Secure: the inspector is served over plain HTTP on loopback.
		http.SetCookie(w, &http.Cookie{Name: cookieFor(r), Value: in.opts.Token, Path: "/", HttpOnly: true, //nolint:gosec // G124: see above
			SameSite: http.SameSiteStrictMode})
		if r.Method == http.MethodGet && r.URL.Path == "/" {
			// Drop the token from the address bar and the history.
			http.Redirect(w, r, "/", http.StatusSeeOther)
			return
		}
	} else if !in.authorized(r) {
		writeError(w, http.StatusForbidden, "token missing or wrong: open the URL hookcheck printed")
		return
	}
	in.handler.ServeHTTP(w, r)
}

// authorized reports whether r carries the token in its cookie or an
// Authorization: Bearer header.
func (in *Inspector) authorized(r *http.Request) bool {
	if c, err := r.Cookie(cookieFor(r)); err == nil && in.tokenOK(c.Value) {
		return true
	}
	if b, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && in.tokenOK(b) {
		return true
	}
	return false
}

func (in *Inspector) tokenOK(got string) bool {
	return subtle.ConstantTimeCompare([]byte(got), []byte(in.opts.Token)) == 1
}

// Stats reports the rows kept, the bytes of captured requests held, the
// open event streams and how many were dropped for not reading.
func (in *Inspector) Stats() (rows int, bytes int64, pages, dropped int) {
	rows, bytes = in.model.count()
	pages, dropped = in.hub.stats()
	return rows, bytes, pages, dropped
}
