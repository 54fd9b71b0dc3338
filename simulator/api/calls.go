package api

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultMaxCalls bounds the call log when Config.MaxCalls is zero.
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

// callLog keeps the last max answered calls in a ring, oldest dropped
// first, so a long serve-api session holds bounded memory; the calls not
// answered yet wait beside it, as many as requests in progress.
type callLog struct {
	mu      sync.Mutex
	ring    []Call
	next    int // where the next call goes once the ring is full
	dropped int
	max     int
	pending map[uint64]Call // by ticket, until answered
	ticket  uint64          // the last ticket handed out
}

func newCallLog(max int) *callLog { return &callLog{max: max, pending: map[uint64]Call{}} }

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
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.pending, ticket)
	l.addLocked(c)
}

func (l *callLog) addLocked(c Call) {
	if len(l.ring) < l.max {
		l.ring = append(l.ring, c)
		return
	}
	l.ring[l.next] = c
	l.next = (l.next + 1) % l.max
	l.dropped++
}

// list returns the kept calls in the order they were answered, then those
// still in flight at now in the order they arrived (InFlight, with
// WaitedMS), except the one of ticket skip; only those of transcriptID
// unless it is empty. It also returns how many older calls were dropped in
// all.
func (l *callLog) list(transcriptID string, now time.Time, skip uint64) ([]Call, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := []Call{}
	for i := range l.ring {
		c := l.ring[(l.next+i)%len(l.ring)]
		if transcriptID == "" || c.TranscriptID == transcriptID {
			out = append(out, c)
		}
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
	return out, l.dropped
}

// Calls returns the requests the server has received: those answered,
// oldest answer first, then those still in flight (Call.InFlight), oldest
// first; all of them when transcriptID is empty, else those concerning that
// transcript. Only the last Config.MaxCalls answered ones are kept;
// DroppedCalls says how many older ones are gone.
func (s *Server) Calls(transcriptID string) []Call {
	calls, _ := s.calls.list(transcriptID, s.cfg.Clock.Now(), 0)
	return calls
}

// DroppedCalls reports how many calls have left the bounded log, so a
// reader can tell an empty history from a truncated one.
func (s *Server) DroppedCalls() int {
	s.calls.mu.Lock()
	defer s.calls.mu.Unlock()
	return s.calls.dropped
}

// listCalls answers the call log, in-flight requests included, optionally only the calls concerning
// ?transcript_id=. Like the deliveries list it sits outside /v2. The body,
// {"calls":[...],"dropped":N}, is streamed call by call; the copy of the
// log it encodes is bounded by Config.MaxCalls.
func (s *Server) listCalls(w http.ResponseWriter, r *http.Request) {
	var self uint64 // this very request is in flight: not evidence of anything
	if sw, ok := w.(*statusWriter); ok {
		self = sw.ticket
	}
	calls, dropped := s.calls.list(r.URL.Query().Get("transcript_id"), s.cfg.Clock.Now(), self)
	writeJSONList(w, "calls", calls, `,"dropped":`+strconv.Itoa(dropped))
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
