package api

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// Status is a transcript's status.
type Status string

// The statuses a transcript moves through: queued → processing →
// completed or error.
const (
	StatusQueued     Status = "queued"
	StatusProcessing Status = "processing"
	StatusCompleted  Status = "completed"
	StatusError      Status = "error"
)

// Finished reports whether s is completed or error.
func (s Status) Finished() bool { return s == StatusCompleted || s == StatusError }

// What A-7 leaves of a deleted transcript.
const (
	deletedURL  = "http://deleted_by_user"
	deletedText = "Deleted by user."
)

// timestampLayout is the zone-less timestamp of the list endpoint.
const timestampLayout = "2006-01-02T15:04:05.000000"

// transcript is one submitted transcript as the server's store keeps it. Its
// fields are guarded by the store's mutex.
type transcript struct {
	ID       string
	AudioURL string
	// Params are the documented request fields as the client gave them,
	// echoed back in the transcript object; webhook_auth_header_value is
	// never among them.
	Params map[string]json.RawMessage
	// WebhookURL is empty when no webhook was asked for.
	WebhookURL string
	// WebhookAuth is the D-8 header; nil when none was set.
	WebhookAuth *webhook.AuthHeader
	// Redaction holds the PII settings that shape the text.
	Redaction Redaction
	// Created is when the transcript was submitted.
	Created time.Time
	// ProcessingAt is when the transcript starts to show "processing".
	ProcessingAt time.Time
	// DueAt is when processing ends.
	DueAt time.Time
	// FinishedAt is when it reached completed or error; zero until then.
	FinishedAt time.Time
	// Fail makes processing end in error (magic value hookcheck=error).
	Fail bool

	base        string // the API's base URL as the submitter saw it
	redactAudio bool   // redact_pii_audio: send the D-11 notification

	status            Status
	errorMessage      string // the A-5 error; empty means DownloadErrorMessage
	speech            Speech
	webhookStatusCode *int
	deleted           bool

	accounted int64 // bytes counted against the store's budget when added

	fault      Fault         // how GET /v2/transcript/{id} misbehaves; zero: it does not
	faultSince time.Time     // when fault was set, for Fault.For
	faultHits  int           // GETs that have misbehaved, for Fault.Times
	held       int           // GETs a fault's delay holds right now (Held)
	released   chan struct{} // closed by Release; nil until a GET is held
}

// transcriptSpec is what a transcript is made of, whether a client
// submitted it (POST /v2/transcript) or it was seeded (Server.Seed), so
// both go through newTranscript and finish.
type transcriptSpec struct {
	id, audioURL, webhookURL string
	base                     string // the API's base URL as the submitter saw it
	params                   map[string]json.RawMessage
	auth                     *webhook.AuthHeader
	redaction                Redaction
	redactAudio              bool
	fail                     bool
	errorMessage             string
}

// newTranscript makes a queued transcript from sp; the store stamps its
// times when it adds it.
func newTranscript(sp transcriptSpec) *transcript {
	return &transcript{ID: sp.id, AudioURL: sp.audioURL, Params: sp.params, WebhookURL: sp.webhookURL,
		WebhookAuth: sp.auth, Redaction: sp.redaction, Fail: sp.fail, base: sp.base,
		redactAudio: sp.redactAudio, errorMessage: sp.errorMessage, status: StatusQueued}
}

// TranscriptOverheadBytes is what a kept transcript accounts for beyond
// its request fields: the structure, its text once completed, and its
// delivery records (a few attempts each).
const TranscriptOverheadBytes = 8 << 10

// accountedBytes is what t counts against the store's byte budget: the
// request fields it keeps and echoes, and TranscriptOverheadBytes.
func (t *transcript) accountedBytes() int64 {
	n := int64(TranscriptOverheadBytes + len(t.ID) + len(t.AudioURL) + len(t.WebhookURL) + len(t.base) +
		len(t.errorMessage) + len(t.Redaction.Sub))
	for _, p := range t.Redaction.Policies {
		n += int64(len(p))
	}
	if t.WebhookAuth != nil {
		n += int64(len(t.WebhookAuth.Name) + len(t.WebhookAuth.Value))
	}
	for k, v := range t.Params {
		n += int64(len(k) + len(v))
	}
	return n
}

// finish ends t's processing at now: status error with its message
// when it was made to fail, else completed with its text and words.
func (t *transcript) finish(now time.Time) {
	t.FinishedAt = now
	if t.Fail {
		t.status = StatusError
		if t.errorMessage == "" {
			t.errorMessage = fmt.Sprintf(DownloadErrorMessage, t.AudioURL)
		}
		return
	}
	t.status = StatusCompleted
	t.speech = newSpeech(t.ID, t.Redaction)
}

// statusAt is the status as a client sees it at now: a queued transcript
// shows processing once ProcessingAt has passed.
func (t *transcript) statusAt(now time.Time) Status {
	if t.status == StatusQueued && !now.Before(t.ProcessingAt) {
		return StatusProcessing
	}
	return t.status
}

// redactedAudioReady reports whether t's redacted audio exists (D-11): it
// was asked for, the transcript completed, and it was not deleted.
func (t *transcript) redactedAudioReady() bool {
	return t.redactAudio && t.status == StatusCompleted && !t.deleted
}

// transcriptObject renders t as AssemblyAI's Transcript schema. The fields
// the schema requires are always present.
func (t *transcript) transcriptObject(now time.Time) map[string]any {
	o := map[string]any{}
	if !t.deleted {
		for k, v := range t.Params {
			o[k] = v
		}
		setDefault(o, "language_code", "en_us")
		setDefault(o, "punctuate", true)
		setDefault(o, "format_text", true)
	}
	status := t.statusAt(now)
	o["id"] = t.ID
	o["status"] = status
	o["audio_url"] = t.AudioURL
	o["speech_model"] = nil
	o["language_model"] = "assemblyai_default"
	o["acoustic_model"] = "assemblyai_default"
	setDefault(o, "auto_highlights", false)
	setDefault(o, "redact_pii", false)
	setDefault(o, "summarization", false)
	setDefault(o, "language_confidence_threshold", nil)
	o["language_confidence"] = nil
	o["text"], o["words"], o["utterances"], o["confidence"], o["audio_duration"] = nil, nil, nil, nil, nil
	// the webhook fields, the header value never echoed.
	o["webhook_url"] = nullable(t.WebhookURL)
	o["webhook_status_code"] = t.webhookStatusCode
	o["webhook_auth"] = t.WebhookAuth != nil
	o["webhook_auth_header_name"] = nil
	if t.WebhookAuth != nil {
		o["webhook_auth_header_name"] = t.WebhookAuth.Name
	}
	switch {
	case t.deleted:
		o["audio_url"], o["webhook_url"], o["text"] = deletedURL, deletedURL, deletedText
		o["webhook_status_code"], o["webhook_auth"], o["webhook_auth_header_name"] = nil, false, nil
	case status == StatusCompleted:
		o["text"], o["words"] = t.speech.Text, t.speech.Words
		o["confidence"], o["audio_duration"] = t.speech.Confidence, t.speech.DurationSeconds
		o["language_confidence"] = 0.9959
	case status == StatusError:
		o["error"] = t.errorMessage
	}
	return o
}

// listItem renders t as AssemblyAI's TranscriptListItem schema.
func (t *transcript) listItem(now time.Time, base string) listItem {
	it := listItem{ID: t.ID, ResourceURL: base + "/v2/transcript/" + t.ID, Status: t.statusAt(now),
		Created: t.Created.UTC().Format(timestampLayout), AudioURL: t.AudioURL}
	if t.deleted {
		it.AudioURL = deletedURL
	}
	if t.status == StatusCompleted {
		c := t.FinishedAt.UTC().Format(timestampLayout)
		it.Completed = &c
	}
	if t.status == StatusError {
		e := t.errorMessage
		it.Error = &e
	}
	return it
}

// listItem is AssemblyAI's TranscriptListItem.
type listItem struct {
	ID          string  `json:"id"`
	ResourceURL string  `json:"resource_url"`
	Status      Status  `json:"status"`
	Created     string  `json:"created"`
	Completed   *string `json:"completed"`
	AudioURL    string  `json:"audio_url"`
	Error       *string `json:"error"`
}

func setDefault(o map[string]any, k string, v any) {
	if _, ok := o[k]; !ok {
		o[k] = v
	}
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
