package capture

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// Forwarded is what the user's receiver answered a forwarded request
// (Config.ForwardTo): the other side of a capture record.
type Forwarded struct {
	// URL is where the request was forwarded.
	URL string `json:"url"`
	// Status is the receiver's status; 0 when it gave none.
	Status int `json:"status,omitempty"`
	// Header is the receiver's answer headers.
	Header http.Header `json:"headers,omitempty"`
	// Body is the answer's body when valid UTF-8, up to MaxAnswerBytes.
	Body string `json:"body,omitempty"`
	// BodyBase64 holds a body that is not valid UTF-8.
	BodyBase64 []byte `json:"body_base64,omitempty"`
	// BodyTruncated says the answer's body was longer than kept and sent
	// back.
	BodyTruncated bool `json:"body_truncated,omitempty"`
	// DurationMS is the time from forwarding to the end of the answer (or
	// the failure).
	DurationMS float64 `json:"duration_ms"`
	// TimedOut says the receiver gave no answer within the sender's
	// deadline (D-3): the sender was given none either.
	TimedOut bool `json:"timed_out,omitempty"`
	// Error says why there is no answer (unreachable, deadline passed).
	Error string `json:"error,omitempty"`
}

// hopByHop are the headers that belong to one connection, never
// forwarded (RFC 9110 §7.6.1).
var hopByHop = []string{"Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization",
	"Proxy-Connection", "Te", "Trailer", "Transfer-Encoding", "Upgrade"}

// endToEnd returns h without hop-by-hop headers, nor those the Connection
// header names.
func endToEnd(h http.Header) http.Header {
	c := h.Clone()
	for _, v := range h.Values("Connection") {
		for _, name := range bytes.Split([]byte(v), []byte(",")) {
			c.Del(textproto.TrimString(string(name)))
		}
	}
	for _, k := range hopByHop {
		c.Del(k)
	}
	for k := range c {
		if len(k) > 6 && http.CanonicalHeaderKey(k[:6]) == "Proxy-" {
			c.Del(k)
		}
	}
	return c
}

// ForwardURL is where a request for path?query goes: the forward URL's
// path replaces the request's (as `stripe listen --forward-to` does) and
// the request's query is kept byte for byte; a forward URL without a path
// keeps the request's path. A request without a query takes the forward
// URL's own query, if any.
func ForwardURL(to *url.URL, r *url.URL) *url.URL {
	u := *to
	if to.Path == "" && to.RawPath == "" {
		u.Path, u.RawPath = r.Path, r.RawPath
	}
	if r.RawQuery != "" {
		u.RawQuery = r.RawQuery
	}
	u.Fragment, u.RawFragment = "", ""
	return &u
}

// NewForwardClient returns the client that forwards requests: no proxy
// from the environment (the receiver is usually on localhost), no
// redirect followed (the sender sees the 3xx and decides), no added
// Accept-Encoding.
func NewForwardClient(maxConns int) *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			Proxy: nil, DisableCompression: true, MaxIdleConnsPerHost: max(maxConns, 2),
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// forward sends the recorded request to the receiver and fills
// rec.Forwarded and rec.Status. It returns the answer to give the sender:
// its headers and body, or ok false when the sender gets no answer.
// held says the request holds a slot already.
func (rc *Recorder) forward(r *http.Request, rec *Record, body []byte, held bool, arrived time.Time) (http.Header, []byte, bool) {
	target := ForwardURL(rc.cfg.ForwardTo, r.URL)
	f := &Forwarded{URL: webhook.RedactTarget(target.String())}
	rec.Forwarded = f
	start := time.Now()
	defer func() { f.DurationMS = ms(time.Since(start)) }()
	if rec.BodyTruncated {
		f.Error = fmt.Sprintf("body of %d bytes is longer than the %d kept: not forwarded", rec.BodyBytes, rc.cfg.MaxBodyBytes)
		rec.Status = http.StatusBadGateway
		return nil, nil, true
	}
	// The sender's deadline runs from the request's arrival (D-3); the
	// receiver sees the forward end when the sender leaves.
	ctx, cancel := context.WithDeadline(r.Context(), arrived.Add(rc.cfg.BodyTimeout))
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, r.Method, target.String(), bytes.NewReader(body)) //nolint:gosec // the user chose the receiver (--forward-to)
	if err != nil {
		f.Error = err.Error()
		rec.Status = http.StatusBadGateway
		return nil, nil, true
	}
	req.Header = endToEnd(r.Header)
	if _, ok := req.Header["User-Agent"]; !ok {
		req.Header["User-Agent"] = []string{""} // not Go's own
	}
	resp, err := rc.cfg.Client.Do(req) //nolint:gosec // the user chose the receiver (--forward-to)
	var answer []byte
	if err == nil {
		answer, f.BodyTruncated, err = rc.readAnswer(ctx, resp.Body, held)
		_ = resp.Body.Close()
		f.Status, f.Header = resp.StatusCode, endToEnd(resp.Header)
		f.Header.Del("Content-Length")
		if utf8.Valid(answer) {
			f.Body = string(answer)
		} else {
			f.BodyBase64 = answer
		}
	}
	switch {
	case err == nil:
		rec.Status = f.Status
		return f.Header, answer, true
	case r.Context().Err() != nil:
		// The sender left first: nothing more to answer.
		f.Error = "the sender left before the receiver answered"
		rec.Status, rec.ClientGone = http.StatusGatewayTimeout, true
		return nil, nil, false
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded):
		f.TimedOut = true
		f.Error = fmt.Sprintf("no answer within %s (D-3): the sender gets none either", rc.cfg.BodyTimeout)
		rec.Status, rec.ClientGone = http.StatusGatewayTimeout, true
		return nil, nil, false
	default:
		f.Error = err.Error()
		rec.Status = http.StatusBadGateway
		return nil, nil, true
	}
}

// readAnswer keeps up to MaxAnswerBytes of the receiver's answer and
// drains the rest; a longer limit than FastBodyBytes takes a slot, as a
// request body does, unless the request holds one (held).
func (rc *Recorder) readAnswer(ctx context.Context, r io.Reader, held bool) (body []byte, truncated bool, err error) {
	limit := rc.cfg.MaxAnswerBytes
	if limit > FastBodyBytes && !held {
		select {
		case rc.sem <- struct{}{}:
			defer func() { <-rc.sem }()
		case <-ctx.Done():
			return nil, false, fmt.Errorf("waiting for a slot: %w", ctx.Err())
		}
	}
	body, err = io.ReadAll(io.LimitReader(r, limit))
	if err != nil {
		return body, false, fmt.Errorf("read answer: %w", err)
	}
	rest, err := io.Copy(io.Discard, r)
	if err != nil {
		err = fmt.Errorf("read answer: %w", err)
	}
	return body, rest > 0, err
}

// holdUnanswered keeps a timed-out request unanswered until the sender
// gives up, as AssemblyAI's deadline (D-3) would, for at most two more
// deadlines (a sender whose clock runs late); then the connection is
// closed without an answer.
func (rc *Recorder) holdUnanswered(r *http.Request) {
	t := time.NewTimer(2 * rc.cfg.BodyTimeout)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
	}
	panic(http.ErrAbortHandler)
}

// nextStep returns what the sender does after the answer of attempt rec: the
// tail of a live line (D-4, D-5).
func (rc *Recorder) nextStep(rec Record) string {
	f := rec.Forwarded
	var head string
	switch {
	case f.TimedOut:
		head = fmt.Sprintf("no answer in %s (D-3)", rc.cfg.BodyTimeout)
	case rec.ClientGone:
		head = fmt.Sprintf("no answer in %s: the sender gave up first (D-3)", fromMS(f.DurationMS).Round(time.Millisecond))
	case f.Status == 0:
		head = fmt.Sprintf("502 (receiver unreachable: %s) in %s", f.Error, fromMS(f.DurationMS).Round(time.Millisecond))
	default:
		head = fmt.Sprintf("%d in %s", f.Status, fromMS(f.DurationMS).Round(time.Millisecond))
	}
	if s := rc.cfg.Sender; s != nil {
		head = strings.TrimSuffix(head, " (D-3)")
		status := f.Status
		if rec.ClientGone || f.TimedOut {
			status = 0
		}
		var ra string
		if f.Header != nil {
			ra = f.Header.Get("Retry-After")
		}
		return head + ": " + s.Next(rec.Attempt, status, ra)
	}
	switch {
	case f.Status >= 200 && f.Status < 300:
		return head + ": acknowledged"
	case f.Status >= 400 && f.Status < 500:
		return head + ": a 4xx ends the schedule, the notification is lost (D-5)"
	case rec.Attempt >= rc.cfg.MaxAttempts:
		return fmt.Sprintf("%s: that was attempt %d of %d, the notification is lost (D-4)", head, rec.Attempt, rc.cfg.MaxAttempts)
	default:
		return fmt.Sprintf("%s: AssemblyAI retries in %s, attempt %d of %d (D-4)", head, rc.cfg.RetryInterval, rec.Attempt+1, rc.cfg.MaxAttempts)
	}
}
