package api_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	aai "github.com/AssemblyAI/assemblyai-go-sdk"
	"github.com/go-faker/faker/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/api"
)

func sdkClient(url, key string) *aai.Client {
	return aai.NewClientWithOptions(aai.WithAPIKey(key), aai.WithBaseURL(url))
}

// sdkWait polls with Get (the SDK's Wait starts at 3 s, too slow here).
func sdkWait(t testing.TB, c *aai.Client, id string) aai.Transcript {
	t.Helper()
	var tr aai.Transcript
	require.Eventually(t, func() bool {
		var err error
		tr, err = c.Transcripts.Get(context.Background(), id)
		require.NoError(t, err)
		return tr.Status == aai.TranscriptStatusCompleted || tr.Status == aai.TranscriptStatusError
	}, 5*time.Second, 5*time.Millisecond)
	return tr
}

func TestSDKSubmitWithWebhookGetDelete(t *testing.T) { // A-3..A-7, D-8, D-10 through the official SDK
	rc := newReceiver(t, nil)
	e := newEmulator(t, api.Config{})
	c := sdkClient(e.URL, testKey)
	ctx := context.Background()
	secret := faker.Password()

	tr, err := c.Transcripts.SubmitFromURL(ctx, "https://example.test/"+faker.Word()+".mp3", &aai.TranscriptOptionalParams{
		WebhookURL: aai.String(rc.URL + "/aai"), WebhookAuthHeaderName: aai.String("X-Hook-Secret"),
		WebhookAuthHeaderValue: aai.String(secret), SpeakerLabels: aai.Bool(true),
	})
	require.NoError(t, err)
	assert.Equal(t, aai.TranscriptStatusQueued, tr.Status)
	assert.True(t, aai.ToBool(tr.WebhookAuth))
	assert.Equal(t, "X-Hook-Secret", aai.ToString(tr.WebhookAuthHeaderName))
	assert.True(t, aai.ToBool(tr.SpeakerLabels))
	id := aai.ToString(tr.ID)

	done := sdkWait(t, c, id)
	assert.Equal(t, aai.TranscriptStatusCompleted, done.Status)
	assert.NotEmpty(t, aai.ToString(done.Text))
	require.NotEmpty(t, done.Words)
	assert.NotEmpty(t, aai.ToString(done.Words[0].Text))
	require.Eventually(t, func() bool {
		got, err := c.Transcripts.Get(ctx, id)
		return err == nil && aai.ToInt64(got.WebhookStatusCode) == 200
	}, 3*time.Second, 5*time.Millisecond)
	assert.Equal(t, 1, rc.count(id))
	assert.Equal(t, secret, rc.got()[0].Header.Get("X-Hook-Secret"))

	del, err := c.Transcripts.Delete(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, "Deleted by user.", aai.ToString(del.Text))
	assert.Equal(t, "http://deleted_by_user", aai.ToString(del.WebhookURL))
}

func TestSDKUploadAndTranscribe(t *testing.T) {
	e := newEmulator(t, api.Config{})
	c := sdkClient(e.URL, testKey)
	audio := bytes.Repeat([]byte("RIFF"), 4096)
	u, err := c.Upload(context.Background(), bytes.NewReader(audio))
	require.NoError(t, err)
	assert.Contains(t, u, e.URL)
	tr, err := c.Transcripts.SubmitFromReader(context.Background(), bytes.NewReader(audio), nil)
	require.NoError(t, err)
	assert.Equal(t, aai.TranscriptStatusCompleted, sdkWait(t, c, aai.ToString(tr.ID)).Status)
}

func TestSDKList(t *testing.T) {
	e := newEmulator(t, api.Config{})
	c := sdkClient(e.URL, testKey)
	var ids []string
	for range 3 {
		tr, err := c.Transcripts.SubmitFromURL(context.Background(), "https://example.test/a.mp3", nil)
		require.NoError(t, err)
		ids = append(ids, aai.ToString(tr.ID))
	}
	list, err := c.Transcripts.List(context.Background(), aai.ListTranscriptParams{Limit: aai.Int64(2)})
	require.NoError(t, err)
	require.Len(t, list.Transcripts, 2)
	assert.Equal(t, ids[2], aai.ToString(list.Transcripts[0].ID))
	assert.Equal(t, ids[1], aai.ToString(list.Transcripts[1].ID))
	assert.EqualValues(t, 2, aai.ToInt64(list.PageDetails.ResultCount))
	assert.NotEmpty(t, aai.ToString(list.PageDetails.PrevURL))
}

func TestSDKErrors(t *testing.T) {
	e := newEmulator(t, api.Config{})
	_, err := sdkClient(e.URL, "wrong").Transcripts.Get(context.Background(), faker.UUIDHyphenated())
	var apiErr aai.APIError
	require.True(t, errors.As(err, &apiErr), "got %v", err)
	assert.Equal(t, http.StatusUnauthorized, apiErr.Status)
	assert.Equal(t, api.MsgUnauthorized, apiErr.Message)

	_, err = sdkClient(e.URL, testKey).Transcripts.Get(context.Background(), faker.UUIDHyphenated())
	require.True(t, errors.As(err, &apiErr))
	assert.Equal(t, http.StatusBadRequest, apiErr.Status)
	assert.Equal(t, api.MsgNotFound, apiErr.Message)

	_, err = sdkClient(e.URL, testKey).Transcripts.SubmitFromURL(context.Background(), "https://x.test/a.mp3",
		&aai.TranscriptOptionalParams{WebhookURL: aai.String("not a url")})
	require.True(t, errors.As(err, &apiErr))
	assert.Equal(t, http.StatusBadRequest, apiErr.Status)
}

// TestSDKConcurrentSubmissionsDeliveredOnce submits 200 transcripts at once
// through the SDK; the receiver must count exactly one delivery each.
func TestSDKConcurrentSubmissionsDeliveredOnce(t *testing.T) { // D-1
	const n = 200
	rc := newReceiver(t, nil)
	e := newEmulator(t, api.Config{ProcessingDelay: 10 * time.Millisecond})
	c := sdkClient(e.URL, testKey)
	ids := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			tr, err := c.Transcripts.SubmitFromURL(context.Background(), "https://example.test/"+faker.Word()+".mp3",
				&aai.TranscriptOptionalParams{WebhookURL: aai.String(rc.URL)})
			if assert.NoError(t, err) {
				ids[i] = aai.ToString(tr.ID)
			}
		})
	}
	wg.Wait()
	require.Eventually(t, func() bool { return len(rc.got()) >= n }, 10*time.Second, 10*time.Millisecond)
	time.Sleep(50 * time.Millisecond) // room for a duplicate to show up
	assert.Len(t, rc.got(), n)
	for _, id := range ids {
		assert.Equal(t, 1, rc.count(id), id)
	}
	assert.Len(t, e.deliveries(t, ""), n)
}
