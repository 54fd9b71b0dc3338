package webhook

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
)

// Kind names what a notification announces.
type Kind string

// The notification kinds a delivery can carry.
const (
	// KindTranscript is the transcript-ready notification (D-1, D-2).
	KindTranscript Kind = "transcript"
	// KindRedactedAudio is the redacted-audio-ready notification (D-11).
	KindRedactedAudio Kind = "redacted-audio"
	// KindStreamingSession is the webhook sent when a streaming
	// speech-to-text session ends (S-2, S-4).
	KindStreamingSession Kind = "streaming-session"
	// KindRaw is arbitrary bytes, for malformed-input checks.
	KindRaw Kind = "raw"
)

// Transcript statuses a transcript-ready notification carries (D-2).
const (
	StatusCompleted = "completed"
	StatusError     = "error"
	// StatusRedactedAudioReady is the status of the D-11 notification.
	StatusRedactedAudioReady = "redacted_audio_ready"
)

// Notification is the body of a delivery.
type Notification struct {
	Kind Kind `json:"kind"`
	// TranscriptID and Status make the transcript-ready body (D-2).
	TranscriptID string `json:"transcript_id,omitempty"`
	Status       string `json:"status,omitempty"`
	// RedactedAudioURL makes the redacted-audio body (D-11).
	RedactedAudioURL string `json:"redacted_audio_url,omitempty"`
	// SessionID and Session make the streaming session body (S-4); the
	// body is generated from Session when the delivery is prepared.
	SessionID string   `json:"session_id,omitempty"`
	Session   *Session `json:"session,omitempty"`
	// Raw and RawContentType are sent as they are for KindRaw.
	Raw            []byte `json:"-"`
	RawContentType string `json:"-"`
}

// TranscriptReady returns the D-2 notification for transcriptID with status
// "completed" or "error". An empty transcriptID gets a random UUID.
func TranscriptReady(transcriptID, status string) (Notification, error) {
	if status != StatusCompleted && status != StatusError {
		return Notification{}, fmt.Errorf("unknown transcript status %q (want completed or error)", status)
	}
	if transcriptID == "" {
		transcriptID = NewUUID()
	}
	return Notification{Kind: KindTranscript, TranscriptID: transcriptID, Status: status}, nil
}

// RedactedAudioReady returns the D-11 notification for audioURL.
func RedactedAudioReady(audioURL string) Notification {
	return Notification{Kind: KindRedactedAudio, Status: StatusRedactedAudioReady, RedactedAudioURL: audioURL}
}

// RawBody returns a notification that sends body as it is, with contentType.
func RawBody(body []byte, contentType string) Notification {
	return Notification{Kind: KindRaw, Raw: body, RawContentType: contentType}
}

// Encode returns the request body and its content type.
func (n Notification) Encode() ([]byte, string, error) {
	switch n.Kind {
	case KindTranscript:
		// Field order as AssemblyAI sends it: transcript_id, then status.
		b, err := json.Marshal(struct {
			TranscriptID string `json:"transcript_id"`
			Status       string `json:"status"`
		}{n.TranscriptID, n.Status})
		return b, "application/json", err
	case KindRedactedAudio:
		b, err := json.Marshal(struct {
			Status           string `json:"status"`
			RedactedAudioURL string `json:"redacted_audio_url"`
		}{n.Status, n.RedactedAudioURL})
		return b, "application/json", err
	case KindStreamingSession:
		if n.Session == nil {
			return nil, "", errors.New("streaming-session notification without a session")
		}
		return n.Session.encode(n.SessionID), "application/json", nil
	case KindRaw:
		return n.Raw, n.RawContentType, nil
	}
	return nil, "", fmt.Errorf("unknown notification kind %q", n.Kind)
}

// NewUUID returns a random (version 4) UUID, the shape of AssemblyAI's
// transcript ids.
func NewUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
