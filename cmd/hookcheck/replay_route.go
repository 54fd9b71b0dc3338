package main

import (
	"encoding/json"
	"net/url"
)

// replayRoute is where replay sends a captured delivery whose body is
// body: a streaming session's webhook to session (--session-target) when
// set, everything else (transcript notifications, the redacted-audio
// notification, bodies that are not JSON) to base (--target), as run
// --session-target routes them.
func replayRoute(base, session *url.URL, body []byte) *url.URL {
	if session != nil && isSessionWebhook(body) {
		return session
	}
	return base
}

// isSessionWebhook reports whether body is the webhook of a streaming
// session (S-4): a session_id and a messages array, and no transcript_id
// (which would make it a transcript notification, D-2).
func isSessionWebhook(body []byte) bool {
	var v struct {
		TranscriptID json.RawMessage `json:"transcript_id"`
		SessionID    string          `json:"session_id"`
		Messages     []any           `json:"messages"`
	}
	if json.Unmarshal(body, &v) != nil {
		return false
	}
	return v.TranscriptID == nil && v.SessionID != "" && v.Messages != nil
}
