package api_test

import (
	"bytes"
	"encoding/binary"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/api"
)

// wavHeader is the canonical 44-byte PCM WAV header.
type wavHeader struct {
	RIFF          [4]byte
	RIFFSize      uint32
	WAVE          [4]byte
	Fmt           [4]byte
	FmtSize       uint32
	Format        uint16
	Channels      uint16
	SampleRate    uint32
	ByteRate      uint32
	BlockAlign    uint16
	BitsPerSample uint16
	Data          [4]byte
	DataSize      uint32
}

// getAudio fetches url with no API key and checks it is the 1 s, 8 kHz,
// mono, 16-bit PCM WAV file whose header sizes match its length.
func getAudio(t *testing.T, url string) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, url)
	assert.Equal(t, "audio/wav", resp.Header.Get("Content-Type"))
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Greater(t, len(b), 44)
	var h wavHeader
	require.NoError(t, binary.Read(bytes.NewReader(b), binary.LittleEndian, &h))
	assert.Equal(t, "RIFF", string(h.RIFF[:]))
	assert.Equal(t, "WAVE", string(h.WAVE[:]))
	assert.Equal(t, "fmt ", string(h.Fmt[:]))
	assert.Equal(t, "data", string(h.Data[:]))
	assert.EqualValues(t, 16, h.FmtSize)
	assert.EqualValues(t, 1, h.Format, "PCM")
	assert.EqualValues(t, 1, h.Channels)
	assert.EqualValues(t, 8000, h.SampleRate)
	assert.EqualValues(t, 16, h.BitsPerSample)
	assert.EqualValues(t, 2, h.BlockAlign)
	assert.EqualValues(t, 16000, h.ByteRate)
	assert.EqualValues(t, 16000, h.DataSize, "one second")
	assert.EqualValues(t, len(b)-8, h.RIFFSize)
	assert.EqualValues(t, len(b)-44, h.DataSize)
	assert.NotEqual(t, make([]byte, 64), b[44:108], "a tone, not silence")
	assert.EqualValues(t, len(b), resp.ContentLength)
}

func TestUploadURLServesWAV(t *testing.T) {
	e := newEmulator(t, api.Config{})
	code, up := e.call(t, http.MethodPost, "/v2/upload", []byte("some audio"))
	require.Equal(t, http.StatusOK, code)
	getAudio(t, up["upload_url"].(string))

	code, _ = e.call(t, http.MethodGet, "/hookcheck/v1/uploads/not-handed-out", nil)
	assert.Equal(t, http.StatusNotFound, code)
}

func TestRedactedAudioURLServesWAV(t *testing.T) { // D-11
	rc := newReceiver(t, nil)
	e := newEmulator(t, api.Config{})
	_, tr := e.call(t, http.MethodPost, "/v2/transcript", map[string]any{"audio_url": "https://x.test/a.mp3",
		"webhook_url": rc.URL, "redact_pii": true, "redact_pii_audio": true})
	id := tr["id"].(string)
	_, plain := e.call(t, http.MethodPost, "/v2/transcript", map[string]any{"audio_url": "https://x.test/b.mp3"})

	code, _ := e.call(t, http.MethodGet, "/hookcheck/v1/redacted-audio/"+id+".wav", nil)
	assert.Equal(t, http.StatusNotFound, code, "not ready while processing")

	require.Eventually(t, func() bool { return len(rc.got()) == 2 }, 3*time.Second, 5*time.Millisecond)
	url := rc.got()[1].Body["redacted_audio_url"].(string)
	getAudio(t, url) // as a receiver would: the URL as given, no key

	e.waitFinished(t, plain["id"].(string))
	code, _ = e.call(t, http.MethodGet, "/hookcheck/v1/redacted-audio/"+plain["id"].(string)+".wav", nil)
	assert.Equal(t, http.StatusNotFound, code, "no redact_pii_audio, no redacted audio")
}
