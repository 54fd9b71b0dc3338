package reports

import (
	"net/http"
	"strings"

	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// SecretHeader reports whether a header called name may carry the run's
// auth secret in d's evidence: its name matches Environment.AuthHeaderName
// or the delivery policy's auth header name (D-8). Renderers never print
// such a header's value, even when the record failed to mask it (defence in
// depth: the engine masks it already). d may be nil.
func (r *Result) SecretHeader(d *webhook.Delivery, name string) bool {
	if name == "" {
		return false
	}
	if r.Environment.AuthHeaderName != "" && strings.EqualFold(name, r.Environment.AuthHeaderName) {
		return true
	}
	return d != nil && d.Policy.AuthHeaderName != "" && strings.EqualFold(name, d.Policy.AuthHeaderName)
}

// Masked returns r with the value of every secret header (see SecretHeader)
// in request and response evidence, and any password left in a target URL,
// replaced by webhook.Mask. r itself is
// never changed: deliveries that need masking are copied, the others are
// shared, so the cost is proportional to what must be masked. When nothing
// needs masking, Masked returns r.
func (r *Result) Masked() *Result {
	var out *Result
	scenariosCopied := false
	t, st := webhook.RedactTarget(r.Environment.Target), webhook.RedactTarget(r.Environment.SessionTarget)
	if t != r.Environment.Target || st != r.Environment.SessionTarget {
		c := *r
		c.Environment.Target, c.Environment.SessionTarget = t, st
		out = &c
	}
	for si, sc := range r.Scenarios {
		copied := false
		for di, d := range sc.Deliveries {
			md, ok := r.maskDelivery(d)
			if !ok {
				continue
			}
			if out == nil {
				c := *r
				out = &c
			}
			if !scenariosCopied {
				out.Scenarios = append([]Scenario(nil), r.Scenarios...)
				scenariosCopied = true
			}
			if !copied {
				out.Scenarios[si].Deliveries = append([]*webhook.Delivery(nil), sc.Deliveries...)
				copied = true
			}
			out.Scenarios[si].Deliveries[di] = md
		}
	}
	if out == nil {
		return r
	}
	return out
}

// maskDelivery returns a copy of d with secret header values masked, and
// whether any needed masking.
func (r *Result) maskDelivery(d *webhook.Delivery) (*webhook.Delivery, bool) {
	if d == nil {
		return d, false
	}
	needs := r.needsMask(d, d.Request.Headers) || webhook.RedactTarget(d.Target) != d.Target || webhook.RedactTarget(d.Request.URL) != d.Request.URL
	for _, a := range d.Attempts {
		needs = needs || r.needsMask(d, a.ResponseHeaders)
	}
	if !needs {
		return d, false
	}
	c := *d
	c.Target, c.Request.URL = webhook.RedactTarget(d.Target), webhook.RedactTarget(d.Request.URL)
	c.Request.Headers = r.maskHeader(d, d.Request.Headers)
	c.Attempts = append([]webhook.Attempt(nil), d.Attempts...)
	for i := range c.Attempts {
		a := &c.Attempts[i]
		a.ResponseHeaders = r.maskHeader(d, a.ResponseHeaders)
	}
	return &c, true
}

func (r *Result) needsMask(d *webhook.Delivery, h http.Header) bool {
	for k, vs := range h {
		if !r.SecretHeader(d, k) {
			continue
		}
		for _, v := range vs {
			if v != webhook.Mask {
				return true
			}
		}
	}
	return false
}

func (r *Result) maskHeader(d *webhook.Delivery, h http.Header) http.Header {
	if h == nil {
		return nil
	}
	out := h.Clone()
	for k, vs := range out {
		if r.SecretHeader(d, k) {
			masked := make([]string, len(vs))
			for i := range masked {
				masked[i] = webhook.Mask
			}
			out[k] = masked
		}
	}
	return out
}

// Redacted returns r with every secret of red masked by value wherever it
// appears: reasons, step errors, targets and every delivery's stored
// request and answers. Masking by header name (Masked) misses a secret
// that a receiver echoes in its own headers or body; masking by value does
// not. r itself is never changed.
func (r *Result) Redacted(red *webhook.Redactor) *Result {
	if red.Empty() {
		return r
	}
	c := *r
	c.Reason = red.String(r.Reason)
	c.Environment.Target = red.String(r.Environment.Target)
	c.Environment.SessionTarget = red.String(r.Environment.SessionTarget)
	c.Requirements = make([]Requirement, len(r.Requirements))
	for i, q := range r.Requirements {
		q.Reason = red.String(q.Reason)
		c.Requirements[i] = q
	}
	c.Scenarios = make([]Scenario, len(r.Scenarios))
	for i, s := range r.Scenarios {
		c.Scenarios[i] = s.Redacted(red)
	}
	return &c
}

// Redacted returns s with every secret of red masked by value (see
// Result.Redacted); s's own slices are never changed.
func (s Scenario) Redacted(red *webhook.Redactor) Scenario {
	if red.Empty() {
		return s
	}
	s.Reason = red.String(s.Reason)
	if len(s.Steps) > 0 {
		st := make([]Step, len(s.Steps))
		for i, step := range s.Steps {
			step.Error = red.String(step.Error)
			st[i] = step
		}
		s.Steps = st
	}
	if len(s.Deliveries) > 0 {
		ds := make([]*webhook.Delivery, len(s.Deliveries))
		for i, d := range s.Deliveries {
			ds[i] = red.Delivery(d)
		}
		s.Deliveries = ds
	}
	return s
}
