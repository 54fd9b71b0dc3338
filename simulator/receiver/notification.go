package receiver

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// notification is a parsed delivery body.
type notification struct {
	// transcriptID is empty for the redacted-audio notification (D-11).
	transcriptID string
	status       string
	// sessionID is set for a streaming session's webhook (S-2, S-4),
	// which has no transcript_id and no status.
	sessionID string
	// unknownFields lists the fields beyond transcript_id and status. A
	// compliant receiver ignores them: AssemblyAI may add fields one day.
	unknownFields []string
}

// redactedAudio reports whether n is the D-11 notification.
func (n notification) redactedAudio() bool {
	return n.status == webhook.StatusRedactedAudioReady
}

// session reports whether n is a streaming session's webhook (S-4).
func (n notification) session() bool { return n.sessionID != "" }

// key is what makes a notification a redelivery of another: its
// transcript_id, or its session_id (D-4, S-3).
func (n notification) key() string {
	if n.session() {
		return "session:" + n.sessionID
	}
	return n.transcriptID
}

// errMalformed marks a body that cannot be a notification; such a body gets
// 400 because resending it cannot help (D-5).
var errMalformed = errors.New("malformed notification")

// parseNotification reads a D-2, D-11 or S-4 body. It is liberal where the spec
// allows (extra fields, a missing redacted_audio_url) and strict where a
// receiver could not act on the body (no transcript id, unknown status).
func parseNotification(body []byte) (notification, error) {
	if len(body) == 0 {
		return notification{}, fmt.Errorf("%w: empty body", errMalformed)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return notification{}, fmt.Errorf("%w: %w", errMalformed, err)
	}
	if fields == nil {
		return notification{}, fmt.Errorf("%w: body is null, not an object", errMalformed)
	}
	var n notification
	messages := false
	for name, raw := range fields {
		var err error
		switch name {
		case "transcript_id":
			err = json.Unmarshal(raw, &n.transcriptID)
		case "status":
			err = json.Unmarshal(raw, &n.status)
		case "session_id":
			err = json.Unmarshal(raw, &n.sessionID)
		case "messages":
			// Decoded as a receiver would, to read the session's turns.
			var turns []struct {
				Type       string `json:"type"`
				Transcript string `json:"transcript"`
			}
			err, messages = json.Unmarshal(raw, &turns), true
		default:
			n.unknownFields = append(n.unknownFields, name)
		}
		if err != nil {
			return notification{}, fmt.Errorf("%w: field %s: %w", errMalformed, name, err)
		}
	}
	if n.session() || messages {
		if !n.session() || !messages || n.status != "" || n.transcriptID != "" {
			return notification{}, fmt.Errorf("%w: a session webhook has session_id and messages, and only those", errMalformed)
		}
		return n, nil
	}
	switch n.status {
	case webhook.StatusRedactedAudioReady:
		return n, nil // D-11 carries no transcript_id
	case webhook.StatusCompleted, webhook.StatusError:
		if n.transcriptID == "" {
			return notification{}, fmt.Errorf("%w: transcript_id is missing", errMalformed)
		}
		return n, nil
	case "":
		return notification{}, fmt.Errorf("%w: status is missing", errMalformed)
	}
	return notification{}, fmt.Errorf("%w: unknown status %q", errMalformed, n.status)
}
