package htmlreport

import (
	"fmt"

	"github.com/hookcheck/hookcheck/internal/stats"
	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// sessionChart is RC-21's size sweep as the report shows it: one bar per
// session webhook, its length proportional to the body size and coloured
// by the first answer, so the first session lost stands out (S-5).
type sessionChart struct {
	Rows []sessionRow
}

type sessionRow struct {
	Length  string // "1 h"
	Size    string // "864 KiB"
	Detail  string // "4,912 turns, 9,003 words"
	Percent int    // bar length, of the largest body
	Answer  string // "413 Request Entity Too Large"
	Class   string // attempt class: s2, s4, s5, timeout…
}

// newSessionChart builds the sweep of sc, or nil when it has no session
// webhook.
func newSessionChart(sc *reports.Scenario) *sessionChart {
	largest := 0
	for _, d := range sc.Deliveries {
		largest = max(largest, payloadBytes(d))
	}
	if largest == 0 {
		return nil
	}
	c := &sessionChart{}
	for _, d := range sc.Deliveries {
		if d.Notification.Session == nil || len(d.Attempts) == 0 {
			continue
		}
		r := sessionRow{Length: stats.FormatLength(d.Notification.Session.Duration), Size: stats.FormatBytes(payloadBytes(d)),
			Percent: max(1, payloadBytes(d)*100/largest), Answer: result(d.Attempts[0]), Class: attemptClass(d.Attempts[0])}
		if d.Payload != nil {
			r.Detail = fmt.Sprintf("%d turns, %d words", d.Payload.Turns, d.Payload.Words)
		}
		c.Rows = append(c.Rows, r)
	}
	return c
}

// payloadBytes is the size of the body sent, also when the record keeps
// only its start.
func payloadBytes(d *webhook.Delivery) int {
	if d.Payload != nil {
		return d.Payload.Bytes
	}
	return len(d.Request.Body)
}

// payloadNote describes a summarised session webhook beside the excerpt
// of its body.
func payloadNote(p *webhook.PayloadSummary, note string) string {
	s := fmt.Sprintf("Streaming session webhook: %s, %d turns, %d words.", stats.FormatBytes(p.Bytes), p.Turns, p.Words)
	if p.Truncated() {
		// The excerpt is what the record holds; say why it is short.
		s += fmt.Sprintf(" The report keeps its first %s; the body is generated again, byte for byte, from the session's seed and duration in results.json.",
			stats.FormatBytes(p.KeptBytes))
	}
	if note != "" {
		s += " " + note
	}
	return s
}
