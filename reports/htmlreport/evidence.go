package htmlreport

import (
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// evidence is a request or an answer as sent or received, secrets masked
// and the body cut to an excerpt. The template escapes every byte of it.
type evidence struct {
	Line    string // "POST http://…" or "HTTP 500 Internal Server Error"
	Headers []field
	Body    string
	Note    string // how the body was cut, if it was
}

// answer is the response evidence of one or more identical attempts.
type answer struct {
	Attempts string // "Attempt 1" or "Attempts 1–10"
	evidence
}

func requestEvidence(r *reports.Result, d *webhook.Delivery, excerpt int) evidence {
	e := evidence{Line: d.Request.Method + " " + maskURL(d.Request.URL), Headers: headers(r, d, d.Request.Headers)}
	e.Body, e.Note = cut(d.Request.Body, excerpt, false)
	if d.Payload != nil {
		e.Note = payloadNote(d.Payload, e.Note)
	}
	return e
}

// answers groups the answered attempts by identical response (status,
// headers other than Date, body), in attempt order.
func answers(r *reports.Result, d *webhook.Delivery, excerpt int) []answer {
	type group struct {
		numbers []int
		a       webhook.Attempt
	}
	var groups []*group
	index := map[string]*group{}
	for _, a := range d.Attempts {
		if !a.Answered() {
			continue
		}
		key := responseKey(a)
		g, ok := index[key]
		if !ok {
			g = &group{a: a}
			index[key] = g
			groups = append(groups, g)
		}
		g.numbers = append(g.numbers, a.Number)
	}
	out := make([]answer, 0, len(groups))
	for _, g := range groups {
		e := evidence{Line: "HTTP " + result(g.a), Headers: headers(r, d, g.a.ResponseHeaders)}
		e.Body, e.Note = cut(g.a.ResponseBody, excerpt, g.a.BodyTruncated)
		out = append(out, answer{Attempts: numbers(g.numbers), evidence: e})
	}
	return out
}

func responseKey(a webhook.Attempt) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d\x00%s\x00", a.StatusCode, a.ResponseBody)
	for _, k := range sortedHeaders(a.ResponseHeaders) {
		if k != "Date" {
			fmt.Fprintf(&b, "%s=%q\x00", k, a.ResponseHeaders[k])
		}
	}
	return b.String()
}

// headers lists h with any secret header's value masked.
func headers(r *reports.Result, d *webhook.Delivery, h http.Header) []field {
	out := make([]field, 0, len(h))
	for _, k := range sortedHeaders(h) {
		for _, v := range h[k] {
			if r.SecretHeader(d, k) {
				v = webhook.Mask
			}
			out = append(out, field{Name: k, Value: v})
		}
	}
	return out
}

// cut returns at most max bytes of body, cut on a rune boundary, and a
// note when anything was left out.
func cut(body string, max int, truncated bool) (string, string) {
	note := ""
	if len(body) > max {
		n := max
		for n > 0 && !utf8.RuneStart(body[n]) {
			n--
		}
		note = fmt.Sprintf("first %d of %d bytes shown", n, len(body))
		body = body[:n]
	}
	if truncated {
		if note != "" {
			note += "; "
		}
		note += "the receiver sent more than hookcheck keeps (P-1)"
	}
	return body, note
}

// numbers names attempt numbers: "Attempt 3", "Attempts 1–10", "Attempts 1, 3".
func numbers(ns []int) string {
	if len(ns) == 1 {
		return fmt.Sprintf("Attempt %d", ns[0])
	}
	contiguous := ns[len(ns)-1]-ns[0] == len(ns)-1
	if contiguous {
		return fmt.Sprintf("Attempts %d–%d", ns[0], ns[len(ns)-1])
	}
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = fmt.Sprint(n)
	}
	return "Attempts " + strings.Join(parts, ", ")
}
