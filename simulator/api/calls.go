package api

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultMaxCalls bounds the call log when Config.MaxCalls is zero.
const DefaultMaxCalls = 10000

// Call is one request the emulated API answered: evidence of what a client
// (a receiver fetching its transcript after a notification, say) did. The
// API key is never part of it, only whether it was right.
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
	// DurationMS is how long the answer took, on the server's clock.
	DurationMS float64 `json:"duration_ms"`
}

// callLog keeps the last max calls in a ring, oldest dropped first, so a
// long serve-api session holds bounded memory.
type callLog struct {
	mu      sync.Mutex
	ring    []Call
	next    int // where the next call goes once the ring is full
	dropped int
	max     int
}

func newCallLog(max int) *callLog { return &callLog{max: max} }

func (l *callLog) add(c Call) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.ring) < l.max {
		l.ring = append(l.ring, c)
		return
	}
	l.ring[l.next] = c
	l.next = (l.next + 1) % l.max
	l.dropped++
}

// list returns the kept calls oldest first, only those of transcriptID
// unless it is empty, and how many older calls were dropped in all.
func (l *callLog) list(transcriptID string) ([]Call, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := []Call{}
	for i := range l.ring {
		c := l.ring[(l.next+i)%len(l.ring)]
		if transcriptID == "" || c.TranscriptID == transcriptID {
			out = append(out, c)
		}
	}
	return out, l.dropped
}

// Calls returns the requests the server has answered, oldest first: all of
// them when transcriptID is empty, else those concerning that transcript.
// Only the last Config.MaxCalls are kept; DroppedCalls says how many older
// ones are gone.
func (s *Server) Calls(transcriptID string) []Call {
	calls, _ := s.calls.list(transcriptID)
	return calls
}

// DroppedCalls reports how many calls have left the bounded log, so a
// reader can tell an empty history from a truncated one.
func (s *Server) DroppedCalls() int {
	s.calls.mu.Lock()
	defer s.calls.mu.Unlock()
	return s.calls.dropped
}

// listCalls answers the call log, optionally only the calls concerning
// ?transcript_id=. Like the deliveries list it sits outside /v2. The body,
// {"calls":[...],"dropped":N}, is streamed call by call; the copy of the
// log it encodes is bounded by Config.MaxCalls.
func (s *Server) listCalls(w http.ResponseWriter, r *http.Request) {
	calls, dropped := s.calls.list(r.URL.Query().Get("transcript_id"))
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
