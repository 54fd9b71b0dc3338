package inspect

import (
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/hookcheck/hookcheck/simulator/capture"
)

// Status is where a delivery stands, as the list shows and filters it.
type Status string

// The statuses of a row.
const (
	// Pending: submitted, no attempt made yet.
	Pending Status = "pending"
	// Retrying: an attempt failed and another one will come
	// (Row.NextAttemptAt).
	Retrying Status = "retrying"
	// Acknowledged: an attempt got a 2xx (D-3).
	Acknowledged Status = "acknowledged"
	// Rejected: a 4xx ended the schedule (D-5).
	Rejected Status = "rejected"
	// Exhausted: every attempt failed (D-6).
	Exhausted Status = "exhausted"
	// Cancelled: the server stopped before the delivery ended.
	Cancelled Status = "cancelled"
	// Incomplete: a captured request whose body was cut short, no attempt.
	Incomplete Status = "incomplete"
)

// Ended reports whether the schedule of a delivery in s is over.
func (s Status) Ended() bool { return s != Pending && s != Retrying }

// outcomeWords is what the list says of an ended schedule.
var outcomeWords = map[Status]string{
	Acknowledged: "acknowledged", Rejected: "4xx ended it", Exhausted: "exhausted",
	Cancelled: "cancelled", Incomplete: "body cut short: not an attempt",
}

// Row is one delivery as the list shows it: a serve-api delivery (one
// notification and its attempts) or a captured one (the requests of one
// transcript_id or session_id).
type Row struct {
	// ID names the delivery in the inspector's URLs.
	ID string `json:"id"`
	// N orders rows by creation, from 1: the list's cursor.
	N uint64 `json:"n"`
	// Version grows with every change of the row.
	Version uint64 `json:"version"`
	// TranscriptID and SessionID are what the notification names.
	TranscriptID string `json:"transcript_id,omitempty"`
	SessionID    string `json:"session_id,omitempty"`
	// Kind is the notification's kind (transcript, redacted_audio, ...);
	// empty for a captured request.
	Kind string `json:"kind,omitempty"`
	// Target is where the delivery went, any password masked.
	Target string `json:"target"`
	Status Status `json:"status"`
	// Attempts is the number of the last attempt made; MaxAttempts the
	// policy's (D-4).
	Attempts    int `json:"attempts"`
	MaxAttempts int `json:"max_attempts"`
	// Answer is the last attempt's result: "200", "500", "timeout", ...
	Answer string `json:"answer,omitempty"`
	// LatencyMS is how long the last attempt took to be answered.
	LatencyMS float64 `json:"latency_ms"`
	// NextAttemptAt is when the next attempt is due while Retrying.
	NextAttemptAt *time.Time `json:"next_attempt_at,omitempty"`
	// Outcome says how the schedule ended: "acknowledged", "4xx ended
	// it", "exhausted"; empty while it runs.
	Outcome   string    `json:"outcome,omitempty"`
	StartedAt time.Time `json:"started_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Filter selects rows; an empty field selects all.
type Filter struct {
	Status       Status
	TranscriptID string
	SessionID    string
}

func (f Filter) match(r *Row) bool {
	return (f.Status == "" || r.Status == f.Status) &&
		(f.TranscriptID == "" || r.TranscriptID == f.TranscriptID) &&
		(f.SessionID == "" || r.SessionID == f.SessionID)
}

// entry is a row and, for a captured delivery, its records.
type entry struct {
	row     Row
	records []capture.Record // capture only: the attempts, oldest first
	secrets []string         // values to mask wherever they appear
	key     string           // capture only: the delivery's capture key
	bytes   int64
}

// model keeps the rows of the last max deliveries, and of those at most
// maxBytes of captured records, oldest evicted first.
type model struct {
	mu       sync.Mutex
	byID     map[string]*entry
	order    []*entry // by N, oldest first
	max      int
	maxBytes int64
	bytes    int64
	n        uint64
	version  uint64
	evicted  int
	byKey    map[string]*entry // capture: the current entry of each key
}

func newModel(max int, maxBytes int64) *model {
	return &model{byID: map[string]*entry{}, byKey: map[string]*entry{}, max: max, maxBytes: maxBytes}
}

// upsertLocked stores e (new when its ID is unknown) and returns a copy of
// its row, versioned.
func (m *model) upsertLocked(e *entry) Row {
	m.version++
	e.row.Version = m.version
	if _, ok := m.byID[e.row.ID]; !ok {
		m.n++
		e.row.N = m.n
		m.byID[e.row.ID] = e
		m.order = append(m.order, e)
	}
	m.evictLocked()
	return e.row
}

// grow accounts for n more bytes held by e.
func (m *model) growLocked(e *entry, n int64) {
	e.bytes += n
	m.bytes += n
}

// evictLocked drops the oldest entries beyond the bounds; the newest is
// always kept.
func (m *model) evictLocked() {
	for len(m.order) > 1 && (len(m.order) > m.max || m.bytes > m.maxBytes) {
		old := m.order[0]
		m.order[0] = nil
		m.order = m.order[1:]
		delete(m.byID, old.row.ID)
		if old.key != "" && m.byKey[old.key] == old {
			delete(m.byKey, old.key)
		}
		m.bytes -= old.bytes
		m.evicted++
	}
}

// Page is one page of the list, newest first.
type Page struct {
	Deliveries []Row `json:"deliveries"`
	// Total counts the rows the filter selects, on every page.
	Total int `json:"total"`
	// Next is the cursor of the following page (the before= value); 0
	// when this page is the last.
	Next uint64 `json:"next,omitempty"`
	// Evicted counts the deliveries dropped from the bounded window.
	Evicted int `json:"evicted"`
}

// list returns up to limit rows matching f created before the cursor (0:
// from the newest), newest first.
func (m *model) list(f Filter, before uint64, limit int) Page {
	m.mu.Lock()
	defer m.mu.Unlock()
	p := Page{Deliveries: []Row{}, Evicted: m.evicted}
	start := len(m.order)
	if before > 0 {
		start = sort.Search(len(m.order), func(i int) bool { return m.order[i].row.N >= before })
	}
	for i := len(m.order) - 1; i >= 0; i-- {
		e := m.order[i]
		if !f.match(&e.row) {
			continue
		}
		p.Total++
		if i >= start {
			continue
		}
		if len(p.Deliveries) == limit {
			if p.Next == 0 {
				p.Next = p.Deliveries[limit-1].N
			}
			continue
		}
		p.Deliveries = append(p.Deliveries, e.row)
	}
	return p
}

// get returns a copy of entry id's row and records.
func (m *model) get(id string) (Row, []capture.Record, []string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.byID[id]
	if !ok {
		return Row{}, nil, nil, false
	}
	return e.row, slices.Clone(e.records), slices.Clone(e.secrets), true
}

// count returns how many rows are kept and the bytes of records held.
func (m *model) count() (rows int, bytes int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.order), m.bytes
}
