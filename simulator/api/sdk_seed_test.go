package api_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	aai "github.com/AssemblyAI/assemblyai-go-sdk"
	"github.com/go-faker/faker/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/api"
	"github.com/hookcheck/hookcheck/simulator/memnet"
)

// TestSDKGetsSeededTranscript is what a receiver does after a notification
// (D-1): fetch the transcript by id through the official SDK.
func TestSDKGetsSeededTranscript(t *testing.T) {
	e := newEmulator(t, api.Config{})
	id := faker.UUIDHyphenated()
	require.NoError(t, e.srv.Seed(api.SeedTranscript{ID: id, AudioURL: "https://x.test/call.mp3",
		WebhookURL: "http://127.0.0.1:9000/hook"}))
	require.NoError(t, e.srv.Seed(api.SeedTranscript{ID: "failed", Status: api.StatusError, AudioURL: "https://x.test/gone.mp3"}))
	c := sdkClient(e.URL, testKey)

	tr, err := c.Transcripts.Get(context.Background(), id)
	require.NoError(t, err)
	assert.Equal(t, id, aai.ToString(tr.ID))
	assert.Equal(t, aai.TranscriptStatusCompleted, tr.Status)
	assert.NotEmpty(t, aai.ToString(tr.Text))
	require.NotEmpty(t, tr.Words)
	w := tr.Words[len(tr.Words)-1]
	assert.NotEmpty(t, aai.ToString(w.Text))
	assert.Greater(t, aai.ToInt64(w.End), aai.ToInt64(w.Start))
	assert.Greater(t, aai.ToFloat64(w.Confidence), 0.0)
	assert.Equal(t, "http://127.0.0.1:9000/hook", aai.ToString(tr.WebhookURL))

	failed, err := c.Transcripts.Get(context.Background(), "failed")
	require.NoError(t, err)
	assert.Equal(t, aai.TranscriptStatusError, failed.Status)
	assert.Contains(t, aai.ToString(failed.Error), "Download error")

	calls := e.srv.Calls(id)
	require.Len(t, calls, 1)
	assert.Equal(t, api.Call{At: calls[0].At, Method: "GET", Path: "/v2/transcript/" + id, TranscriptID: id,
		Authorized: true, Status: 200, DurationMS: calls[0].DurationMS}, calls[0])
}

// sdkInBubble runs f with an SDK client talking to srv over memnet inside
// a synctest bubble, so Fault delays cost no wall time.
func sdkInBubble(t *testing.T, seeds []api.SeedTranscript, f func(t *testing.T, srv *api.Server, c *aai.Client)) {
	synctest.Test(t, func(t *testing.T) {
		srv := seeded(t, seeds...)
		n := memnet.New()
		ms, err := n.Serve("", srv)
		require.NoError(t, err)
		defer ms.Close()
		tr := &http.Transport{DialContext: n.DialContext}
		defer tr.CloseIdleConnections()
		f(t, srv, aai.NewClientWithOptions(aai.WithAPIKey(testKey), aai.WithBaseURL(ms.URL),
			aai.WithHTTPClient(&http.Client{Transport: tr})))
	})
}

func TestSDKSeesFaults(t *testing.T) {
	wall := time.Now()
	seeds := []api.SeedTranscript{
		{ID: "f500", Fault: api.Fault{Status: http.StatusInternalServerError, Times: 1}},
		{ID: "f429", Fault: api.Fault{Status: http.StatusTooManyRequests, RetryAfter: 5 * time.Second}},
		{ID: "slow", Fault: api.Fault{Delay: 45 * time.Second}},
	}
	sdkInBubble(t, seeds, func(t *testing.T, srv *api.Server, c *aai.Client) {
		ctx := context.Background()
		var apiErr aai.APIError
		_, err := c.Transcripts.Get(ctx, "f500")
		require.True(t, errors.As(err, &apiErr), "got %v", err)
		assert.Equal(t, http.StatusInternalServerError, apiErr.Status)
		assert.Equal(t, "Internal Server Error", apiErr.Message)
		tr, err := c.Transcripts.Get(ctx, "f500")
		require.NoError(t, err, "recovered after one failure")
		assert.Equal(t, aai.TranscriptStatusCompleted, tr.Status)

		_, err = c.Transcripts.Get(ctx, "f429")
		require.True(t, errors.As(err, &apiErr), "got %v", err)
		assert.Equal(t, http.StatusTooManyRequests, apiErr.Status)

		// A client with a 10 s deadline gives up on a 45 s answer.
		start := time.Now()
		short, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		_, err = c.Transcripts.Get(short, "slow")
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Equal(t, 10*time.Second, time.Since(start))
		// A patient one gets the transcript after the delay.
		start = time.Now()
		tr, err = c.Transcripts.Get(ctx, "slow")
		require.NoError(t, err)
		assert.Equal(t, aai.TranscriptStatusCompleted, tr.Status)
		assert.Equal(t, 45*time.Second, time.Since(start))
		synctest.Wait() // the abandoned call's handler has returned and been logged
		var codes []int
		for _, c := range srv.Calls("slow") {
			codes = append(codes, c.Status)
		}
		assert.Equal(t, []int{0, 200}, codes, "the abandoned call got no answer")
	})
	assert.Less(t, time.Since(wall), 5*time.Second, "wall time")
}

// TestServeDoesNotWaitForFaultDelays: a GET held back for an hour must
// not hold serve-api's drain up when it is stopped.
func TestServeDoesNotWaitForFaultDelays(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv, err := api.New(api.Config{APIKey: testKey, BaseURL: testBase})
		require.NoError(t, err)
		require.NoError(t, srv.Seed(api.SeedTranscript{ID: "slow", Fault: api.Fault{Delay: time.Hour}}))
		n := memnet.New()
		l, err := n.Listen("")
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- srv.Serve(ctx, l, 30*time.Second) }()

		tr := &http.Transport{DialContext: n.DialContext}
		defer tr.CloseIdleConnections()
		c := aai.NewClientWithOptions(aai.WithAPIKey(testKey), aai.WithBaseURL(l.URL()),
			aai.WithHTTPClient(&http.Client{Transport: tr}))
		got := make(chan error, 1)
		go func() { _, err := c.Transcripts.Get(context.Background(), "slow"); got <- err }()
		time.Sleep(time.Minute)
		start := time.Now()
		cancel()
		require.NoError(t, <-done)
		assert.Less(t, time.Since(start), time.Second, "no wait for the hour, nor the grace")
		assert.Error(t, <-got, "the held-back GET got no transcript")
	})
}
