// Package capture records real webhook deliveries to a JSON Lines file, one
// request a line, and reads them back grouped into deliveries. It is the
// evidence behind `hookcheck capture`, `hookcheck diff` and
// `hookcheck replay`: what AssemblyAI really sent, next to what hookcheck's
// profile would send (docs/spec.md D-1..D-12, P-2, P-7).
//
// A Recorder streams every request to its writer before it answers, so a
// request it acknowledged is in the file. A body must arrive within
// BodyTimeout (the sender's deadline, D-3): a delivery that cannot send its
// body in that time is not one AssemblyAI would make. Memory is bounded
// whatever the load: a body is held as its bytes arrive, and only bodies
// longer than FastBodyBytes take one of MaxInFlight slots, so slow or large
// bodies never make a small delivery wait.
package capture

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/hookcheck/hookcheck/internal/termtext"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// Defaults of a Recorder.
const (
	// DefaultMaxBodyBytes keeps a body whole up to 4 MiB: the longest
	// streaming-session webhook (3 h, S-6) is about 2.5 MiB (S-5).
	DefaultMaxBodyBytes = 4 << 20
	// DefaultMaxInFlight bounds the requests whose bodies are longer than
	// FastBodyBytes and held at once; others wait before reading beyond
	// their first FastBodyBytes.
	DefaultMaxInFlight = 16
	// FastBodyBytes is how much of a body is read without a slot: a real
	// delivery (D-2, about 100 bytes) never waits for one.
	FastBodyBytes = 64 << 10
	// DefaultBodyTimeout is how long a body may take after its header:
	// AssemblyAI's deadline (D-3).
	DefaultBodyTimeout = webhook.DefaultTimeout
	// DefaultMaxGroups bounds the deliveries whose attempt count and last
	// arrival are remembered; when full, the oldest half is forgotten and
	// a late redelivery of one of those counts as a first attempt again.
	DefaultMaxGroups = 1 << 16
)

// Record is one captured request: one line of a capture file.
type Record struct {
	// Seq counts requests from 1 in the order they were written.
	Seq int64 `json:"seq"`
	// Time is when the request arrived (its header was read).
	Time time.Time `json:"time"`
	// Method is the request method (D-1).
	Method string `json:"method"`
	// RequestURI is the request target exactly as sent.
	RequestURI string `json:"request_uri"`
	// Path is the decoded path.
	Path string `json:"path"`
	// RawQuery is the query string byte for byte, without "?" (D-9).
	RawQuery string `json:"raw_query"`
	// Host is the Host header.
	Host string `json:"host"`
	// Header is every header received; the values of masked ones are
	// webhook.Mask.
	Header http.Header `json:"headers"`
	// Masked names the headers whose values were masked (D-8).
	Masked []string `json:"masked_headers,omitempty"`
	// Body is the body when it is valid UTF-8; a JSON string round-trips
	// it byte for byte.
	Body string `json:"body"`
	// BodyBase64 holds a body that is not valid UTF-8 (Body is then empty).
	BodyBase64 []byte `json:"body_base64,omitempty"`
	// BodyBytes is the length of the body as sent, truncated or not.
	BodyBytes int64 `json:"body_bytes"`
	// BodyTruncated says the body was longer than the recorder keeps.
	BodyTruncated bool `json:"body_truncated,omitempty"`
	// RemoteAddr is the socket peer, "ip:port" (D-7, P-7).
	RemoteAddr string `json:"remote_addr"`
	// Key names the delivery: "transcript_id:<id>", "session_id:<id>",
	// "redacted_audio_url:<url>", or "" when the body names none.
	Key string `json:"key"`
	// Attempt counts the requests of the delivery, from 1.
	Attempt int `json:"attempt"`
	// SincePreviousMS is the time from the previous attempt's arrival to
	// this one's; absent on a first attempt.
	SincePreviousMS *float64 `json:"since_previous_ms,omitempty"`
	// Status is the status answered.
	Status int `json:"status"`
	// AnsweredAfterMS is the time from arrival to the answer.
	AnsweredAfterMS float64 `json:"answered_after_ms"`
	// ClientGone says the client left before the answer (e.g. its
	// deadline, D-3, passed during --answer-after).
	ClientGone bool `json:"client_gone,omitempty"`
	// Incomplete says the body was cut short: the client left or the body
	// deadline passed before Content-Length bytes came. Such a request is
	// answered 400, counts as no attempt, and is not replayed unless asked.
	Incomplete bool `json:"incomplete,omitempty"`
	// Forwarded is the user's receiver's answer when the request was
	// forwarded (--forward-to); Status is then that answer's status, 502
	// when the receiver could not be reached, 504 (never sent: ClientGone)
	// when it did not answer within the sender's deadline.
	Forwarded *Forwarded `json:"forwarded,omitempty"`

	// secrets are the values of the masked headers, for Config.OnRecord
	// to mask by value; never written.
	secrets []string
}

// BodyBytesRaw returns the body as sent (up to what was kept).
func (r Record) BodyBytesRaw() []byte {
	if r.BodyBase64 != nil {
		return r.BodyBase64
	}
	return []byte(r.Body)
}

// SincePrevious returns SincePreviousMS as a duration (0 when absent).
func (r Record) SincePrevious() time.Duration {
	if r.SincePreviousMS == nil {
		return 0
	}
	return fromMS(*r.SincePreviousMS)
}

// AnsweredAfter returns AnsweredAfterMS as a duration.
func (r Record) AnsweredAfter() time.Duration { return fromMS(r.AnsweredAfterMS) }

func ms(d time.Duration) float64     { return float64(d.Microseconds()) / 1000 }
func fromMS(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }

// Config configures a Recorder.
type Config struct {
	// Out receives the capture file, one JSON object a line. Required.
	Out io.Writer
	// Live receives one human line per attempt; nil for none.
	Live io.Writer
	// Errors receives a line at once when the capture file cannot be
	// written, and one when it can again; nil means Live.
	Errors io.Writer
	// Answers is the status sequence answered to each delivery: attempt n
	// gets Answers[n-1], the last one repeating (e.g. 500,500,200). Empty
	// means 200.
	Answers []int
	// AnswerAfter delays every answer, e.g. to let the sender's deadline
	// pass (D-3).
	AnswerAfter time.Duration
	// MaskHeaders are header names whose values never reach the file
	// (the auth header of D-8). Authorization is always masked.
	MaskHeaders []string
	// MaxBodyBytes, MaxInFlight and MaxGroups bound memory; zero means
	// the package default.
	MaxBodyBytes int64
	MaxInFlight  int
	MaxGroups    int
	// BodyTimeout bounds the time from a request's header to the end of
	// its body (a read deadline on the connection); zero means
	// DefaultBodyTimeout. Give the profile's deadline (D-3).
	BodyTimeout time.Duration
	// ForwardTo, when set, forwards every complete request to the user's
	// receiver (ForwardURL) and answers the sender what it answers, within
	// BodyTimeout; Answers and AnswerAfter must then be unset.
	ForwardTo *url.URL
	// Client forwards requests; nil means NewForwardClient.
	Client *http.Client
	// MaxAnswerBytes bounds the receiver's answer body kept and returned
	// to the sender; zero means webhook.DefaultMaxBodyBytes (P-1).
	MaxAnswerBytes int64
	// MaxAttempts and RetryInterval are the sender's schedule (D-4), told
	// on each live line of a forwarded request; zero means the defaults.
	MaxAttempts   int
	RetryInterval time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Sync is called after each line is flushed, before the answer (e.g.
	// (*os.File).Sync, to survive a machine crash); nil to skip.
	Sync func() error
	// Sender, when set, is the provider whose deliveries are captured
	// when it is not AssemblyAI: its ids group the requests (KeyOf) and
	// its rules, not AssemblyAI's, say on each live line what it does
	// next. Its signature headers are recorded as sent (they are no
	// secret); the signing secret is never given to a Recorder.
	Sender *Sender
	// OnRecord, when set, is told about each request once it is written,
	// in the file's order, with the values of its masked headers so that a
	// view can mask them wherever they appear (a receiver may echo them).
	// It is called with the recorder's lock held and must not block.
	OnRecord func(rec Record, secrets []string)
}

// Recorder is an http.Handler that records every request and answers it.
type Recorder struct {
	cfg   Config
	sem   chan struct{}
	masks map[string]bool

	mu       sync.Mutex
	seq      int64
	groups   map[string]*group
	order    []string // group keys, oldest first, for eviction
	writeErr error    // the first write error
	failing  int      // requests not written since the last one that was
	torn     bool     // the last write stopped inside a line
}

type group struct {
	attempts int
	last     time.Time
}

// NewRecorder returns a Recorder for cfg.
func NewRecorder(cfg Config) (*Recorder, error) {
	if cfg.Out == nil {
		return nil, errors.New("capture: no output")
	}
	for _, s := range cfg.Answers {
		if s < 100 || s > 599 {
			return nil, fmt.Errorf("capture: answer status %d is not an HTTP status", s)
		}
	}
	if cfg.AnswerAfter < 0 {
		return nil, fmt.Errorf("capture: negative answer delay %s", cfg.AnswerAfter)
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.MaxInFlight <= 0 {
		cfg.MaxInFlight = DefaultMaxInFlight
	}
	if cfg.MaxGroups <= 0 {
		cfg.MaxGroups = DefaultMaxGroups
	}
	if cfg.BodyTimeout <= 0 {
		cfg.BodyTimeout = DefaultBodyTimeout
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.ForwardTo != nil {
		if len(cfg.Answers) > 0 || cfg.AnswerAfter > 0 {
			return nil, errors.New("capture: a forwarded request is answered by the receiver: no answers or answer delay")
		}
		if cfg.ForwardTo.Scheme != "http" && cfg.ForwardTo.Scheme != "https" || cfg.ForwardTo.Host == "" {
			return nil, fmt.Errorf("capture: forward URL %q is not an http(s) URL", webhook.RedactTarget(cfg.ForwardTo.String()))
		}
		if cfg.Client == nil {
			cfg.Client = NewForwardClient(cfg.MaxInFlight)
		}
	}
	if cfg.MaxAnswerBytes <= 0 {
		cfg.MaxAnswerBytes = webhook.DefaultMaxBodyBytes
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = webhook.DefaultMaxAttempts
	}
	if cfg.RetryInterval <= 0 {
		cfg.RetryInterval = webhook.DefaultRetryInterval
	}
	masks := map[string]bool{"Authorization": true}
	for _, h := range cfg.MaskHeaders {
		if err := webhook.ValidateHeaderName(h); err != nil {
			return nil, fmt.Errorf("capture: mask header: %w", err)
		}
		masks[http.CanonicalHeaderKey(h)] = true
	}
	return &Recorder{
		cfg: cfg, sem: make(chan struct{}, cfg.MaxInFlight), masks: masks,
		groups: map[string]*group{},
	}, nil
}

// Count returns how many requests were written.
func (rc *Recorder) Count() int64 {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.seq
}

// Err returns the first error writing the capture file.
func (rc *Recorder) Err() error {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.writeErr
}

// ServeHTTP records r and answers the configured status. A request that
// cannot be written to the capture file gets a 503 so the sender retries
// it: only recorded requests are acknowledged.
func (rc *Recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	arrived := rc.cfg.Now()
	// The deadline is on the connection (real time): it ends a read that
	// waits on a slow sender.
	rctl := http.NewResponseController(w)
	_ = rctl.SetReadDeadline(time.Now().Add(rc.cfg.BodyTimeout))
	rec := Record{
		Time: arrived, Method: r.Method, RequestURI: r.RequestURI, Path: r.URL.Path,
		RawQuery: r.URL.RawQuery, Host: r.Host, RemoteAddr: r.RemoteAddr,
		Header: rc.mask(r.Header),
	}
	rec.Masked = rc.masked(r.Header)
	if rc.cfg.OnRecord != nil {
		for _, k := range rec.Masked {
			rec.secrets = append(rec.secrets, r.Header[k]...)
		}
	}
	body, n, truncated, release, rerr := rc.readBody(r.Context(), r.Body)
	held := int64(len(body)) >= min(rc.cfg.MaxBodyBytes, FastBodyBytes) // readBody took a slot
	if rc.cfg.ForwardTo == nil {
		// Answered by capture: the slot is free once the body is read.
		release()
		release = func() {}
	}
	// Forwarded, a body that took a slot keeps it until the receiver
	// answers: its bytes live that long.
	defer release()
	if rerr == nil {
		// The body is read: no deadline while the answer waits (a
		// deadline passing then would look like the client leaving).
		_ = rctl.SetReadDeadline(time.Time{})
	} else {
		// The rest of the body never comes: the connection ends with
		// the answer rather than wait for it.
		w.Header().Set("Connection", "close")
	}
	rec.BodyBytes, rec.BodyTruncated = n, truncated
	if utf8.Valid(body) {
		rec.Body = string(body)
	} else {
		rec.BodyBase64 = body
	}
	if rc.cfg.Sender != nil {
		rec.Key = KeyOf(rc.cfg.Sender.Signing, r.Header, body)
	} else {
		rec.Key = Key(body)
	}
	rec.Incomplete = rerr != nil || (r.ContentLength >= 0 && n != r.ContentLength)
	if rec.Incomplete {
		// Not a delivery AssemblyAI made: no attempt of the sequence.
		rec.Status = http.StatusBadRequest
	} else {
		rec.Status, rec.Attempt, rec.SincePreviousMS = rc.next(rec.Key, arrived)
	}

	if rc.cfg.ForwardTo != nil && !rec.Incomplete {
		rc.serveForwarded(w, r, &rec, body, held, arrived)
		return
	}
	if rc.cfg.AnswerAfter > 0 && !rec.Incomplete {
		t := time.NewTimer(rc.cfg.AnswerAfter)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			rec.ClientGone = true
		}
	}
	rec.AnsweredAfterMS = ms(rc.cfg.Now().Sub(arrived))
	if err := rc.write(&rec); err != nil {
		http.Error(w, "capture file not written", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(rec.Status)
	_, _ = fmt.Fprintf(w, "captured #%d\n", rec.Seq)
}

// serveForwarded answers r with what the user's receiver answers it, once
// the request and that answer are written.
func (rc *Recorder) serveForwarded(w http.ResponseWriter, r *http.Request, rec *Record, body []byte, held bool, arrived time.Time) {
	h, answer, ok := rc.forward(r, rec, body, held, arrived)
	rec.AnsweredAfterMS = ms(rc.cfg.Now().Sub(arrived))
	if err := rc.write(rec); err != nil {
		if ok {
			http.Error(w, "capture file not written", http.StatusServiceUnavailable)
			return
		}
	}
	if !ok {
		rc.holdUnanswered(r)
	}
	for k, v := range h {
		w.Header()[k] = v
	}
	if rec.Forwarded.Status == 0 {
		http.Error(w, "receiver unreachable", rec.Status)
		return
	}
	w.WriteHeader(rec.Status)
	_, _ = w.Write(answer) //nolint:gosec // the receiver's answer, returned as is to the sender, not a page

}

// readBody reads up to MaxBodyBytes and drains (and counts) the rest, so
// the sender gets its answer even for an oversized body. The first
// FastBodyBytes are read without a slot, the buffer growing only as bytes
// arrive; the rest of a longer body waits for one of MaxInFlight slots.
// err is the read's error (the client gone, the deadline passed); release
// gives back the slot, if one was taken, and must be called.
func (rc *Recorder) readBody(ctx context.Context, r io.Reader) (body []byte, n int64, truncated bool, release func(), err error) {
	release = func() {}
	limit := rc.cfg.MaxBodyBytes
	first := min(limit, FastBodyBytes)
	body, err = io.ReadAll(io.LimitReader(r, first))
	if err != nil || int64(len(body)) < first {
		return body, int64(len(body)), false, release, err
	}
	select {
	case rc.sem <- struct{}{}:
		release = func() { <-rc.sem }
	case <-ctx.Done():
		return body, int64(len(body)), false, release, fmt.Errorf("waiting for a slot: %w", ctx.Err())
	}
	more, err := io.ReadAll(io.LimitReader(r, limit-first))
	body = append(body, more...)
	if err != nil {
		return body, int64(len(body)), false, release, err
	}
	rest, err := io.Copy(io.Discard, r)
	return body, int64(len(body)) + rest, rest > 0, release, err
}

// next assigns the attempt number and status of a request of delivery key.
func (rc *Recorder) next(key string, at time.Time) (status, attempt int, since *float64) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	g := rc.groups[key]
	if g == nil {
		if len(rc.groups) >= rc.cfg.MaxGroups {
			// Forget the oldest half: bounded memory under any number of
			// distinct deliveries.
			half := len(rc.order) / 2
			for _, k := range rc.order[:half] {
				delete(rc.groups, k)
			}
			rc.order = append([]string(nil), rc.order[half:]...)
		}
		g = &group{}
		rc.groups[key] = g
		rc.order = append(rc.order, key)
	} else {
		v := ms(at.Sub(g.last))
		since = &v
	}
	g.attempts++
	g.last = at
	return rc.answer(g.attempts), g.attempts, since
}

func (rc *Recorder) answer(attempt int) int {
	if len(rc.cfg.Answers) == 0 {
		return http.StatusOK
	}
	return rc.cfg.Answers[min(attempt, len(rc.cfg.Answers))-1]
}

// write appends rec to the capture file before the request is answered;
// it numbers the record. A failed write (e.g. a full disk) is said on the
// console at once, and the next write tries again: the request is
// answered 503 so its sender retries it. A line torn by a failed write is
// ended before the next record, so the file stays readable (readers skip
// the torn line with a warning).
func (rc *Recorder) write(rec *Record) error {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.seq++
	rec.Seq = rc.seq
	line, err := json.Marshal(rec)
	if err == nil {
		line = append(line, '\n')
		if rc.torn {
			line = append([]byte{'\n'}, line...)
		}
		var n int
		n, err = rc.cfg.Out.Write(line)
		if err != nil && n > 0 && n < len(line) {
			rc.torn = true
		} else if err == nil {
			rc.torn = false
		}
	}
	if err == nil && rc.cfg.Sync != nil {
		err = rc.cfg.Sync()
	}
	if err != nil {
		rc.seq--
		err = fmt.Errorf("write capture: %w", err)
		if rc.writeErr == nil {
			rc.writeErr = err
		}
		if rc.failing == 0 {
			rc.errorf("hookcheck: %s: answering 503 so the sender retries, until the file can be written", err)
		}
		rc.failing++
		return err
	}
	if rc.failing > 0 {
		rc.errorf("hookcheck: capture file written again, after %d request(s) answered 503", rc.failing)
		rc.failing = 0
	}
	if rc.cfg.Live != nil {
		line := LiveLine(*rec)
		switch {
		case rec.Forwarded != nil:
			line += "  " + termtext.Printable(rc.nextStep(*rec), 0)
		case rc.cfg.Sender != nil:
			line += termtext.Printable(rc.senderTail(*rec), 0)
		}
		fmt.Fprintln(rc.cfg.Live, line)
	}
	if rc.cfg.OnRecord != nil {
		rc.cfg.OnRecord(*rec, rec.secrets)
	}
	return nil
}

// errorf prints a line on the error console.
func (rc *Recorder) errorf(format string, args ...any) {
	w := rc.cfg.Errors
	if w == nil {
		w = rc.cfg.Live
	}
	if w != nil {
		fmt.Fprintf(w, format+"\n", args...)
	}
}

// LiveLine is the console line of one captured attempt, without control
// characters (what the request carried cannot act on the terminal).
func LiveLine(r Record) string {
	key := r.Key
	if key == "" {
		key = "(no transcript_id/session_id)"
	}
	wait := "first attempt"
	if r.SincePreviousMS != nil {
		wait = fmt.Sprintf("+%s since attempt %d", r.SincePrevious().Round(time.Millisecond), r.Attempt-1)
	}
	gone := ""
	if r.ClientGone {
		gone = " (client gone before the answer)"
	}
	status := fmt.Sprint(r.Status)
	if r.Forwarded != nil && r.ClientGone {
		status, gone = "no answer", ""
	}
	if r.Incomplete {
		wait = "not an attempt"
		gone += " (body cut short: incomplete)"
	}
	return termtext.Printable(fmt.Sprintf("#%-5d %s  attempt %d  %s  %s %s  %d bytes from %s  -> %s%s",
		r.Seq, key, r.Attempt, wait, r.Method, r.RequestURI, r.BodyBytes, r.RemoteAddr, status, gone), 0)
}

func (rc *Recorder) mask(h http.Header) http.Header {
	c := h.Clone()
	for k := range c {
		if rc.masks[http.CanonicalHeaderKey(k)] {
			c[k] = []string{webhook.Mask}
		}
	}
	return c
}

func (rc *Recorder) masked(h http.Header) []string {
	var names []string
	for k := range h {
		if rc.masks[http.CanonicalHeaderKey(k)] {
			names = append(names, k)
		}
	}
	return names
}

// Key names the delivery a body belongs to: its transcript_id (D-2),
// session_id (S-4) or, for the redacted-audio notification that has
// neither, its redacted_audio_url (D-11). "" when the body names none.
func Key(body []byte) string {
	var v struct {
		TranscriptID     any `json:"transcript_id"`
		SessionID        any `json:"session_id"`
		RedactedAudioURL any `json:"redacted_audio_url"`
	}
	if json.Unmarshal(body, &v) != nil {
		return ""
	}
	for _, f := range []struct {
		name string
		v    any
	}{{"transcript_id", v.TranscriptID}, {"session_id", v.SessionID}, {"redacted_audio_url", v.RedactedAudioURL}} {
		if s, ok := f.v.(string); ok && s != "" {
			return f.name + ":" + s
		}
	}
	return ""
}

// Delivery is the captured attempts of one notification, in arrival order.
type Delivery struct {
	Key      string
	Attempts []Record
}

// ID returns the delivery's identifier without its field name.
func (d Delivery) ID() string {
	_, id, _ := strings.Cut(d.Key, ":")
	return id
}
