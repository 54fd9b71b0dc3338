package reports

import (
	"fmt"
	"slices"
	"strings"
)

// Product is which of AssemblyAI's webhooks a scenario or requirement
// checks: the transcript notification of pre-recorded audio (D-2) or the
// webhook of a streaming speech-to-text session (S-2).
type Product string

// The products a run checks.
const (
	// PreRecorded is the transcript-ready notification; the default.
	PreRecorded Product = "pre-recorded"
	// Streaming is the webhook sent when a streaming session ends.
	Streaming Product = "streaming"
	// BothProducts selects both in one run; it is never a scenario's own.
	BothProducts Product = "both"
)

// ParseProduct reads "pre-recorded", "streaming" or "both"; empty is
// PreRecorded.
func ParseProduct(s string) (Product, error) {
	switch p := Product(s); p {
	case "":
		return PreRecorded, nil
	case PreRecorded, Streaming, BothProducts:
		return p, nil
	}
	return "", fmt.Errorf("unknown product %q: want pre-recorded, streaming or both", s)
}

// Products lists what p selects, in report order.
func (p Product) Products() []Product {
	switch p {
	case BothProducts:
		return []Product{PreRecorded, Streaming}
	case "":
		return []Product{PreRecorded}
	}
	return []Product{p}
}

// Includes reports whether selecting p runs q's scenarios.
func (p Product) Includes(q Product) bool { return slices.Contains(p.Products(), q) }

// ProductNote says which products checked q, for a title: " (streaming)",
// " (pre-recorded and streaming)"; empty for the default product alone, so
// a pre-recorded report reads as it always did.
func (q Requirement) ProductNote() string {
	switch {
	case len(q.Products) > 1:
		return " (pre-recorded and streaming)"
	case len(q.Products) == 1 && q.Products[0] != PreRecorded:
		return " (" + string(q.Products[0]) + ")"
	}
	return ""
}

// Route names the webhook URLs q was checked at, for a run whose session
// webhooks went to their own route (Environment.SessionTarget): "session
// webhooks to URL", "transcript notifications to URL", or both joined by
// "; ". Empty otherwise: every delivery then went to Environment.Target.
// The URLs are as the result holds them (masked).
func (r *Result) Route(q Requirement) string {
	e := r.Environment
	if e.SessionTarget == "" {
		return ""
	}
	var parts []string
	if slices.Contains(q.Products, PreRecorded) || len(q.Products) == 0 {
		parts = append(parts, "transcript notifications to "+e.Target)
	}
	if slices.Contains(q.Products, Streaming) {
		parts = append(parts, "session webhooks to "+e.SessionTarget)
	}
	return strings.Join(parts, "; ")
}
