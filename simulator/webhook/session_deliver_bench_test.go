package webhook_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// BenchmarkDeliverLongestSession generates and delivers the webhook of a
// 3-hour session (S-6), about 2.6 MiB (S-5), over loopback to a receiver
// that reads the whole body, then summarises the record as the conformance
// steps do. B/op is what the engine allocates per delivery: the body once
// as generated, once as the record's string, and little else.
func BenchmarkDeliverLongestSession(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	defer srv.Close()
	p := webhook.DefaultPolicy()
	p.Pace = webhook.Accelerated
	s, err := webhook.NewSender(p, webhook.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	n, err := webhook.StreamingSession("", webhook.Session{Duration: webhook.MaxSessionDuration, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		d, err := s.Deliver(context.Background(), srv.URL, n, webhook.Observer{})
		if err != nil || d.Outcome != webhook.Delivered {
			b.Fatalf("%v %s", err, d.Outcome)
		}
		d.SummarisePayload(webhook.DefaultKeptBodyBytes)
		b.ReportMetric(float64(d.Payload.Bytes), "bytes/body")
	}
}
