package signing

import (
	"encoding/json"
	"net/http"
)

// EventID returns the id a receiver of p deduplicates on: the one every
// delivery of an event repeats, retries and redeliveries alike.
//   - Standard Webhooks: the webhook-id header (SW-1: the idempotency key).
//   - Stripe: the event's "id" in the body (ST-9: receivers dedupe on it).
//   - GitHub: the X-GitHub-Delivery header, which a redelivery repeats (GH-7).
//
// It is "" when the request names none (a missing header, a body that is
// not a JSON object with a string id).
func EventID(p Provider, h http.Header, body []byte) string {
	switch p {
	case StandardWebhooks:
		return h.Get(HeaderWebhookID)
	case GitHub:
		return h.Get(HeaderGitHubDelivery)
	case Stripe:
		var v struct {
			ID any `json:"id"`
		}
		if json.Unmarshal(body, &v) == nil {
			if s, ok := v.ID.(string); ok {
				return s
			}
		}
	}
	return ""
}
