package api

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
)

// Word is AssemblyAI's TranscriptWord.
type Word struct {
	Text       string  `json:"text"`
	Start      int     `json:"start"`
	End        int     `json:"end"`
	Confidence float64 `json:"confidence"`
	Speaker    *string `json:"speaker"`
	Channel    *string `json:"channel,omitempty"`
}

// Speech is the made-up result of transcribing: plausible text with word
// timings, the same for the same transcript id.
type Speech struct {
	Text            string
	Words           []Word
	Confidence      float64
	DurationSeconds int
}

// Redaction is the PII setting of a transcript (redact_pii,
// redact_pii_policies, redact_pii_sub).
type Redaction struct {
	Enabled  bool
	Policies []string
	// Sub is "hash" (the default) or "entity_name".
	Sub string
}

// redacts reports whether policy is redacted; no policies listed means all.
func (r Redaction) redacts(policy string) bool {
	return r.Enabled && (len(r.Policies) == 0 || slices.Contains(r.Policies, policy))
}

// mask replaces word under policy as AssemblyAI's substitution does.
func (r Redaction) mask(word, entity string) string {
	if r.Sub == "entity_name" {
		return "[" + strings.ToUpper(entity) + "]"
	}
	return strings.Repeat("#", len(word))
}

var (
	openers = []string{"Thanks for calling", "Good morning", "Hello and welcome", "Hi there"}
	names   = []string{"Maria", "James", "Aiko", "Daniel", "Priya", "Omar"}
	phrases = []string{
		"the order shipped on Monday and should arrive by Thursday",
		"we reviewed the quarterly numbers and the results look strong",
		"the meeting moved to the afternoon because of the weather",
		"please confirm the delivery address before we close the ticket",
		"the new release fixes the playback issue on older phones",
		"our team will follow up with a summary by email",
	}
)

// newSpeech makes the transcript text for id, applying r.
func newSpeech(id string, r Redaction) Speech {
	h := fnv.New64a()
	_, _ = h.Write([]byte(id))
	rng := rand.New(rand.NewPCG(h.Sum64(), 0x9e3779b97f4a7c15))
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }

	name, phone := pick(names), "555 0134"
	if r.redacts("person_name") {
		name = r.mask(name, "person_name")
	}
	if r.redacts("phone_number") {
		phone = r.mask(phone, "phone_number")
	}
	sentences := []string{pick(openers) + ", my name is " + name + ".",
		"You can reach me at " + phone + "."}
	for range 1 + rng.IntN(3) {
		p := pick(phrases)
		sentences = append(sentences, strings.ToUpper(p[:1])+p[1:]+".")
	}
	text := strings.Join(sentences, " ")

	var (
		words []Word
		at    = 250
		sum   float64
	)
	for _, w := range strings.Fields(text) {
		d := 150 + rng.IntN(450)
		c := math.Round((0.75+rng.Float64()*0.25)*100000) / 100000
		words = append(words, Word{Text: w, Start: at, End: at + d, Confidence: c})
		sum += c
		at += d + 20 + rng.IntN(100)
	}
	return Speech{Text: text, Words: words,
		Confidence:      math.Round(sum/float64(len(words))*10000) / 10000,
		DurationSeconds: at/1000 + 1}
}
