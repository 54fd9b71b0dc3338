package api

import (
	"errors"
	"io"
	"net/http"

	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// createTranscript queues a transcript: 200 with status "queued".
func (s *Server) createTranscript(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if tooLarge(err) {
		writeError(w, http.StatusRequestEntityTooLarge, MsgTooLarge)
		return
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, "Invalid JSON in request body")
		return
	}
	sub, err := parseSubmission(body)
	if err != nil {
		var br *badRequest
		if errors.As(err, &br) {
			writeError(w, http.StatusBadRequest, br.msg)
			return
		}
		writeError(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	obj, id, err := s.create(sub, s.base(r))
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, MsgUnavailable)
		return
	}
	noteTranscript(w, id)
	s.cfg.Logger.DebugContext(r.Context(), "transcript queued", "transcript_id", id,
		"webhook", sub.WebhookURL != "", "fail", sub.Magic.Fail)
	writeJSON(w, http.StatusOK, obj)
}

// create queues the transcript sub asks for, links based on base; it
// returns the transcript object and its id, or ErrShuttingDown.
func (s *Server) create(sub submission, base string) (map[string]any, string, error) {
	if err := s.begin(); err != nil {
		return nil, "", err
	}
	delay := s.cfg.ProcessingDelay
	if sub.Magic.HasDelay {
		delay = sub.Magic.Delay
	}
	spec := transcriptSpec{audioURL: sub.AudioURL, params: sub.Params, webhookURL: sub.WebhookURL,
		auth: sub.Auth, redaction: sub.Redaction, fail: sub.Magic.Fail, base: base,
		redactAudio: sub.RedactPIIAudio}
	var (
		obj map[string]any
		t   *transcript
	)
	for added := false; !added; {
		// A seeded id could in theory equal a fresh UUID; draw again then.
		spec.id = webhook.NewUUID()
		t = newTranscript(spec)
		added = s.store.add(t, s.cfg.Clock.Now, func(t *transcript) {
			t.DueAt = t.Created.Add(delay)
			t.ProcessingAt = t.Created.Add(delay / 5)
			obj = t.transcriptObject(t.Created)
		})
	}
	s.processor.add(t.ID, t.DueAt)
	return obj, t.ID, nil
}

// getTranscript answers the transcript object, or the A-6
// lookup error.
// A Fault set on the transcript applies first.
func (s *Server) getTranscript(w http.ResponseWriter, r *http.Request) {
	var (
		id     = r.PathValue("id")
		fault  Fault
		faulty bool
	)
	if !s.store.view(id, func(t *transcript) { fault, faulty = t.takeFault(s.cfg.Clock.Now()) }) {
		writeError(w, http.StatusBadRequest, MsgNotFound)
		return
	}
	if faulty && s.answerFault(r.Context(), w, id, fault) {
		return
	}
	// Rendered after any delay, so the status is the one at answer time.
	var obj map[string]any
	now := s.cfg.Clock.Now()
	s.store.view(id, func(t *transcript) { obj = t.transcriptObject(now) })
	writeJSON(w, http.StatusOK, obj)
}

// deleteTranscript removes a finished transcript's data. One still
// queued or processing cannot be deleted yet: its notification is owed.
func (s *Server) deleteTranscript(w http.ResponseWriter, r *http.Request) {
	var (
		obj      map[string]any
		inFlight bool
	)
	now := s.cfg.Clock.Now()
	found := s.store.view(r.PathValue("id"), func(t *transcript) {
		if !t.status.Finished() {
			inFlight = true
			return
		}
		t.deleted = true
		t.Params, t.speech = nil, Speech{}
		obj = t.transcriptObject(now)
	})
	switch {
	case !found:
		writeError(w, http.StatusBadRequest, MsgNotFound)
	case inFlight:
		writeError(w, http.StatusBadRequest, "Transcript is still being processed and cannot be deleted yet")
	default:
		writeJSON(w, http.StatusOK, obj)
	}
}

// redactedAudio is AssemblyAI's RedactedAudioResponse.
type redactedAudio struct {
	Status           string `json:"status"`
	RedactedAudioURL string `json:"redacted_audio_url"`
}

// getRedactedAudio answers where the redacted audio is (D-11).
func (s *Server) getRedactedAudio(w http.ResponseWriter, r *http.Request) {
	var (
		ready bool
		url   string
	)
	if !s.store.view(r.PathValue("id"), func(t *transcript) {
		ready = t.redactedAudioReady()
		base := t.base
		if base == "" { // seeded with no Config.BaseURL
			base = s.base(r)
		}
		url = redactedAudioURL(base, t.ID)
	}) {
		writeError(w, http.StatusBadRequest, MsgNotFound)
		return
	}
	if !ready {
		writeError(w, http.StatusBadRequest, "Redacted audio is not available for this transcript")
		return
	}
	writeJSON(w, http.StatusOK, redactedAudio{Status: webhook.StatusRedactedAudioReady, RedactedAudioURL: url})
}
