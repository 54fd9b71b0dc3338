package receiver

import (
	"net/http"
	"slices"
	"strings"
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

// The limits of the inbox the hookcheck receiver command keeps (its
// --keep-requests and --dedup-ids defaults).
const (
	// DefaultMaxRequests is how many of the latest requests are kept.
	DefaultMaxRequests = 1000
	// DefaultMaxIDs is how many transcript ids are remembered for
	// deduplication: far more than AssemblyAI can redeliver in its ~100 s
	// schedule (D-4) at any realistic rate.
	DefaultMaxIDs = 100_000
)

// InboxLimits bound what an Inbox keeps, so that a receiver that runs for
// long keeps bounded memory (issue 11: an unbounded inbox grew to 1 GB
// after 485,521 requests). Zero means unbounded.
type InboxLimits struct {
	// MaxRequests keeps only the latest requests; older ones are dropped.
	MaxRequests int
	// MaxIDs bounds the processed transcript ids that deduplication
	// remembers; the oldest is forgotten first, and a redelivery of a
	// forgotten id is processed again.
	MaxIDs int
}

// Inbox records requests and the side effects of processing them. It is
// safe for concurrent use; its zero value is empty, ready and unbounded
// (a test's inbox); NewBoundedInbox keeps a window.
type Inbox struct {
	mu     sync.Mutex
	limits InboxLimits
	// requests is a ring when MaxRequests is set: head is the oldest.
	requests []*Request
	head     int
	total    int64 // requests ever recorded since the last Reset
	// processed counts each id's side effects; ids holds them oldest
	// first (a ring from idHead) when MaxIDs is set, for eviction.
	processed map[string]int
	ids       []string
	idHead    int
}

// NewInbox returns an empty, unbounded inbox.
func NewInbox() *Inbox { return &Inbox{} }

// NewBoundedInbox returns an empty inbox that keeps at most l.
func NewBoundedInbox(l InboxLimits) *Inbox { return &Inbox{limits: l} }

// Limits returns the inbox's bounds (zero fields: unbounded).
func (in *Inbox) Limits() InboxLimits { return in.limits }

// Requests returns a copy of every request kept, oldest first: with
// MaxRequests, the latest ones only.
func (in *Inbox) Requests() []Request {
	in.mu.Lock()
	defer in.mu.Unlock()
	out := make([]Request, 0, len(in.requests))
	for i := range in.requests {
		out = append(out, in.requests[(in.head+i)%len(in.requests)].clone())
	}
	return out
}

// Len returns the number of requests kept.
func (in *Inbox) Len() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	return len(in.requests)
}

// Total returns the number of requests recorded since the inbox was made
// or Reset, those dropped from the window included.
func (in *Inbox) Total() int64 {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.total
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
	in.requests, in.head, in.total = nil, 0, 0
	in.processed, in.ids, in.idHead = nil, nil, 0
}

// MaxInboxBodyBytes is how much of each body the inbox keeps. A session
// webhook can be megabytes (S-5); keeping all of every one would make the
// inbox grow with each delivery of a long session, while a test needs only
// the start of a body to tell what it was.
const MaxInboxBodyBytes = 64 << 10

// add records r and returns the stored entry so its status can be set when
// the answer is known. With MaxRequests, the oldest request makes room.
func (in *Inbox) add(r Request) *Request {
	if len(r.Body) > MaxInboxBodyBytes {
		// A copy, so that the inbox does not pin the whole body.
		r.Body, r.BodyTruncated = slices.Clone(r.Body[:MaxInboxBodyBytes]), true
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	e := &r
	in.total++
	if max := in.limits.MaxRequests; max > 0 && len(in.requests) >= max {
		in.requests[in.head] = e
		in.head = (in.head + 1) % len(in.requests)
		return e
	}
	in.requests = append(in.requests, e)
	return e
}

// answered sets the status of an entry that add returned. After a Reset, or
// once the entry left the window, the update is harmless.
func (in *Inbox) answered(e *Request, status int) {
	in.mu.Lock()
	defer in.mu.Unlock()
	e.Status = status
}

// processOnce does the side effect of a transcript-ready notification
// unless it was already done, and reports whether this was the first time.
// Check and mark happen under one lock, so concurrent redeliveries of one id
// cannot both be processed (D-4 retries can overlap a slow first attempt).
// With MaxIDs, the oldest id is forgotten to make room.
func (in *Inbox) processOnce(transcriptID string) bool { return in.process(transcriptID, false) }

// processAgain does the side effect whether or not it was done before, as
// a receiver that does not deduplicate does; it reports whether this was
// the first time.
func (in *Inbox) processAgain(id string) bool { return in.process(id, true) }

// process does id's side effect, again only when again is set.
func (in *Inbox) process(transcriptID string, again bool) bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	if n := in.processed[transcriptID]; n > 0 {
		if again {
			in.processed[transcriptID]++
		}
		return false
	}
	if in.processed == nil {
		in.processed = make(map[string]int)
	}
	// The id may share memory with the request's body: keep only its bytes.
	transcriptID = strings.Clone(transcriptID)
	if max := in.limits.MaxIDs; max > 0 {
		if len(in.ids) >= max {
			delete(in.processed, in.ids[in.idHead])
			in.ids[in.idHead] = transcriptID
			in.idHead = (in.idHead + 1) % len(in.ids)
		} else {
			in.ids = append(in.ids, transcriptID)
		}
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
