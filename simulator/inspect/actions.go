package inspect

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hookcheck/hookcheck/reports/repro"
	"github.com/hookcheck/hookcheck/simulator/api"
	"github.com/hookcheck/hookcheck/simulator/capture"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// Accepted is what an action that started something answers.
type Accepted struct {
	TranscriptID string `json:"transcript_id"`
}

// notify answers POST /api/deliveries/{id}/notify: the transcript of
// delivery id is notified again, a new delivery with the whole schedule.
func (in *Inspector) notify(w http.ResponseWriter, r *http.Request) {
	row, _, _, ok := in.model.get(r.PathValue("id"))
	if !ok {
		writeError(w, http.StatusNotFound, errGone.Error())
		return
	}
	srv := in.api()
	if srv == nil {
		writeError(w, http.StatusServiceUnavailable, "the emulated API is not running yet")
		return
	}
	if err := srv.Renotify(row.TranscriptID); err != nil {
		code := http.StatusConflict
		if errors.Is(err, api.ErrShuttingDown) {
			code = http.StatusServiceUnavailable
		}
		writeError(w, code, err.Error())
		return
	}
	writeJSON(w, http.StatusAccepted, Accepted{TranscriptID: row.TranscriptID})
}

// CreateRequest is the body of POST /api/transcripts: the options of
// serve-api's magic audio_url values and --fault.
type CreateRequest struct {
	// WebhookURL is where the notification goes. Required.
	WebhookURL string `json:"webhook_url"`
	// Status is how the transcript ends: "completed" (default) or
	// "error" (the hookcheck=error magic value).
	Status string `json:"status,omitempty"`
	// After is the processing delay, a Go duration ("5s"); empty means
	// serve-api's --processing-delay (hookcheck=delay:5s).
	After string `json:"after,omitempty"`
	// Fault makes the transcript's GET misbehave, as --fault does: "slow"
	// (delay=15s), "500" (status=500,times=2), "429"
	// (status=429,retry-after=2s,times=2) or a --fault SPEC such as
	// "status=503,times=3". Empty means none.
	Fault string `json:"fault,omitempty"`
	// WebhookAuthHeaderName and WebhookAuthHeaderValue set the D-8
	// header, as in POST /v2/transcript.
	WebhookAuthHeaderName  string `json:"webhook_auth_header_name,omitempty"`
	WebhookAuthHeaderValue string `json:"webhook_auth_header_value,omitempty"`
}

// faultPresets are the faults the page offers by name.
var faultPresets = map[string]string{
	"slow": "delay=15s",
	"500":  "status=500,times=2",
	"429":  "status=429,retry-after=2s,times=2",
}

// create answers POST /api/transcripts.
func (in *Inspector) create(w http.ResponseWriter, r *http.Request) {
	var req CreateRequest
	if err := readAction(r, &req); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	id, err := in.Create(req)
	if err != nil {
		code := http.StatusBadRequest
		if errors.Is(err, api.ErrShuttingDown) {
			code = http.StatusServiceUnavailable
		}
		writeError(w, code, err.Error())
		return
	}
	writeJSON(w, http.StatusCreated, Accepted{TranscriptID: id})
}

// Create queues the transcript req describes on the emulated API and
// returns its id.
func (in *Inspector) Create(req CreateRequest) (string, error) {
	srv := in.api()
	if srv == nil {
		return "", errors.New("the emulated API is not running yet")
	}
	if req.WebhookURL == "" {
		return "", errors.New("webhook_url is required")
	}
	q := url.Values{}
	switch req.Status {
	case "", string(api.StatusCompleted):
	case string(api.StatusError):
		q.Add(api.MagicParam, api.MagicError)
	default:
		return "", fmt.Errorf("status %q: want completed or error", req.Status)
	}
	if req.After != "" {
		d, err := time.ParseDuration(req.After)
		if err != nil || d < 0 || d > api.MaxProcessingDelay {
			return "", fmt.Errorf("after %q: want a duration such as 5s", req.After)
		}
		q.Add(api.MagicParam, api.MagicDelayPrefix+d.String())
	}
	var fault api.Fault
	if req.Fault != "" {
		spec := req.Fault
		if p, ok := faultPresets[spec]; ok {
			spec = p
		}
		f, err := repro.ParseFault("x:" + spec)
		if err != nil {
			return "", fmt.Errorf("fault %q: want slow, 500, 429 or key=value pairs (status, times, delay, retry-after, for)", req.Fault)
		}
		fault = f.Fault()
	}
	body := map[string]any{"audio_url": "https://cdn.assemblyai.example/inspector.wav?" + q.Encode(), "webhook_url": req.WebhookURL}
	if req.WebhookAuthHeaderName != "" || req.WebhookAuthHeaderValue != "" {
		body["webhook_auth_header_name"], body["webhook_auth_header_value"] = req.WebhookAuthHeaderName, req.WebhookAuthHeaderValue
	}
	b, err := json.Marshal(body)
	if err != nil {
		return "", fmt.Errorf("create transcript: %w", err)
	}
	id, err := srv.Create(b, "")
	if err != nil {
		return "", err
	}
	if fault != (api.Fault{}) {
		if err := srv.SetFault(id, fault); err != nil {
			return id, err
		}
	}
	return id, nil
}

// ReplayRequest is the body of POST /api/deliveries/{id}/replay.
type ReplayRequest struct {
	// URL receives the delivery's first request; empty means capture's
	// --forward-to. It must be a loopback address or --forward-to's host.
	URL string `json:"url,omitempty"`
}

// ReplayResult is what the replay got.
type ReplayResult struct {
	URL        string  `json:"url"`
	Status     int     `json:"status,omitempty"`
	DurationMS float64 `json:"duration_ms"`
	// Body is the start of the answer's body (4 KiB at most).
	Body  string `json:"body,omitempty"`
	Error string `json:"error,omitempty"`
}

// maxReplayAnswer bounds the answer body a replay keeps.
const maxReplayAnswer = 4 << 10

// replay answers POST /api/deliveries/{id}/replay.
func (in *Inspector) replay(w http.ResponseWriter, r *http.Request) {
	var req ReplayRequest
	if err := readAction(r, &req); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	res, code, err := in.Replay(r, r.PathValue("id"), req.URL)
	if err != nil {
		writeError(w, code, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// Replay sends the first captured request of delivery id to raw (default
// --forward-to): method, headers but the masked and hop-by-hop ones, body
// byte for byte, the target's path replacing the request's as
// --forward-to does.
func (in *Inspector) Replay(r *http.Request, id, raw string) (ReplayResult, int, error) {
	_, recs, secrets, ok := in.model.get(id)
	if !ok || len(recs) == 0 {
		return ReplayResult{}, http.StatusNotFound, errGone
	}
	to, err := in.replayTarget(raw)
	if err != nil {
		return ReplayResult{}, http.StatusBadRequest, err
	}
	rec := recs[0]
	if rec.BodyTruncated || rec.Incomplete {
		return ReplayResult{}, http.StatusConflict, errors.New("the captured body is not whole: it cannot be replayed byte for byte")
	}
	u := capture.ForwardURL(to, &url.URL{Path: rec.Path, RawQuery: rec.RawQuery})
	req, err := http.NewRequestWithContext(r.Context(), rec.Method, u.String(), bytes.NewReader(rec.BodyBytesRaw()))
	if err != nil {
		return ReplayResult{}, http.StatusBadRequest, fmt.Errorf("replay: %w", err)
	}
	masked := map[string]bool{}
	for _, k := range rec.Masked {
		masked[http.CanonicalHeaderKey(k)] = true
	}
	for k, vs := range rec.Header {
		ck := http.CanonicalHeaderKey(k)
		if masked[ck] || ck == "Host" || ck == "Content-Length" || ck == "Connection" || ck == "Transfer-Encoding" {
			continue
		}
		req.Header[ck] = append([]string(nil), vs...)
	}
	res := ReplayResult{URL: webhook.RedactTarget(u.String())}
	start := time.Now()
	resp, err := in.opts.Client.Do(req)
	res.DurationMS = ms(time.Since(start))
	if err != nil {
		res.Error = webhook.NewRedactor(secrets...).String(err.Error())
		return res, http.StatusOK, nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxReplayAnswer))
	res.Status = resp.StatusCode
	if utf8.Valid(b) {
		res.Body = webhook.NewRedactor(secrets...).String(string(b))
	}
	return res, http.StatusOK, nil
}

// replayTarget checks where a replay may go: an http(s) URL on a loopback
// address or on --forward-to's host, so the page cannot be used to send
// captured deliveries elsewhere.
func (in *Inspector) replayTarget(raw string) (*url.URL, error) {
	if raw == "" {
		if in.opts.ForwardTo == nil {
			return nil, errors.New("url is required (capture has no --forward-to)")
		}
		return in.opts.ForwardTo, nil
	}
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("url %q: want an http(s) URL", raw)
	}
	host := u.Hostname()
	if in.opts.ForwardTo != nil && strings.EqualFold(host, in.opts.ForwardTo.Hostname()) {
		return u, nil
	}
	if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
		return u, nil
	}
	return nil, fmt.Errorf("url %q: a replay goes to a loopback address or to --forward-to's host", raw)
}
