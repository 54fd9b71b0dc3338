// Package repro turns a delivery record into commands that repeat its
// request exactly: a curl command, and the `hookcheck send` command with
// the same notification, query and policy flags. Every failed scenario of
// a report carries them, so a failure is one copy-paste away from being
// run again (issue 13). The auth header's value is never in a command: it
// reads "$HOOKCHECK_AUTH_HEADER_VALUE" (D-8).
//
// A reproduction is never cut (issue 17): a body over InlineBodyMax is
// not inline but in a file of the report directory (BodyFile), which the
// curl command reads with --data-binary @file, relative to the report
// directory: run it there.
package repro

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// EnvAuthHeaderValue is the environment variable the commands read the
// auth header's value from.
const EnvAuthHeaderValue = "HOOKCHECK_AUTH_HEADER_VALUE"

// Reproduction is the commands that repeat one attempt's request.
type Reproduction struct {
	// Delivery is the delivery's id; Attempt its attempt number.
	Delivery string `json:"delivery"`
	Attempt  int    `json:"attempt"`
	// Curl sends the attempt's request once, byte for byte.
	Curl string `json:"curl"`
	// Send repeats the whole delivery with hookcheck; empty when send
	// cannot make this request (then SendNote says why).
	Send     string `json:"send,omitempty"`
	SendNote string `json:"send_note,omitempty"`
	// BodyFile, for a body over InlineBodyMax, is the file that holds it,
	// relative to the report directory ("repro/<delivery>.json"); Curl
	// reads it from there. BodyBytes and BodySHA256 are the size and hex
	// SHA-256 of the body sent, which the file holds byte for byte.
	BodyFile   string `json:"body_file,omitempty"`
	BodyBytes  int    `json:"body_bytes,omitempty"`
	BodySHA256 string `json:"body_sha256,omitempty"`
	// API, for a scenario that made AssemblyAI's API slow or fail on
	// purpose, is the shell commands that recreate that fault with
	// `hookcheck serve-api` before Send or Curl is run (RC-15, RC-16).
	API string `json:"api,omitempty"`
}

// InlineBodyMax is the largest body a curl command carries inline; a
// longer one is read from BodyFile.
const InlineBodyMax = 1 << 10

// BodyDir is the directory of the report directory that holds the bodies
// too long to be inline.
const BodyDir = "repro"

// BodyFileFor returns where d's body goes when it is too long to inline,
// relative to the report directory: BodyDir/<delivery id>.json (or .bin
// for a body that is not JSON).
func BodyFileFor(d *webhook.Delivery) string {
	ext := ".bin"
	if strings.Contains(d.Request.Headers.Get("Content-Type"), "json") {
		ext = ".json"
	}
	id := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, d.ID)
	if id == "" {
		id = "delivery"
	}
	return path.Join(BodyDir, id+ext)
}

// bodySize returns the size and hex SHA-256 of the body d sent, which the
// record may hold only the start of (a summarised session webhook).
func bodySize(d *webhook.Delivery) (int, string) {
	if d.Payload != nil && d.Payload.Truncated() {
		return d.Payload.Bytes, d.Payload.SHA256
	}
	sum := sha256.Sum256([]byte(d.Request.Body))
	return len(d.Request.Body), hex.EncodeToString(sum[:])
}

// Body returns the whole body d sent, byte for byte. A summarised
// session webhook's body is regenerated from its notification and checked
// against the size and hash the record kept; an error says why it could
// not be.
func Body(d *webhook.Delivery) ([]byte, error) {
	if d.Payload == nil || !d.Payload.Truncated() {
		return []byte(d.Request.Body), nil
	}
	b, _, err := d.Notification.Encode()
	if err != nil {
		return nil, fmt.Errorf("regenerate the body of delivery %s: %w", d.ID, err)
	}
	if len(b) != d.Payload.Bytes {
		return nil, fmt.Errorf("regenerate the body of delivery %s: not the bytes sent (%d bytes, %d were sent)", d.ID, len(b), d.Payload.Bytes)
	}
	if d.Payload.SHA256 != "" {
		sum := sha256.Sum256(b)
		if hex.EncodeToString(sum[:]) != d.Payload.SHA256 {
			return nil, fmt.Errorf("regenerate the body of delivery %s: not the bytes sent (SHA-256 differs)", d.ID)
		}
	}
	return b, nil
}

// ForDelivery returns one reproduction per attempt of d. Every attempt of
// a delivery sends the same request (D-4), so the commands are the same;
// results.json keeps them per attempt so each attempt reads on its own.
func ForDelivery(d *webhook.Delivery) []Reproduction {
	if d == nil {
		return nil
	}
	base := Reproduction{Delivery: d.ID}
	if size, sum := bodySize(d); size > InlineBodyMax {
		base.BodyFile, base.BodyBytes, base.BodySHA256 = BodyFileFor(d), size, sum
	}
	base.Curl = curlCommand(d.Request, d.Policy.AuthHeaderName, base.BodyFile)
	if d.Policy.Signature != "" {
		// The signature is the run's: a receiver with a timestamp
		// tolerance refuses the same bytes once it has passed.
		base.Curl += "  # " + signedAt
	}
	base.Send, base.SendNote = Send(d)
	n := max(len(d.Attempts), 1)
	out := make([]Reproduction, 0, n)
	for i := range n {
		r := base
		r.Attempt = i + 1
		out = append(out, r)
	}
	return out
}

// Curl returns a POSIX-shell curl command that sends req byte for byte:
// method, URL with its query as sent (D-9), every header of the evidence
// but the transport's own, and the body. authName's value is read from
// the environment. The body is inline, however long: ForDelivery puts a
// long one in a file instead.
func Curl(req webhook.Request, authName string) string {
	return curlCommand(req, authName, "")
}

// curlCommand is Curl, with the body read from bodyFile when it is set.
func curlCommand(req webhook.Request, authName, bodyFile string) string {
	var b strings.Builder
	piped := bodyFile == "" && !shellSafe(req.Body)
	if piped {
		// A NUL byte cannot be in a shell word: printf makes the body
		// from octal escapes and curl reads it from stdin.
		fmt.Fprintf(&b, "printf '%s' | ", printfEscape(req.Body))
	}
	// --globoff and --path-as-is keep the URL as sent; an empty Expect
	// stops curl adding "Expect: 100-continue" to large bodies.
	fmt.Fprintf(&b, "curl -sS --globoff --path-as-is -X %s %s", req.Method, Quote(req.URL))
	names := make([]string, 0, len(req.Headers))
	for k := range req.Headers {
		names = append(names, k)
	}
	slices.Sort(names)
	hasUA, hasAccept := false, false
	for _, k := range names {
		ck := http.CanonicalHeaderKey(k)
		switch ck {
		case "Content-Length", "Host", "Connection", "Transfer-Encoding":
			continue // curl computes these from the URL and the body
		case "User-Agent":
			hasUA = true
		case "Accept":
			hasAccept = true
		}
		for _, v := range req.Headers[k] {
			if authName != "" && ck == http.CanonicalHeaderKey(authName) {
				fmt.Fprintf(&b, " \\\n  -H %s\"$%s\"", Quote(k+": "), EnvAuthHeaderValue)
				continue
			}
			fmt.Fprintf(&b, " \\\n  -H %s", Quote(k+": "+v))
		}
	}
	// Headers curl adds by itself unless told not to.
	if !hasUA {
		b.WriteString(" \\\n  -H 'User-Agent:'")
	}
	if !hasAccept {
		b.WriteString(" \\\n  -H 'Accept:'")
	}
	b.WriteString(" \\\n  -H 'Expect:'")
	switch {
	case bodyFile != "":
		fmt.Fprintf(&b, " \\\n  --data-binary %s", Quote("@"+bodyFile))
	case piped:
		b.WriteString(" \\\n  --data-binary @-")
	case req.Body != "" || req.Method == http.MethodPost:
		fmt.Fprintf(&b, " \\\n  --data-binary %s", Quote(req.Body))
	}
	return b.String()
}

// shellSafe reports whether s can be pasted as a quoted shell word: valid
// UTF-8 without control characters other than tab and line breaks.
func shellSafe(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f {
			return false
		}
	}
	return true
}

// printfEscape renders s as a printf format that prints s byte for byte:
// printable ASCII as it is, every other byte, and ' % \\, as \ooo.
func printfEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c < 0x7f && c != '\'' && c != '%' && c != '\\' {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "\\%03o", c)
	}
	return b.String()
}

// signedAt is the note a signed request's curl command ends with.
const signedAt = "signed at the run: a receiver with a 5-minute tolerance refuses it later; hookcheck send --provider signs afresh"

// Send returns the `hookcheck send` command that repeats d's delivery with
// its schedule, or "" and why when send cannot make d's request.
func Send(d *webhook.Delivery) (string, string) {
	if d.Request.Method != http.MethodPost {
		return "", fmt.Sprintf("send always uses POST (D-1); this probe used %s: use the curl command", d.Request.Method)
	}
	if d.Policy.Signature != "" {
		return sendSigned(d)
	}
	args := []string{"hookcheck", "send", "--target", Quote(d.Request.URL)}
	n := d.Notification
	switch n.Kind {
	case webhook.KindTranscript:
		args = append(args, "--transcript-id", Quote(n.TranscriptID), "--status", Quote(n.Status))
	case webhook.KindRedactedAudio:
		args = append(args, "--payload", "redacted-audio", "--redacted-audio-url", Quote(n.RedactedAudioURL))
	case webhook.KindStreamingSession:
		if n.Session == nil {
			return "", "the streaming session's parameters are not in the record: use the curl command"
		}
		s := n.Session
		args = append(args, "--payload", "streaming-session", "--session-id", Quote(n.SessionID),
			"--session-duration", s.Duration.String(), "--session-seed", fmt.Sprint(s.Seed))
		if s.Speakers > 0 {
			args = append(args, "--session-speakers", fmt.Sprint(s.Speakers))
		}
		if s.LanguageCode != "" {
			args = append(args, "--session-language", Quote(s.LanguageCode))
		}
	default:
		return "", "the body is not a notification send makes (a malformed-input probe): use the curl command"
	}
	p := d.Policy
	def := webhook.DefaultPolicy()
	if t := p.Timeout(); t != def.Timeout {
		args = append(args, "--timeout", t.String())
	}
	if p.MaxAttempts != def.MaxAttempts {
		args = append(args, "--max-attempts", fmt.Sprint(p.MaxAttempts))
	}
	if ri := time.Duration(p.RetryIntervalMS * float64(time.Millisecond)); ri != def.RetryInterval {
		args = append(args, "--retry-interval", ri.String())
	}
	if p.Pace == webhook.Accelerated.String() {
		args = append(args, "--fast")
	}
	if p.Region != "" && p.Region != def.Region {
		args = append(args, "--region", string(p.Region))
	}
	if p.SourceAddress != "" && p.SourceAddress != def.Source.String() {
		args = append(args, "--source-address", Quote(p.SourceAddress))
	}
	if ua := d.Request.Headers.Get("User-Agent"); ua != def.UserAgent {
		args = append(args, "--user-agent", Quote(ua))
	}
	if p.AuthHeaderName != "" {
		args = append(args, "--auth-header-name", Quote(p.AuthHeaderName))
		// The value comes from the environment, which send reads itself.
	}
	return strings.Join(args, " "), ""
}

// sendSigned is Send for another provider's signed delivery: the same
// body, signed afresh with the secret of $HOOKCHECK_SIGNING_SECRET (which
// send reads itself) under the provider's profile. A probe's signature is wrong on purpose, which
// send never makes.
func sendSigned(d *webhook.Delivery) (string, string) {
	if d.Probe != "" {
		return "", "this probe's signature (" + d.Probe + ") is one send never makes: use the curl command"
	}
	args := []string{"hookcheck", "send", "--provider", Quote(d.Policy.Signature), "--target", Quote(d.Request.URL)}
	// The same message id: a repeat of an event the receiver has (SIG-09)
	// is then a repeat again, as a provider's retry would be.
	for name, vs := range d.Request.Headers { // names as sent, not canonical
		if len(vs) == 1 && (strings.EqualFold(name, "webhook-id") || strings.EqualFold(name, "X-GitHub-Delivery")) {
			args = append(args, "--message-id", Quote(vs[0]))
		}
	}
	if size, _ := bodySize(d); size > InlineBodyMax {
		args = append(args, "--data-file", Quote(BodyFileFor(d)))
	} else {
		args = append(args, "--data", Quote(d.Request.Body))
	}
	if d.Policy.Pace == webhook.Accelerated.String() {
		args = append(args, "--fast")
	}
	// The first attempt decides every check, and the provider's schedule
	// lasts days (45 min with --fast): one attempt repeats what failed.
	if d.Policy.MaxAttempts > 1 {
		args = append(args, "--max-attempts", "1")
	}
	// The secret is read from the environment, as the run read it.
	return strings.Join(args, " "), ""
}

// Quote makes s one POSIX-shell word, byte for byte.
func Quote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@,+%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
