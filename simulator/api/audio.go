package api

import (
	"bytes"
	"encoding/binary"
	"math"
	"net/http"
	"strings"
	"time"
)

// The audio the emulator serves at every upload_url and redacted_audio_url:
// one second of a 440 Hz tone, 16-bit PCM, 8 kHz mono. It is a real WAV
// file, so a receiver that downloads and decodes the audio (after a D-11
// notification, say) gets something a decoder accepts.
const (
	audioSampleRate = 8000
	audioChannels   = 1
	audioBits       = 16
	audioDuration   = time.Second
	audioToneHz     = 440
)

// Paths under which the emulator serves audio. Neither needs the API key:
// the redacted_audio_url reaches the receiver inside a webhook (D-11),
// which carries no key, and AssemblyAI hands out audio links that work as
// given; an upload_url is served the same way. See docs/serve-api.md.
const (
	uploadsPath       = "/hookcheck/v1/uploads/"
	redactedAudioPath = "/hookcheck/v1/redacted-audio/"
)

// newWAV builds the served audio: a 44-byte RIFF/WAVE header with one fmt
// chunk (PCM) and one data chunk, then the samples, little-endian.
func newWAV() []byte {
	const (
		samples    = int(audioDuration / time.Second * audioSampleRate)
		blockAlign = audioChannels * audioBits / 8
		dataSize   = samples * blockAlign
	)
	var b bytes.Buffer
	b.Grow(44 + dataSize)
	w := func(v any) { _ = binary.Write(&b, binary.LittleEndian, v) }
	b.WriteString("RIFF")
	w(uint32(36 + dataSize)) // the rest of the file after this field
	b.WriteString("WAVE")
	b.WriteString("fmt ")
	w(uint32(16)) // fmt chunk size for PCM
	w(uint16(1))  // format: PCM
	w(uint16(audioChannels))
	w(uint32(audioSampleRate))
	w(uint32(audioSampleRate * blockAlign)) // byte rate
	w(uint16(blockAlign))
	w(uint16(audioBits))
	b.WriteString("data")
	w(uint32(dataSize))
	for i := range samples {
		// A quiet tone (a quarter of full scale) rather than silence, so a
		// receiver that checks for a non-empty signal sees one.
		v := 0.25 * math.Sin(2*math.Pi*audioToneHz*float64(i)/audioSampleRate)
		w(int16(v * math.MaxInt16))
	}
	return b.Bytes()
}

// isAudioPath reports whether path is one of the audio URLs, which need no
// API key.
func isAudioPath(path string) bool {
	return strings.HasPrefix(path, uploadsPath) || strings.HasPrefix(path, redactedAudioPath)
}

// serveAudio answers the WAV file.
func (s *Server) serveAudio(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "audio/wav")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(s.audio))
}

// getUpload serves the audio at an upload_url this server handed out.
// The uploaded bytes themselves were dropped; every upload sounds the same.
func (s *Server) getUpload(w http.ResponseWriter, r *http.Request) {
	if !s.store.hasUpload(r.PathValue("id")) {
		writeError(w, http.StatusNotFound, "Upload not found")
		return
	}
	s.serveAudio(w, r)
}

// getRedactedAudioFile serves the audio at a redacted_audio_url (D-11) once
// the transcript's redacted audio is ready.
func (s *Server) getRedactedAudioFile(w http.ResponseWriter, r *http.Request) {
	id, ok := strings.CutSuffix(r.PathValue("file"), ".wav")
	ready := false
	if ok {
		s.store.view(id, func(t *transcript) { ready = t.redactedAudioReady() })
	}
	if !ready {
		writeError(w, http.StatusNotFound, "Redacted audio not found")
		return
	}
	s.serveAudio(w, r)
}
