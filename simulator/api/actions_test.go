package api_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/api"
)

// TestActionsRefuseWhatCannotBeDone: Renotify needs a finished transcript
// with a webhook_url; Create validates its body as POST /v2/transcript
// does; Secrets holds the API key and the transcript's auth value.
func TestActionsRefuseWhatCannotBeDone(t *testing.T) {
	srv, err := api.New(api.Config{APIKey: testKey})
	require.NoError(t, err)
	assert.ErrorIs(t, srv.Renotify("nope"), api.ErrNoTranscript)
	require.NoError(t, srv.Seed(api.SeedTranscript{ID: "seeded", AudioURL: "https://x.test/s.wav"}))
	assert.ErrorIs(t, srv.Renotify("seeded"), api.ErrNothingToNotify, "no webhook_url")

	_, err = srv.Create([]byte(`{"webhook_url":"http://127.0.0.1:1/h"}`), "")
	assert.ErrorContains(t, err, "audio_url")
	_, err = srv.Create([]byte(`{"audio_url":"https://x.test/a.wav?hookcheck=later","webhook_url":"http://127.0.0.1:1/h"}`), "")
	assert.Error(t, err, "an unknown magic value")
	id, err := srv.Create([]byte(`{"audio_url":"https://x.test/a.wav","webhook_url":"http://127.0.0.1:1/h",`+
		`"webhook_auth_header_name":"X-S","webhook_auth_header_value":"auth-value-1"}`), "")
	require.NoError(t, err)
	assert.ErrorIs(t, srv.Renotify(id), api.ErrNothingToNotify, "still queued: its first notification is owed")
	assert.ElementsMatch(t, []string{testKey, "auth-value-1"}, srv.Secrets(id))
	assert.Equal(t, []string{testKey}, srv.Secrets("seeded"))
}
