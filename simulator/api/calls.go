package api

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultMaxCalls bounds each part of the call log when Config.MaxCalls is
// zero.
const DefaultMaxCalls = 10000

// Call is one request the emulated API received: evidence of what a client
// (a receiver fetching its transcript after a notification, say) did. The
// API key is never part of it, only whether it was right. A request not
// answered yet when the log is read is InFlight: it is evidence too (a
// fetch the API holds back, RC-15, may be the very cause of a failure).
type Call struct {
	// At is when the request arrived, on the server's clock.
	At time.Time `json:"at"`
	// Method and Path are the request's; the query is left out.
	Method string `json:"method"`
	Path   string `json:"path"`
	// TranscriptID is the transcript the call concerns: the id in the path,
	// or the one a POST /v2/transcript created. Empty when none.
	TranscriptID string `json:"transcript_id"`
	// Authorized reports whether the request carried an accepted API key
	// . The audio URLs answer without one.
	Authorized bool `json:"authorized"`
	// Status is the HTTP status answered; 0 when the client went away
	// before any answer (e.g. during a Fault's delay).
	Status int `json:"status"`
	// DurationMS is how long the answer took, on the server's clock; 0
	// while InFlight.
	DurationMS float64 `json:"duration_ms"`
	// InFlight says the request was still waiting for its answer when
	// the log was read: Status is 0 and WaitedMS says for how long.
	InFlight bool `json:"in_flight,omitempty"`
	// WaitedMS is how long an in-flight request had waited by then, on
	// the server's clock.
	WaitedMS float64 `json:"waited_ms,omitempty"`
}

// maxWrongKeyEvidence bounds the calls refused for their key (401) that
// the evidence log keeps per known transcript; later ones go to the other
// log, so a flood with a wrong key cannot push out a transcript's fetches.
const maxWrongKeyEvidence = 16

// callLog keeps answered calls in two rings of max calls each, oldest
// dropped first, so a long serve-api session holds bounded memory:
//   - evidence: the calls concerning a transcript the server knows (one it
//     created or seeded and has not evicted), at most maxWrongKeyEvidence
//     of them refused for their key per transcript;
//   - other: every other call, a wrong key or an unknown transcript, the
//     list endpoint, the inspection endpoints.
//
// A flood of bad-key requests, or of requests for transcripts that do not
// exist, fills only the other ring and never evicts the receiver's fetches
// of the transcripts a run notified. The calls not answered yet wait beside
// both rings, as many as requests in progress.
type callLog struct {
	mu       sync.Mutex
	evidence ring
	other    ring
	wrongKey map[string]int  // 401 calls in evidence, by transcript
	seq      uint64          // answered calls so far: the order of answers
	pending  map[uint64]Call // by ticket, until answered
	ticket   uint64          // the last ticket handed out
	known    func(id string) bool
}

// loggedCall is a call with its place in the order of answers.
type loggedCall struct {
	seq uint64
	Call
}

// ring keeps the last max calls added, oldest overwritten first.
type ring struct {
	buf     []loggedCall
	next    int // where the next call goes once buf is full
	max     int
	dropped int
}

// add keeps c; it returns the call it dropped to make room, if any.
func (r *ring) add(c loggedCall) (loggedCall, bool) {
	if len(r.buf) < r.max {
		r.buf = append(r.buf, c)
		return loggedCall{}, false
	}
	old := r.buf[r.next]
	r.buf[r.next] = c
	r.next = (r.next + 1) % r.max
	r.dropped++
	return old, true
}

// at returns the i-th oldest call kept.
func (r *ring) at(i int) loggedCall { return r.buf[(r.next+i)%len(r.buf)] }

// newCallLog returns a log of max calls per ring; known tells whether a
// transcript id is one the server holds. known is called without the
// log's lock held.
func newCallLog(max int, known func(id string) bool) *callLog {
	return &callLog{evidence: ring{max: max}, other: ring{max: max}, wrongKey: map[string]int{},
		pending: map[uint64]Call{}, known: known}
}

// begin records c as arrived and not answered yet; end with its ticket.
func (l *callLog) begin(c Call) uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ticket++
	l.pending[l.ticket] = c
	return l.ticket
}

// end replaces the in-flight call of ticket with c, answered.
func (l *callLog) end(ticket uint64, c Call) {
	known := c.TranscriptID != "" && l.known != nil && l.known(c.TranscriptID)
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.pending, ticket)
	l.seq++
	lc := loggedCall{seq: l.seq, Call: c}
	wrongKey := c.Status == http.StatusUnauthorized
	if !known || (wrongKey && l.wrongKey[c.TranscriptID] >= maxWrongKeyEvidence) {
		l.other.add(lc)
		return
	}
	if wrongKey {
		l.wrongKey[c.TranscriptID]++
	}
	if old, dropped := l.evidence.add(lc); dropped && old.Status == http.StatusUnauthorized {
		if l.wrongKey[old.TranscriptID]--; l.wrongKey[old.TranscriptID] <= 0 {
			delete(l.wrongKey, old.TranscriptID)
		}
	}
}

// list returns the kept calls of both rings in the order they were
// answered, then those still in flight at now in the order they arrived
// (InFlight, with WaitedMS), except the one of ticket skip; only those of
// transcriptID unless it is empty. It also returns how many older calls
// were dropped in all, and how many of them concerned known transcripts.
func (l *callLog) list(transcriptID string, now time.Time, skip uint64) (calls []Call, dropped, droppedEvidence int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := []Call{}
	keep := func(c loggedCall) {
		if transcriptID == "" || c.TranscriptID == transcriptID {
			out = append(out, c.Call)
		}
	}
	i, j := 0, 0 // merge the rings, each in the order of answers
	for i < len(l.evidence.buf) && j < len(l.other.buf) {
		if e, o := l.evidence.at(i), l.other.at(j); e.seq < o.seq {
			keep(e)
			i++
		} else {
			keep(o)
			j++
		}
	}
	for ; i < len(l.evidence.buf); i++ {
		keep(l.evidence.at(i))
	}
	for ; j < len(l.other.buf); j++ {
		keep(l.other.at(j))
	}
	tickets := make([]uint64, 0, len(l.pending))
	for t, c := range l.pending {
		if t != skip && (transcriptID == "" || c.TranscriptID == transcriptID) {
			tickets = append(tickets, t)
		}
	}
	slices.Sort(tickets) // tickets are handed out as requests arrive
	for _, t := range tickets {
		c := l.pending[t]
		c.InFlight = true
		c.WaitedMS = float64(max(now.Sub(c.At), 0)) / float64(time.Millisecond)
		out = append(out, c)
	}
	return out, l.evidence.dropped + l.other.dropped, l.evidence.dropped
}

// Calls returns the requests the server has received: those answered,
// oldest answer first, then those still in flight (Call.InFlight), oldest
// first; all of them when transcriptID is empty, else those concerning that
// transcript. Of the answered ones, the last Config.MaxCalls concerning
// transcripts the server holds are kept, and apart from them the last
// Config.MaxCalls of the others (a wrong key, an unknown transcript, no
// transcript), so the latter cannot push out the former; DroppedCalls says
// how many older ones are gone.
func (s *Server) Calls(transcriptID string) []Call {
	calls, _, _ := s.calls.list(transcriptID, s.cfg.Clock.Now(), 0)
	return calls
}

// DroppedCalls reports how many calls have left the bounded log, so a
// reader can tell an empty history from a truncated one.
func (s *Server) DroppedCalls() int {
	s.calls.mu.Lock()
	defer s.calls.mu.Unlock()
	return s.calls.evidence.dropped + s.calls.other.dropped
}

// DroppedKnownCalls reports how many of the DroppedCalls concerned a
// transcript the server held: zero means Calls(id) of such a transcript
// is its whole history.
func (s *Server) DroppedKnownCalls() int {
	s.calls.mu.Lock()
	defer s.calls.mu.Unlock()
	return s.calls.evidence.dropped
}

// listCalls answers the call log, in-flight requests included, optionally only the calls concerning
// ?transcript_id=. Like the deliveries list it sits outside /v2. The body,
// {"calls":[...],"dropped":N,"dropped_known":K}, is streamed call by call;
// the copy of the log it encodes is bounded by twice Config.MaxCalls.
func (s *Server) listCalls(w http.ResponseWriter, r *http.Request) {
	var self uint64 // this very request is in flight: not evidence of anything
	if sw, ok := w.(*statusWriter); ok {
		self = sw.ticket
	}
	calls, dropped, droppedEvidence := s.calls.list(r.URL.Query().Get("transcript_id"), s.cfg.Clock.Now(), self)
	writeJSONList(w, "calls", calls, `,"dropped":`+strconv.Itoa(dropped)+`,"dropped_known":`+strconv.Itoa(droppedEvidence))
}

// pathTranscriptID is the transcript a request path names, if any.
func pathTranscriptID(path string) string {
	if rest, ok := strings.CutPrefix(path, "/v2/transcript/"); ok {
		id, _, _ := strings.Cut(rest, "/")
		return id
	}
	if rest, ok := strings.CutPrefix(path, redactedAudioPath); ok {
		return strings.TrimSuffix(rest, ".wav")
	}
	return ""
}

// noteTranscript records on w which transcript the call concerns, for a
// handler whose path does not name it (POST /v2/transcript).
func noteTranscript(w http.ResponseWriter, id string) {
	if sw, ok := w.(*statusWriter); ok {
		sw.transcriptID = id
	}
}
