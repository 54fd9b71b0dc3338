package webhook

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/hookcheck/hookcheck/internal/stats"
)

// MaxSessionDuration is the longest streaming session AssemblyAI keeps
// open: a session that is not closed ends after 3 hours (S-6).
const MaxSessionDuration = 3 * time.Hour

// maxGeneratedSession bounds what a session payload may be asked for;
// past a day the request is a mistake, not a session.
const maxGeneratedSession = 24 * time.Hour

// Session describes the streaming session whose end a session webhook
// announces (S-2, S-4). The body is generated from it when the delivery
// is encoded, so a notification stays small however long the session.
type Session struct {
	// Duration is how long the session ran; its finalized turns fill it
	// at about 150 words a minute (S-5).
	Duration time.Duration `json:"-"`
	// Seed makes the text and timings; the same seed, duration and options
	// give the same body byte for byte.
	Seed uint64 `json:"seed"`
	// Speakers > 0 turns on speaker diarization with that many speakers:
	// each Turn carries speaker_label and each word speaker (S-4).
	Speakers int `json:"speakers,omitempty"`
	// LanguageCode, when set, turns on language detection: each Turn carries
	// language_code and language_confidence (S-4).
	LanguageCode string `json:"language_code,omitempty"`
}

// sessionJSON is a Session in a delivery record: the duration in
// milliseconds, like every duration of the record.
type sessionJSON struct {
	DurationMS   float64 `json:"duration_ms"`
	Seed         uint64  `json:"seed"`
	Speakers     int     `json:"speakers,omitempty"`
	LanguageCode string  `json:"language_code,omitempty"`
}

// MarshalJSON writes the duration in milliseconds.
func (s Session) MarshalJSON() ([]byte, error) {
	return json.Marshal(sessionJSON{stats.Milliseconds(s.Duration), s.Seed, s.Speakers, s.LanguageCode})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (s *Session) UnmarshalJSON(b []byte) error {
	var j sessionJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*s = Session{Duration: stats.FromMilliseconds(j.DurationMS), Seed: j.Seed, Speakers: j.Speakers, LanguageCode: j.LanguageCode}
	return nil
}

// ErrSessionDuration is wrapped by StreamingSession's error for a duration
// that is not positive or longer than a day.
var ErrSessionDuration = errors.New("session duration must be positive and at most 24h")

// StreamingSession returns the webhook sent when the streaming session
// sessionID ends (S-2): {"session_id", "messages": [Turn...]}. An empty
// sessionID gets a random UUID.
func StreamingSession(sessionID string, s Session) (Notification, error) {
	if s.Duration <= 0 || s.Duration > maxGeneratedSession {
		return Notification{}, fmt.Errorf("%w, got %s", ErrSessionDuration, s.Duration)
	}
	if s.Speakers < 0 || s.Speakers > 26 {
		return Notification{}, fmt.Errorf("session speakers must be between 0 and 26, got %d", s.Speakers)
	}
	if sessionID == "" {
		sessionID = NewUUID()
	}
	return Notification{Kind: KindStreamingSession, SessionID: sessionID, Session: &s}, nil
}

// sessionVocabulary is what the generated speakers say: common words of
// spoken English, so body sizes match real conversation (S-5).
var sessionVocabulary = [...]string{
	"the", "and", "to", "of", "a", "I", "you", "it", "in", "that", "is", "we", "for", "on", "this",
	"so", "with", "be", "have", "just", "about", "do", "can", "know", "think", "what", "like", "if",
	"they", "there", "was", "not", "but", "are", "at", "our", "all", "get", "one", "yeah", "right",
	"would", "will", "going", "okay", "because", "customer", "order", "account", "meeting", "team",
	"next", "week", "today", "tomorrow", "project", "update", "call", "email", "price", "payment",
	"delivery", "address", "question", "problem", "support", "ticket", "release", "version", "phone",
	"number", "schedule", "review", "report", "numbers", "quarter", "budget", "plan", "thanks",
	"really", "actually", "probably", "maybe", "sure", "great", "good", "new", "old", "last", "first",
	"time", "people", "work", "need", "want", "make", "look", "see", "said", "say", "tell", "take",
	"give", "come", "back", "still", "also", "well", "then", "when", "how", "where", "why", "which",
	"could", "should", "some", "more", "other", "into", "than", "them", "their", "from", "by", "or",
	"an", "as", "up", "out", "no", "yes", "me", "my", "your", "he", "she", "his", "her", "had", "has",
	"been", "were", "did", "does", "now", "here", "very", "much", "many", "lot", "thing", "things",
	"way", "day", "morning", "afternoon", "system", "data", "service", "contract", "invoice", "shipping",
}

// wordsPerMinute is conversational speed (S-5).
const wordsPerMinute = 150

// encode writes the session webhook body. It appends JSON by hand: a
// three-hour session is some 27,000 word objects, and encoding/json over
// a slice of structs would hold every one of them as well as the bytes.
func (s *Session) encode(sessionID string) []byte {
	rng := rand.New(rand.NewPCG(s.Seed, 0x5e551011))
	// About 110 bytes of JSON per word (S-5); grown as needed beyond.
	words := int(s.Duration.Minutes() * wordsPerMinute)
	var b bytes.Buffer
	b.Grow(256 + words*110)
	b.WriteString(`{"session_id":`)
	b.Write(strconv.AppendQuote(nil, sessionID))
	b.WriteString(`,"messages":[`)

	end := s.Duration.Milliseconds()
	at := int64(300 + rng.IntN(900)) // speech starts shortly after the session
	var turn []sessionWord
	for order := 0; ; order++ {
		turn = turn[:0]
		n := 4 + rng.IntN(36) // words in this turn
		for i := range n {
			// 150 words a minute is 400 ms a word, pauses included: a word
			// takes 180-420 ms, the gap after it 20-100 ms, and the pause
			// between turns (below) the rest.
			d := int64(180 + rng.IntN(241))
			if at+d > end {
				break
			}
			text := sessionVocabulary[rng.IntN(len(sessionVocabulary))]
			if i == 0 {
				text = capitalise(text)
			}
			turn = append(turn, sessionWord{text: text, start: at, end: at + d,
				confidence: 0.6 + rng.Float64()*0.4})
			at += d + int64(20+rng.IntN(81))
		}
		if len(turn) == 0 {
			break
		}
		last := &turn[len(turn)-1]
		if rng.IntN(5) == 0 {
			last.text += "?"
		} else {
			last.text += "."
		}
		if order > 0 {
			b.WriteByte(',')
		}
		s.writeTurn(&b, rng, order, turn)
		at += int64(400 + rng.IntN(1201))
		if at >= end {
			break
		}
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

type sessionWord struct {
	text       string
	start, end int64
	confidence float64
}

// writeTurn appends one finalized Turn message (S-4).
func (s *Session) writeTurn(b *bytes.Buffer, rng *rand.Rand, order int, words []sessionWord) {
	speaker := ""
	if s.Speakers > 0 {
		speaker = string("ABCDEFGHIJKLMNOPQRSTUVWXYZ"[order%s.Speakers])
	}
	num := make([]byte, 0, 32)
	b.WriteString(`{"turn_order":`)
	b.Write(strconv.AppendInt(num[:0], int64(order), 10))
	b.WriteString(`,"turn_is_formatted":true,"end_of_turn":true,"transcript":"`)
	for i, w := range words {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w.text) // vocabulary words need no JSON escaping
	}
	b.WriteString(`","end_of_turn_confidence":`)
	b.Write(strconv.AppendFloat(num[:0], round4(0.5+rng.Float64()*0.5), 'f', -1, 64))
	b.WriteString(`,"words":[`)
	for i, w := range words {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"start":`)
		b.Write(strconv.AppendInt(num[:0], w.start, 10))
		b.WriteString(`,"end":`)
		b.Write(strconv.AppendInt(num[:0], w.end, 10))
		b.WriteString(`,"text":"`)
		b.WriteString(w.text)
		b.WriteString(`","confidence":`)
		b.Write(strconv.AppendFloat(num[:0], round5(w.confidence), 'f', -1, 64))
		b.WriteString(`,"word_is_final":true`)
		if speaker != "" {
			b.WriteString(`,"speaker":"`)
			b.WriteString(speaker)
			b.WriteByte('"')
		}
		b.WriteByte('}')
	}
	b.WriteString(`],"utterance":"","type":"Turn"`)
	if speaker != "" {
		b.WriteString(`,"speaker_label":"`)
		b.WriteString(speaker)
		b.WriteByte('"')
	}
	if s.LanguageCode != "" {
		b.WriteString(`,"language_code":`)
		b.Write(strconv.AppendQuote(num[:0], s.LanguageCode))
		b.WriteString(`,"language_confidence":`)
		b.Write(strconv.AppendFloat(num[:0], round4(0.85+rng.Float64()*0.15), 'f', -1, 64))
	}
	b.WriteByte('}')
}

func capitalise(w string) string {
	if w == "" || w[0] < 'a' || w[0] > 'z' {
		return w
	}
	return string(w[0]-'a'+'A') + w[1:]
}

func round4(f float64) float64 { return float64(int64(f*10000+0.5)) / 10000 }
func round5(f float64) float64 { return float64(int64(f*100000+0.5)) / 100000 }
