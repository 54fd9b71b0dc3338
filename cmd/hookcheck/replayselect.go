package main

import (
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/hookcheck/hookcheck/internal/termtext"
	"github.com/hookcheck/hookcheck/simulator/capture"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// previewBytes bounds the body preview --dry-run prints.
const previewBytes = 120

// replaySelection is what replay --select asked for: requests by sequence
// number (a record's "seq", the #N capture and replay print) and
// deliveries by transcript_id or session_id.
type replaySelection struct {
	values []string
	seqs   map[int64]string
	keys   map[string]string
	hit    map[string]bool
}

// parseSelection reads the --select values; none selects every delivery.
func parseSelection(values []string) (*replaySelection, error) {
	if len(values) == 0 {
		return nil, nil
	}
	s := &replaySelection{values: values, seqs: map[int64]string{}, keys: map[string]string{}, hit: map[string]bool{}}
	for _, v := range values {
		switch n, err := strconv.ParseInt(v, 10, 64); {
		case err == nil && n >= 1:
			s.seqs[n] = v
		case err == nil || v == "":
			return nil, usagef("--select %q: want a sequence number (1 or more), a transcript_id or a session_id", termtext.Printable(v, 80))
		case strings.HasPrefix(v, "transcript_id:") || strings.HasPrefix(v, "session_id:"):
			s.keys[v] = v
		default:
			s.keys["transcript_id:"+v] = v
			s.keys["session_id:"+v] = v
		}
	}
	return s, nil
}

// match says whether r is selected: bySeq when by its sequence number
// (sent even if it is a retry), byKey when by its delivery's id (only the
// first attempt is sent). It notes which values matched.
func (s *replaySelection) match(r capture.Record) (bySeq, byKey bool) {
	if v, ok := s.seqs[r.Seq]; ok {
		s.hit[v], bySeq = true, true
	}
	if v, ok := s.keys[r.Key]; ok && r.Key != "" {
		s.hit[v], byKey = true, true
	}
	return bySeq, byKey
}

// unmatched is a usage error naming the first --select value no record
// matched, or nil.
func (s *replaySelection) unmatched(path string) error {
	for _, v := range s.values {
		if !s.hit[v] {
			return usagef("--select %q matches no request in %s (sequence numbers are the capture's #N; a cut request needs --include-incomplete)",
				termtext.Printable(v, 80), path)
		}
	}
	return nil
}

// dryRunOne prints what replay would send for r to w: method, URL, the
// headers (masked ones and secrets masked), the body's size and a short
// preview, all made safe for a terminal. It sends nothing.
func dryRunOne(w io.Writer, base *url.URL, r capture.Record) {
	key := termtext.Printable(orNone(r.Key), 200)
	if r.BodyTruncated {
		fmt.Fprintf(w, "#%d delivery %s: would not be replayed: its body was cut by the capture (%d bytes)\n", r.Seq, key, r.BodyBytes)
		return
	}
	u := *base
	u.RawQuery, u.ForceQuery = r.RawQuery, false
	fmt.Fprintf(w, "#%d delivery %s: would send %s %s\n", r.Seq, key,
		termtext.Printable(r.Method, 40), termtext.Printable(webhook.RedactTarget(u.String()), 0))
	masked := map[string]bool{}
	for _, k := range r.Masked {
		masked[strings.ToLower(k)] = true
	}
	h := http.Header{}
	for k, vs := range r.Header {
		if !transportHeaders[k] {
			h[k] = vs
		}
	}
	// The sender's D-12 set (simulator/webhook headerSet) fills in what
	// the capture lacks.
	for k, v := range map[string]string{"Accept": "*/*", "Accept-Encoding": "gzip, deflate"} {
		if _, ok := h[k]; !ok {
			h[k] = []string{v}
		}
	}
	names := slices.Sorted(maps.Keys(h))
	for _, k := range names {
		for _, v := range h[k] {
			if masked[strings.ToLower(k)] || secretHeader(k) {
				v = webhook.Mask
				if masked[strings.ToLower(k)] {
					v += " (value from " + envAuthHeaderValue + ")"
				}
			}
			fmt.Fprintf(w, "  %s: %s\n", termtext.Printable(k, 80), termtext.Printable(v, 200))
		}
	}
	body := r.BodyBytesRaw()
	preview := termtext.Printable(string(body), previewBytes)
	if len(preview) < len(body) {
		preview += "..."
	}
	fmt.Fprintf(w, "  body: %d bytes: %s\n", len(body), preview)
}

// secretHeader says a header's value is a credential whatever the capture
// masked: it is never printed.
func secretHeader(name string) bool {
	n := strings.ToLower(name)
	switch n {
	case "authorization", "proxy-authorization", "cookie", "set-cookie":
		return true
	}
	for _, s := range []string{"secret", "token", "signature", "api-key", "apikey", "password"} {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}
