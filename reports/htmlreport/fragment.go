package htmlreport

import (
	"fmt"
	"io"

	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/simulator/api"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// FragmentOptions are how WriteDelivery shows one delivery.
type FragmentOptions struct {
	// AuthHeaderName is a header whose value is never shown (D-8), beside
	// the delivery policy's own auth header.
	AuthHeaderName string
	// BodyExcerpt is how many bytes of a body are shown; a longer one is
	// cut and the cut is said, as in the report. Zero means 64 KiB.
	BodyExcerpt int
}

// WriteDelivery renders one delivery exactly as the report's scenarios
// show it, the same templates: its SVG timeline with calls (the receiver's
// calls to the emulated API about its transcript) on it, its attempts, the
// request and each answer. It writes an HTML fragment, to be placed in a
// page that links Stylesheet. A delivery still running (no Outcome yet)
// is shown with the attempts made so far. d must already be masked by
// value; headers named as secret are masked here too.
func WriteDelivery(w io.Writer, d *webhook.Delivery, calls []api.Call, o FragmentOptions) error {
	t, err := parse()
	if err != nil {
		return err
	}
	if o.BodyExcerpt <= 0 {
		o.BodyExcerpt = 64 << 10
	}
	r := &reports.Result{}
	r.Environment.AuthHeaderName = o.AuthHeaderName
	v := newDelivery(r, d, Options{BodyExcerpt: o.BodyExcerpt}, calls)
	if d.Outcome == "" {
		v.Class = "running"
		v.Summary = fmt.Sprintf("In progress: %d attempt(s) so far.", len(d.Attempts))
	}
	if err := t.ExecuteTemplate(w, "delivery", v); err != nil {
		return fmt.Errorf("render delivery: %w", err)
	}
	return nil
}

// Stylesheet returns the report's stylesheet, which styles what
// WriteDelivery writes.
func Stylesheet() ([]byte, error) {
	css, err := files.ReadFile("templates/style.css")
	if err != nil {
		return nil, fmt.Errorf("read report stylesheet: %w", err)
	}
	return css, nil
}
