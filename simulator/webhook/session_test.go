package webhook_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// turn is S-4's Turn message, decoded strictly to check the shape.
type turn struct {
	TurnOrder           int     `json:"turn_order"`
	TurnIsFormatted     bool    `json:"turn_is_formatted"`
	EndOfTurn           bool    `json:"end_of_turn"`
	Transcript          string  `json:"transcript"`
	EndOfTurnConfidence float64 `json:"end_of_turn_confidence"`
	Words               []struct {
		Start       int64   `json:"start"`
		End         int64   `json:"end"`
		Text        string  `json:"text"`
		Confidence  float64 `json:"confidence"`
		WordIsFinal bool    `json:"word_is_final"`
		Speaker     string  `json:"speaker"`
	} `json:"words"`
	Utterance          string  `json:"utterance"`
	Type               string  `json:"type"`
	SpeakerLabel       string  `json:"speaker_label"`
	LanguageCode       string  `json:"language_code"`
	LanguageConfidence float64 `json:"language_confidence"`
}

type sessionBody struct {
	SessionID string `json:"session_id"`
	Messages  []turn `json:"messages"`
}

func encodeSession(t *testing.T, id string, s webhook.Session) ([]byte, sessionBody) {
	t.Helper()
	n, err := webhook.StreamingSession(id, s)
	require.NoError(t, err)
	b, ct, err := n.Encode()
	require.NoError(t, err)
	assert.Equal(t, "application/json", ct)
	var body sessionBody
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&body), "the body is valid JSON of S-4's shape")
	return b, body
}

func TestStreamingSessionBodyHasS4Shape(t *testing.T) {
	_, body := encodeSession(t, "sess-1", webhook.Session{Duration: 10 * time.Minute, Seed: 7})
	assert.Equal(t, "sess-1", body.SessionID)
	require.NotEmpty(t, body.Messages)
	var words int
	last := int64(-1)
	for i, m := range body.Messages {
		assert.Equal(t, i, m.TurnOrder)
		assert.True(t, m.TurnIsFormatted && m.EndOfTurn, "only finalized turns (S-2)")
		assert.Equal(t, "Turn", m.Type)
		assert.Empty(t, m.SpeakerLabel, "no diarization unless asked")
		texts := make([]string, len(m.Words))
		for j, w := range m.Words {
			assert.True(t, w.WordIsFinal)
			assert.Greater(t, w.Start, last, "words are in time order")
			assert.Greater(t, w.End, w.Start)
			assert.LessOrEqual(t, w.End, (10 * time.Minute).Milliseconds(), "inside the session")
			assert.True(t, w.Confidence > 0 && w.Confidence <= 1)
			last = w.End
			texts[j] = w.Text
		}
		assert.Equal(t, strings.Join(texts, " "), m.Transcript, "the transcript is its words")
		words += len(m.Words)
	}
	// About 150 words a minute (S-5).
	perMinute := float64(words) / 10
	assert.InDelta(t, 150, perMinute, 20, "words per minute")
}

func TestStreamingSessionIsDeterministic(t *testing.T) {
	s := webhook.Session{Duration: 3 * time.Minute, Seed: 42, Speakers: 2, LanguageCode: "en"}
	a, _ := encodeSession(t, "x", s)
	b, _ := encodeSession(t, "x", s)
	assert.Equal(t, a, b, "same seed, same body")
	s.Seed = 43
	c, _ := encodeSession(t, "x", s)
	assert.NotEqual(t, a, c, "another seed, another body")
}

func TestStreamingSessionOptions(t *testing.T) {
	_, body := encodeSession(t, "", webhook.Session{Duration: 2 * time.Minute, Seed: 1, Speakers: 2, LanguageCode: "es"})
	assert.Len(t, body.SessionID, 36, "a UUID when no id is given")
	labels := map[string]bool{}
	for _, m := range body.Messages {
		labels[m.SpeakerLabel] = true
		assert.Equal(t, "es", m.LanguageCode)
		assert.Greater(t, m.LanguageConfidence, 0.0)
		for _, w := range m.Words {
			assert.Equal(t, m.SpeakerLabel, w.Speaker, "each word carries its turn's speaker")
		}
	}
	assert.Equal(t, map[string]bool{"A": true, "B": true}, labels)
}

func TestStreamingSessionRefusesBadDurations(t *testing.T) {
	for _, d := range []time.Duration{0, -time.Minute, 25 * time.Hour} {
		_, err := webhook.StreamingSession("", webhook.Session{Duration: d})
		assert.True(t, errors.Is(err, webhook.ErrSessionDuration), "%s: %v", d, err)
	}
	_, err := webhook.StreamingSession("", webhook.Session{Duration: time.Minute, Speakers: -1})
	assert.Error(t, err)
}

func TestSessionRecordJSONRoundTrips(t *testing.T) {
	n, err := webhook.StreamingSession("s", webhook.Session{Duration: 90 * time.Second, Seed: 9, Speakers: 3})
	require.NoError(t, err)
	b, err := json.Marshal(n)
	require.NoError(t, err)
	assert.JSONEq(t, `{"kind":"streaming-session","session_id":"s","session":{"duration_ms":90000,"seed":9,"speakers":3}}`, string(b))
	var back webhook.Notification
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, n, back)
}

// BenchmarkStreamingSession measures generating a session's webhook body
// (S-5's sizes in docs/spec.md come from its bytes/body metric).
func BenchmarkStreamingSession(b *testing.B) {
	for _, d := range []time.Duration{time.Minute, 10 * time.Minute, time.Hour, webhook.MaxSessionDuration} {
		b.Run(d.String(), func(b *testing.B) {
			n, err := webhook.StreamingSession("", webhook.Session{Duration: d, Seed: 1})
			if err != nil {
				b.Fatal(err)
			}
			var size int
			for b.Loop() {
				body, _, err := n.Encode()
				if err != nil {
					b.Fatal(err)
				}
				size = len(body)
			}
			b.ReportMetric(float64(size), "bytes/body")
			b.ReportMetric(float64(size)/d.Minutes(), "bytes/minute")
		})
	}
}

func ExampleStreamingSession() {
	n, _ := webhook.StreamingSession("4b0c7a2e-0000-4000-8000-000000000001", webhook.Session{Duration: time.Minute, Seed: 1})
	body, _, _ := n.Encode()
	fmt.Println(string(body[:60]))
	// Output: {"session_id":"4b0c7a2e-0000-4000-8000-000000000001","messag
}
