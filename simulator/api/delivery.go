package api

import (
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// finishProcessing ends id's processing and hands its notification to
// the engine (D-1). It runs on the processor's goroutine.
func (s *Server) finishProcessing(id string) {
	var (
		target   string
		auth     *webhook.AuthHeader
		status   Status
		redacted bool
		base     string
	)
	s.store.view(id, func(t *transcript) {
		t.finish(s.cfg.Clock.Now())
		status, target, auth = t.status, t.WebhookURL, t.WebhookAuth
		redacted = t.redactAudio && t.status == StatusCompleted
		base = t.base
	})
	defer s.end() // the processing unit
	if target == "" {
		return
	}
	n, err := webhook.TranscriptReady(id, string(status))
	if err != nil {
		s.cfg.Logger.Error("cannot build notification", "transcript_id", id, "error", err)
		return
	}
	var next *webhook.Notification
	if redacted {
		r := webhook.RedactedAudioReady(redactedAudioURL(base, id))
		next = &r
	}
	s.submit(id, target, n, auth, next)
}

// submit hands one notification to the engine; next, when set, is sent to
// the same target once this delivery has ended (D-11 follows D-1).
func (s *Server) submit(id, target string, n webhook.Notification, auth *webhook.AuthHeader, next *webhook.Notification) {
	s.follow()
	observe := webhook.Observer{
		OnAttempt: func(d *webhook.Delivery, _ webhook.Attempt) {
			s.observed(s.store.recordDelivery(id, d))
			if n.Kind == webhook.KindTranscript {
				s.setWebhookStatusCode(id, d.WebhookStatusCode)
			}
		},
		OnDone: func(d *webhook.Delivery) {
			defer s.end()
			s.observed(s.store.recordDelivery(id, d))
			s.cfg.Logger.Debug("delivery ended", "transcript_id", id, "delivery", d.ID,
				"kind", n.Kind, "outcome", d.Outcome, "attempts", len(d.Attempts))
			if next != nil && d.Outcome != webhook.Cancelled {
				s.submit(id, target, *next, auth, nil)
			}
		},
	}
	t, err := s.engine.Submit(target, n, webhook.DeliveryOptions{Auth: auth}, observe)
	if err != nil {
		// The target was checked at submission, so only a stopped engine
		// gets here; the notification is then lost, and the log says so.
		s.cfg.Logger.Warn("delivery not sent", "transcript_id", id, "kind", n.Kind, "error", err)
		s.end()
		return
	}
	if r, ok := s.store.registerDelivery(id, t.Delivery()); ok {
		s.observed(r)
	}
}

// observed hands a delivery record to Config.OnDelivery, if set.
func (s *Server) observed(r DeliveryRecord) {
	if s.cfg.OnDelivery != nil {
		s.cfg.OnDelivery(r)
	}
}

// setWebhookStatusCode applies P-5 to the transcript's webhook_status_code
// (D-10) as the transcript-ready delivery's attempts happen.
func (s *Server) setWebhookStatusCode(id string, code *int) {
	if code == nil {
		return
	}
	c := *code
	s.store.view(id, func(t *transcript) { t.webhookStatusCode = &c })
}

// redactedAudioURL is where the D-11 notification says the redacted audio
// is; the emulator serves its WAV file there (getRedactedAudioFile).
func redactedAudioURL(base, id string) string {
	return base + redactedAudioPath + id + ".wav"
}
