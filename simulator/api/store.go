package api

import (
	"slices"
	"sync"
	"time"

	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// transcriptStore holds every transcript and every delivery record of a Server. It is
// safe for concurrent use; all transcript fields are read and written
// under its mutex.
type transcriptStore struct {
	mu          sync.Mutex
	transcripts map[string]*transcript
	order       []*transcript // by creation, oldest first
	deliveries  map[string]*DeliveryRecord
	delivOrder  []*DeliveryRecord
	uploads     map[string]struct{} // ids of the upload URLs handed out
	max         int                 // transcripts kept; the oldest go first
	maxBytes    int64               // bytes the kept transcripts may account for
	bytes       int64               // bytes they account for (accountedBytes)
	evicted     int                 // transcripts evicted so far
}

// DeliveryRecord is one delivery the emulator made for a transcript: the
// webhook.Delivery record (as `hookcheck send --json` prints it) with the
// transcript it belongs to. While the delivery runs, Outcome is empty and
// Attempts holds the attempts so far.
type DeliveryRecord struct {
	TranscriptID string `json:"transcript_id"`
	*webhook.Delivery
}

func newStore(maxTranscripts int, maxBytes int64) *transcriptStore {
	return &transcriptStore{transcripts: map[string]*transcript{}, deliveries: map[string]*DeliveryRecord{},
		uploads: map[string]struct{}{}, max: maxTranscripts, maxBytes: maxBytes}
}

// add stores t, stamping its creation time under the lock so that the
// creation order and the times agree; stamp then runs under the same lock.
// It reports false, storing nothing, when t's id is taken.
func (s *transcriptStore) add(t *transcript, now func() time.Time, stamp func(t *transcript)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, taken := s.transcripts[t.ID]; taken {
		return false
	}
	t.Created = now()
	stamp(t)
	t.accounted = t.accountedBytes()
	s.transcripts[t.ID] = t
	s.order = append(s.order, t)
	s.bytes += t.accounted
	for (s.max > 0 && len(s.order) > s.max) || (s.maxBytes > 0 && s.bytes > s.maxBytes && len(s.order) > 1) {
		s.evictOldestLocked()
	}
	return true
}

// evictOldestLocked forgets the oldest transcript and its delivery
// records, so memory stays bounded however many are submitted. A
// transcript still processing finishes, unseen.
func (s *transcriptStore) evictOldestLocked() {
	old := s.order[0]
	s.order[0] = nil // release it: the slice's array outlives the reslice
	s.order = s.order[1:]
	delete(s.transcripts, old.ID)
	s.bytes -= old.accounted
	s.evicted++
	s.delivOrder = slices.DeleteFunc(s.delivOrder, func(r *DeliveryRecord) bool {
		if r.TranscriptID != old.ID {
			return false
		}
		delete(s.deliveries, r.ID)
		return true
	})
}

// evictedCount returns how many transcripts were evicted, and how many
// bytes the kept ones account for.
func (s *transcriptStore) evictedCount() (evicted int, bytes int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.evicted, s.bytes
}

// has reports whether the store holds transcript id.
func (s *transcriptStore) has(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.transcripts[id]
	return ok
}

// addUpload remembers an upload id so that its URL serves audio.
func (s *transcriptStore) addUpload(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.uploads[id] = struct{}{}
}

// hasUpload reports whether id is an upload handed out.
func (s *transcriptStore) hasUpload(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.uploads[id]
	return ok
}

// view runs f on the transcript id under the lock; it reports false when
// there is none.
func (s *transcriptStore) view(id string, f func(t *transcript)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.transcripts[id]
	if ok {
		f(t)
	}
	return ok
}

// ordered runs f under the lock with the transcripts oldest first; f must
// not keep the slice.
func (s *transcriptStore) ordered(f func(order []*transcript)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s.order)
}

// index returns the position of id in creation order, or -1.
func index(order []*transcript, id string) int {
	return slices.IndexFunc(order, func(t *transcript) bool { return t.ID == id })
}

// recordDelivery stores a snapshot of d for transcriptID and returns it. The
// engine owns d while the delivery runs, so the snapshot copies what may
// still change; the snapshot is never changed once stored.
func (s *transcriptStore) recordDelivery(transcriptID string, d *webhook.Delivery) DeliveryRecord {
	cp := *d
	cp.Attempts = slices.Clone(d.Attempts)
	if d.WebhookStatusCode != nil {
		c := *d.WebhookStatusCode
		cp.WebhookStatusCode = &c
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.deliveries[cp.ID]; ok {
		r.Delivery = &cp
		return *r
	}
	r := &DeliveryRecord{TranscriptID: transcriptID, Delivery: &cp}
	s.deliveries[cp.ID] = r
	s.delivOrder = append(s.delivOrder, r)
	return *r
}

// registerDelivery stores the first snapshot of a delivery just submitted,
// unless an attempt has already recorded a newer one; it returns the
// snapshot and whether it stored it. Only the fields that the engine never
// changes after Submit are read from d.
func (s *transcriptStore) registerDelivery(transcriptID string, d *webhook.Delivery) (DeliveryRecord, bool) {
	cp := webhook.Delivery{ID: d.ID, Target: d.Target, Notification: d.Notification,
		Policy: d.Policy, Request: d.Request, StartedAt: d.StartedAt, Attempts: []webhook.Attempt{}}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.deliveries[cp.ID]; ok {
		return DeliveryRecord{}, false
	}
	r := &DeliveryRecord{TranscriptID: transcriptID, Delivery: &cp}
	s.deliveries[cp.ID] = r
	s.delivOrder = append(s.delivOrder, r)
	return *r, true
}

// deliveriesOf returns every delivery record in the order they began,
// optionally only those of transcriptID. The records are copies.
func (s *transcriptStore) deliveriesOf(transcriptID string) []DeliveryRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []DeliveryRecord{}
	for _, r := range s.delivOrder {
		if transcriptID == "" || r.TranscriptID == transcriptID {
			d := *r.Delivery
			out = append(out, DeliveryRecord{TranscriptID: r.TranscriptID, Delivery: &d})
		}
	}
	return out
}

// deliveryRefs is deliveriesOf without the copies, for encoding: each
// record shares the stored snapshot, which is never changed once stored
// (recordDelivery replaces it with a new one), so it can be read after the
// lock is released. The slice costs a few words a record, not the records.
func (s *transcriptStore) deliveryRefs(transcriptID string) []DeliveryRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []DeliveryRecord{}
	for _, r := range s.delivOrder {
		if transcriptID == "" || r.TranscriptID == transcriptID {
			out = append(out, *r)
		}
	}
	return out
}

// Undelivered is a notification that had not been delivered when the
// server stopped: a delivery cut short (DeliveryID set) or a transcript
// whose webhook was never sent (DeliveryID empty).
type Undelivered struct {
	DeliveryID   string `json:"delivery_id,omitempty"`
	TranscriptID string `json:"transcript_id"`
}

// undelivered lists the deliveries that did not end (cancelled or still
// running) and the transcripts with a webhook_url but no delivery yet.
func (s *transcriptStore) undelivered() []Undelivered {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Undelivered
	sent := make(map[string]bool, len(s.delivOrder))
	for _, r := range s.delivOrder {
		sent[r.TranscriptID] = true
		if r.Outcome == "" || r.Outcome == webhook.Cancelled {
			out = append(out, Undelivered{DeliveryID: r.ID, TranscriptID: r.TranscriptID})
		}
	}
	for _, t := range s.order {
		if t.WebhookURL != "" && !sent[t.ID] {
			out = append(out, Undelivered{TranscriptID: t.ID})
		}
	}
	return out
}
