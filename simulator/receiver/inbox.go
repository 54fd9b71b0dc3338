package receiver

import (
	"net/http"
	"slices"
	"sync"
	"time"
)

// Request is one request as a receiver got it: the evidence a test or the
// conformance suite inspects.
type Request struct {
	// Time is when the request arrived, from Config.Now.
	Time time.Time
	// Method is the HTTP method.
	Method string
	// Path is r.URL.Path, decoded.
	Path string
	// RawQuery is the query exactly as sent, without "?" (D-9).
	RawQuery string
	// RequestURI is the request target exactly as sent.
	RequestURI string
	// Header is every header received, auth header included: the inbox is
	// evidence, unlike logs.
	Header http.Header
	// Body is the body, cut at Config.MaxBodyBytes and at MaxInboxBodyBytes.
	Body []byte
	// BodyTruncated says Body was cut.
	BodyTruncated bool
	// RemoteAddr is the socket peer, "ip:port".
	RemoteAddr string
	// Status is the status answered; 0 while the request is in progress
	// and when there was no HTTP answer (connection hijacked, or the
	// client left first).
	Status int
}

// Inbox records requests and the side effects of processing them. It is
// safe for concurrent use; its zero value is empty and ready.
type Inbox struct {
	mu        sync.Mutex
	requests  []*Request
	processed map[string]int
}

// NewInbox returns an empty inbox.
func NewInbox() *Inbox { return &Inbox{} }

// Requests returns a copy of every request recorded, oldest first.
func (in *Inbox) Requests() []Request {
	in.mu.Lock()
	defer in.mu.Unlock()
	out := make([]Request, len(in.requests))
	for i, r := range in.requests {
		out[i] = r.clone()
	}
	return out
}

// Len returns the number of requests recorded.
func (in *Inbox) Len() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	return len(in.requests)
}

// Processed returns how many times the notification for transcriptID had
// its side effect. A compliant receiver never goes above 1.
func (in *Inbox) Processed(transcriptID string) int {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.processed[transcriptID]
}

// Reset forgets every request and every processed transcript, so the next
// delivery of any id is a first delivery again.
func (in *Inbox) Reset() {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.requests = nil
	in.processed = nil
}

// MaxInboxBodyBytes is how much of each body the inbox keeps. A session
// webhook can be megabytes (S-5); keeping all of every one would make the
// inbox grow with each delivery of a long session, while a test needs only
// the start of a body to tell what it was.
const MaxInboxBodyBytes = 64 << 10

// add records r and returns the stored entry so its status can be set when
// the answer is known.
func (in *Inbox) add(r Request) *Request {
	if len(r.Body) > MaxInboxBodyBytes {
		// A copy, so that the inbox does not pin the whole body.
		r.Body, r.BodyTruncated = slices.Clone(r.Body[:MaxInboxBodyBytes]), true
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	e := &r
	in.requests = append(in.requests, e)
	return e
}

// answered sets the status of an entry that add returned. After a Reset the
// entry is no longer listed and the update is harmless.
func (in *Inbox) answered(e *Request, status int) {
	in.mu.Lock()
	defer in.mu.Unlock()
	e.Status = status
}

// processOnce does the side effect of a transcript-ready notification
// unless it was already done, and reports whether this was the first time.
// Check and mark happen under one lock, so concurrent redeliveries of one id
// cannot both be processed (D-4 retries can overlap a slow first attempt).
func (in *Inbox) processOnce(transcriptID string) bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.processed[transcriptID] > 0 {
		return false
	}
	if in.processed == nil {
		in.processed = make(map[string]int)
	}
	in.processed[transcriptID]++
	return true
}

// clone deep-copies r so callers cannot change the inbox.
func (r *Request) clone() Request {
	c := *r
	c.Header = r.Header.Clone()
	c.Body = slices.Clone(r.Body)
	return c
}
