package webhook_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"github.com/go-faker/faker/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// These tests run real net/http on both ends over an in-memory network
// inside synctest bubbles: time is virtual, so a 190 s schedule takes
// milliseconds and every offset below is exact.

func TestFirst2xxEndsAfterOneAttempt(t *testing.T) { // D-3
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, webhook.DefaultPolicy())
		for _, code := range []int{200, 201, 202, 204, 299} {
			url, _ := r.serve(t, status(code, 0))
			d := r.deliver(t, url, completed(t))
			assert.Equal(t, webhook.Delivered, d.Outcome, "status %d", code)
			assert.Len(t, d.Attempts, 1)
			require.NotNil(t, d.WebhookStatusCode)
			assert.Equal(t, code, *d.WebhookStatusCode)
		}
	})
}

func TestAny4xxEndsWithoutRetry(t *testing.T) { // D-5, P-6
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, webhook.DefaultPolicy())
		for _, code := range []int{400, 401, 403, 404, 405, 408, 409, 410, 413, 422, 429, 499} {
			url, rec := r.serve(t, status(code, 0))
			d := r.deliver(t, url, completed(t))
			assert.Equal(t, webhook.Rejected, d.Outcome, "status %d", code)
			assert.Len(t, rec.requests(), 1, "status %d", code)
			assert.Equal(t, code, *d.WebhookStatusCode)
		}
	})
}

func Test5xxRunsTheFullScheduleTenSecondsApart(t *testing.T) { // D-4, P-2
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, webhook.DefaultPolicy())
		for _, code := range []int{500, 502, 503} {
			url, rec := r.serve(t, status(code, 0))
			begin := time.Now()
			d := r.deliver(t, url, completed(t))
			assert.Equal(t, webhook.Exhausted, d.Outcome)
			assert.Len(t, rec.requests(), 10)
			assert.Equal(t, seconds(0, 10, 20, 30, 40, 50, 60, 70, 80, 90), starts(d))
			assert.Equal(t, 90*time.Second, time.Since(begin))
			assert.Equal(t, code, *d.WebhookStatusCode)
			assert.Zero(t, d.LastAttempt().WaitAfter)
		}
	})
}

func TestHangTimesOutEveryAttemptAndWaitsAfterEach(t *testing.T) { // D-3, P-1, P-2
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, webhook.DefaultPolicy())
		url, _ := r.serve(t, status(0, 0))
		d := r.deliver(t, url, completed(t))
		assert.Equal(t, webhook.Exhausted, d.Outcome)
		assert.Equal(t, seconds(0, 20, 40, 60, 80, 100, 120, 140, 160, 180), starts(d))
		for _, a := range d.Attempts {
			assert.Equal(t, webhook.ErrTimeout, a.Failure)
			assert.Equal(t, 10*time.Second, a.Duration)
			assert.False(t, a.Answered())
		}
		assert.Nil(t, d.WebhookStatusCode, "P-5: no attempt got an HTTP answer")
		assert.Equal(t, 190*time.Second, d.EndedAt.Sub(d.StartedAt))
	})
}

func TestDeadlineIsTenSeconds(t *testing.T) { // D-3
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, webhook.DefaultPolicy())
		fast, _ := r.serve(t, status(200, 9900*time.Millisecond))
		d := r.deliver(t, fast, completed(t))
		assert.Equal(t, webhook.Delivered, d.Outcome)
		assert.Equal(t, 9900*time.Millisecond, d.Attempts[0].Duration)

		slow, rec := r.serve(t, status(200, 10100*time.Millisecond))
		d = r.deliver(t, slow, completed(t))
		assert.Equal(t, webhook.Exhausted, d.Outcome)
		assert.Len(t, rec.requests(), 10)
		assert.Equal(t, webhook.ErrTimeout, d.Attempts[0].Failure)
	})
}

func TestFailThreeThenSucceed(t *testing.T) { // D-4
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, webhook.DefaultPolicy())
		url, _ := r.serve(t, failFirst(3))
		d := r.deliver(t, url, completed(t))
		assert.Equal(t, webhook.Delivered, d.Outcome)
		assert.Equal(t, seconds(0, 10, 20, 30), starts(d))
		assert.Equal(t, 200, *d.WebhookStatusCode)
	})
}

func TestRedirectIsNotFollowedAndIsRetried(t *testing.T) { // P-3
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, webhook.DefaultPolicy())
		url, rec := r.serve(t, http.RedirectHandler("/elsewhere", http.StatusFound))
		d := r.deliver(t, url, completed(t))
		assert.Equal(t, webhook.Exhausted, d.Outcome)
		assert.Len(t, rec.requests(), 10, "never follows to /elsewhere")
		assert.Equal(t, 302, *d.WebhookStatusCode)
		assert.Equal(t, "/elsewhere", d.Attempts[0].ResponseHeaders.Get("Location"))
	})
}

func TestRefusedConnectionsAreRetried(t *testing.T) { // P-4
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, webhook.DefaultPolicy())
		d := r.deliver(t, "http://127.0.0.1:9/hook", completed(t))
		assert.Equal(t, webhook.Exhausted, d.Outcome)
		require.Len(t, d.Attempts, 10)
		assert.Equal(t, webhook.ErrRefused, d.Attempts[0].Failure)
		assert.Equal(t, seconds(0, 10, 20, 30, 40, 50, 60, 70, 80, 90), starts(d))
		assert.Nil(t, d.WebhookStatusCode)
	})
}

func TestWebhookStatusCodeIsLastAnsweredStatus(t *testing.T) { // P-5
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, webhook.DefaultPolicy())
		n := 0
		url, _ := r.serve(t, http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			n++
			if n == 1 {
				w.WriteHeader(503)
				return
			}
			<-req.Context().Done() // later attempts time out
		}))
		d := r.deliver(t, url, completed(t))
		assert.Equal(t, webhook.Exhausted, d.Outcome)
		require.NotNil(t, d.WebhookStatusCode)
		assert.Equal(t, 503, *d.WebhookStatusCode, "timeouts after a 503 leave 503")
	})
}

func TestRequestShape(t *testing.T) { // D-1, D-2, D-7, D-8, D-9, D-12
	synctest.Test(t, func(t *testing.T) {
		secret := faker.Password()
		p := webhook.DefaultPolicy()
		p.Auth = &webhook.AuthHeader{Name: "X-Webhook-Secret", Value: webhook.Secret(secret)}
		p.Region = webhook.RegionEU
		r := newRig(t, p)
		url, rec := r.serve(t, status(200, 0))
		id := faker.UUIDHyphenated()
		n, err := webhook.TranscriptReady(id, webhook.StatusError)
		require.NoError(t, err)
		query := "?customer_id=1234&order_id=5678&a=1&a=2&empty=&flag&plus=a+b&pct=%2F%20%zz"
		d := r.deliver(t, url+"/hooks/aai"+query, n)
		require.Equal(t, webhook.Delivered, d.Outcome)

		got := rec.requests()[0]
		assert.Equal(t, http.MethodPost, got.Method)
		assert.Equal(t, "/hooks/aai"+query, got.URI, "D-9: query byte for byte")
		assert.JSONEq(t, `{"transcript_id":"`+id+`","status":"error"}`, got.Body)
		assert.Equal(t, `{"transcript_id":"`+id+`","status":"error"}`, got.Body, "D-2: exactly two fields, in order")
		assert.Equal(t, "application/json", got.Header.Get("Content-Type"))
		assert.Equal(t, "*/*", got.Header.Get("Accept"))
		assert.Equal(t, "gzip, deflate", got.Header.Get("Accept-Encoding"))
		assert.Equal(t, "python-requests/2.25.1", got.Header.Get("User-Agent"))
		assert.Equal(t, "54.220.25.36", got.Header.Get("X-Forwarded-For"))
		assert.Equal(t, secret, got.Header.Get("X-Webhook-Secret"))

		// The record keeps the evidence, with the secret masked.
		assert.Equal(t, webhook.Mask, d.Request.Headers.Get("X-Webhook-Secret"))
		raw, err := json.Marshal(d)
		require.NoError(t, err)
		assert.NotContains(t, string(raw), secret)
	})
}

func TestAuthHeaderAbsentUnlessConfigured(t *testing.T) { // D-8
	synctest.Test(t, func(t *testing.T) {
		p := webhook.DefaultPolicy()
		p.Source = webhook.SourceAddress{Mode: webhook.SourceNone}
		r := newRig(t, p)
		url, rec := r.serve(t, status(200, 0))
		r.deliver(t, url, completed(t))
		h := rec.requests()[0].Header
		// D-12's set, plus the transport's Connection header (close: one
		// connection per attempt unless KeepAlive is on).
		assert.ElementsMatch(t, []string{"Content-Type", "Content-Length", "Accept", "Accept-Encoding", "User-Agent", "Connection"},
			keys(h), "no auth header, no X-Forwarded-For with source none")
	})
}

func TestRedactedAudioPayload(t *testing.T) { // D-11
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, webhook.DefaultPolicy())
		url, rec := r.serve(t, status(200, 0))
		r.deliver(t, url, webhook.RedactedAudioReady("https://cdn.example/redacted.wav"))
		assert.Equal(t, `{"status":"redacted_audio_ready","redacted_audio_url":"https://cdn.example/redacted.wav"}`,
			rec.requests()[0].Body)
	})
}

func TestAcceleratedPaceShortensOnlyWaits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := webhook.DefaultPolicy()
		p.Pace = webhook.Accelerated
		r := newRig(t, p)
		url, _ := r.serve(t, status(0, 0))
		d := r.deliver(t, url, completed(t))
		require.Len(t, d.Attempts, 10)
		assert.Equal(t, 10*time.Second, d.Attempts[0].Duration, "the deadline stays 10 s")
		assert.Equal(t, 100*time.Millisecond, d.Attempts[0].WaitAfter)
		assert.Equal(t, 10100*time.Millisecond, starts(d)[1])
	})
}

func TestConfigurableRules(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := webhook.DefaultPolicy()
		p.MaxAttempts, p.RetryInterval, p.Timeout, p.RetryOn4xx = 3, 2*time.Second, time.Second, true
		p.UserAgent = "hookcheck-test"
		r := newRig(t, p)
		url, rec := r.serve(t, status(429, 0))
		d := r.deliver(t, url, completed(t))
		assert.Equal(t, webhook.Exhausted, d.Outcome)
		assert.Equal(t, seconds(0, 2, 4), starts(d))
		assert.Equal(t, "hookcheck-test", rec.requests()[0].Header.Get("User-Agent"))
	})
}

func TestCancellationStopsPromptly(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, webhook.DefaultPolicy())
		url, _ := r.serve(t, status(500, 0))
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(35*time.Second, cancel)
		d, err := r.sender.Deliver(ctx, url, completed(t), webhook.Observer{})
		require.NoError(t, err)
		assert.Equal(t, webhook.Cancelled, d.Outcome)
		assert.Len(t, d.Attempts, 4)
		assert.Equal(t, 35*time.Second, d.EndedAt.Sub(d.StartedAt))

		hang, _ := r.serve(t, status(0, 0))
		ctx, cancel = context.WithCancel(context.Background())
		time.AfterFunc(3*time.Second, cancel)
		d, err = r.sender.Deliver(ctx, hang, completed(t), webhook.Observer{})
		require.NoError(t, err)
		assert.Equal(t, webhook.Cancelled, d.Outcome)
		assert.Equal(t, webhook.ErrAttemptStopped, d.Attempts[0].Failure)
		assert.Equal(t, 3*time.Second, d.Attempts[0].Duration)
	})
}

func TestObserverSeesEveryAttempt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, webhook.DefaultPolicy())
		url, _ := r.serve(t, failFirst(2))
		var seen []int
		var done int
		_, err := r.sender.Deliver(context.Background(), url, completed(t), webhook.Observer{
			OnAttempt: func(_ *webhook.Delivery, a webhook.Attempt) { seen = append(seen, a.StatusCode) },
			OnDone:    func(*webhook.Delivery) { done++ },
		})
		require.NoError(t, err)
		assert.Equal(t, []int{500, 500, 200}, seen)
		assert.Equal(t, 1, done)
	})
}

func TestBadTargetsAreRefused(t *testing.T) {
	s, err := webhook.NewSender(webhook.DefaultPolicy(), webhook.Options{})
	require.NoError(t, err)
	for _, target := range []string{"", "ftp://x/", "http://", "localhost:8080/hook", "http://[::1"} {
		_, err := s.Deliver(context.Background(), target, webhook.RawBody(nil, ""), webhook.Observer{})
		assert.Error(t, err, target)
	}
}

func keys(h http.Header) []string {
	var out []string
	for k := range h {
		out = append(out, k)
	}
	return out
}

// TestDecidedStopsTheSchedule: a caller whose check reads the first
// attempt stops the delivery there; the attempts not made are counted, in
// Deliver and in the engine alike.
func TestDecidedStopsTheSchedule(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, webhook.DefaultPolicy())
		url, rec := r.serve(t, status(500, 0))
		first := webhook.DeliveryOptions{Decided: func(webhook.Attempt) bool { return true }}
		begin := time.Now()
		d, err := r.sender.DeliverWith(t.Context(), url, completed(t), first, webhook.Observer{})
		require.NoError(t, err)
		assert.Equal(t, webhook.Stopped, d.Outcome)
		assert.Len(t, rec.requests(), 1)
		assert.Equal(t, 9, d.NotMade)
		assert.Zero(t, d.Attempts[0].WaitAfter, "no wait follows the last attempt made")
		assert.Zero(t, time.Since(begin), "no wait at all")

		e := webhook.NewEngine(r.sender, 0)
		done := make(chan error, 1)
		go func() { done <- e.Run(t.Context()) }()
		tk, err := e.Submit(url, completed(t), first, webhook.Observer{})
		require.NoError(t, err)
		e.Close()
		require.NoError(t, <-done)
		assert.Equal(t, webhook.Stopped, tk.Delivery().Outcome)
		assert.Equal(t, 9, tk.Delivery().NotMade)

		// A 2xx or a 4xx ends a delivery as before: Decided is not asked.
		url, _ = r.serve(t, status(200, 0))
		d, err = r.sender.DeliverWith(t.Context(), url, completed(t), first, webhook.Observer{})
		require.NoError(t, err)
		assert.Equal(t, webhook.Delivered, d.Outcome)
		assert.Zero(t, d.NotMade)
	})
}
