package webhook_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// TestLost: what a failed delivery loses depends on what it announced; a
// probe announces nothing, so it loses nothing.
func TestLost(t *testing.T) {
	transcript, err := webhook.TranscriptReady("", webhook.StatusCompleted)
	if err != nil {
		t.Fatal(err)
	}
	post := webhook.Request{Method: http.MethodPost}
	for _, c := range []struct {
		name string
		d    webhook.Delivery
		want string
	}{
		{"transcript", webhook.Delivery{Notification: transcript, Request: post}, "must poll GET /v2/transcript/{id}"},
		{"redacted audio", webhook.Delivery{Notification: webhook.RedactedAudioReady("https://x/a.wav"), Request: post}, "redacted-audio notification is lost"},
		{"session", webhook.Delivery{Notification: webhook.Notification{Kind: webhook.KindStreamingSession}, Request: post}, "has none to poll"},
		{"raw notification", webhook.Delivery{Notification: webhook.RawBody([]byte(`{"transcript_id":"x","extra":1}`), "application/json"), Request: post}, "the notification is lost"},
		{"malformed probe", webhook.Delivery{Notification: webhook.RawBody([]byte(`{`), "application/json"), Request: post, Probe: "malformed body: invalid JSON"}, ""},
		{"forged probe", webhook.Delivery{Notification: transcript, Request: post, Probe: "malformed body: invalid JSON"}, ""},
		{"another method", webhook.Delivery{Notification: transcript, Request: webhook.Request{Method: http.MethodPut}}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := c.d.Lost()
			if c.want == "" {
				assert.Empty(t, got)
				return
			}
			assert.Contains(t, got, c.want)
		})
	}
}
