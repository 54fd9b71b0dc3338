// Package profiles holds delivery profiles: a sender's delivery rules as
// data (method, deadline, attempts, waits, redirect and 4xx policy,
// headers, source addresses), each value with the source it comes from.
// The built-in AssemblyAI profile, assemblyai.json, is embedded in the
// binary and is where webhook.DefaultPolicy takes its values; `hookcheck
// diff --update-profile` writes observed ones, which send, run and
// serve-api accept with --profile FILE.
package profiles

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"
)

//go:embed assemblyai.json
var assemblyAI []byte

//go:embed standard-webhooks.json
var standardWebhooks []byte

//go:embed stripe.json
var stripe []byte

//go:embed github.json
var github []byte

// AssemblyAIFile is the name errors give the embedded profile.
const AssemblyAIFile = "simulator/profiles/assemblyai.json"

// StandardWebhooksFile is the name errors give the embedded Standard
// Webhooks profile.
const StandardWebhooksFile = "simulator/profiles/standard-webhooks.json"

// StripeFile is the name errors give the embedded Stripe profile.
const StripeFile = "simulator/profiles/stripe.json"

// GitHubFile is the name errors give the embedded GitHub profile.
const GitHubFile = "simulator/profiles/github.json"

// Field is one value of a profile and where it comes from (a docs/spec.md
// rule id, or the capture it was observed in).
type Field[T any] struct {
	Value  T      `json:"value"`
	Source string `json:"source"`
}

// Profile is a sender's delivery rules as data.
type Profile struct {
	// Profile names the profile.
	Profile string `json:"profile"`
	// Date is the day the values were taken, YYYY-MM-DD.
	Date string `json:"date"`
	// About says what the profile describes.
	About string `json:"about,omitempty"`

	Method          Field[string]            `json:"method"`
	Timeout         Field[string]            `json:"timeout"`
	MaxAttempts     Field[int]               `json:"max_attempts"`
	RetryInterval   Field[string]            `json:"retry_interval"`
	RetryOn4xx      Field[bool]              `json:"retry_on_4xx"`
	FollowRedirects Field[bool]              `json:"follow_redirects"`
	MaxRedirects    Field[int]               `json:"max_redirects"`
	Headers         Field[map[string]string] `json:"headers"`
	Region          Field[string]            `json:"region"`
	SourceAddresses Field[map[string]string] `json:"source_addresses"`
	SourceMode      Field[string]            `json:"source_mode"`
	MaxBodyBytes    Field[int64]             `json:"max_body_bytes"`

	// The fields below are optional: a provider whose delivery rules need
	// them sets them; AssemblyAI's profile has none, so its file and every
	// value derived from it are as they were.

	// Schedule, when set, replaces retry_interval with one wait per retry
	// (max_attempts-1 of them), each from the end of one attempt to the
	// start of the next.
	Schedule *Field[[]string] `json:"schedule,omitempty"`
	// StopOnStatus lists answers that end a delivery at once, e.g. 410
	// (the receiver asks for the endpoint to be disabled).
	StopOnStatus *Field[[]int] `json:"stop_on_status,omitempty"`
	// RetryAfter lists the answers whose Retry-After header sets the wait
	// before the next attempt (throttling), within MaxRetryInterval.
	RetryAfter *Field[[]int] `json:"retry_after,omitempty"`
	// Signature names the signing scheme of every delivery (a
	// simulator/signing provider); empty means unsigned.
	Signature *Field[string] `json:"signature,omitempty"`
}

// Bounds of every profile value: a value outside them is refused when a
// profile is read (Parse, ReadFile), when a flag sets it (send, run,
// serve-api, diff) and before `diff --update-profile` writes it. They keep
// a hostile or mistaken profile from making a sender spin (10⁹ attempts
// without a wait), hang (a 2,562,047 h wait) or blame a receiver for a
// deadline no server can meet (1 ns).
const (
	// MinAttempts bounds max_attempts from below; AssemblyAI makes 10
	// (D-4).
	MinAttempts = 1
	// MaxAttempts bounds max_attempts from above.
	MaxAttempts = 100
	// MaxRetryInterval bounds retry_interval (0 is allowed); AssemblyAI
	// waits 10 s (D-4).
	MaxRetryInterval = 24 * time.Hour
	// MinTimeout bounds timeout from below; AssemblyAI waits 10 s (D-3).
	MinTimeout = 100 * time.Millisecond
	// MaxTimeout bounds timeout from above.
	MaxTimeout = 5 * time.Minute
	// MaxRedirects bounds max_redirects (0 is allowed); Go's client stops at
	// 10.
	MaxRedirects = 20
	// MaxBodyBytes bounds max_body_bytes (0 is allowed): the part of an
	// answer's body a sender keeps in memory (P-1 keeps 64 KiB).
	MaxBodyBytes = 64 << 20
	// MaxHeaders bounds the number of headers.
	MaxHeaders = 100
	// MaxHeaderBytes bounds the length of each header value.
	MaxHeaderBytes = 8 << 10
	// MaxFileBytes bounds a profile file; a larger one is refused before
	// it is read whole.
	MaxFileBytes = 1 << 20
)

// CheckAttempts reports whether n is a max_attempts within its bounds.
func CheckAttempts(n int) error {
	if n < MinAttempts || n > MaxAttempts {
		return fmt.Errorf("must be %d–%d, got %d", MinAttempts, MaxAttempts, n)
	}
	return nil
}

// CheckTimeout reports whether d is a timeout within its bounds.
func CheckTimeout(d time.Duration) error {
	if d < MinTimeout || d > MaxTimeout {
		return fmt.Errorf("must be %s–%s, got %s", MinTimeout, MaxTimeout, d)
	}
	return nil
}

// CheckRetryInterval reports whether d is a retry interval within its
// bounds.
func CheckRetryInterval(d time.Duration) error {
	if d < 0 || d > MaxRetryInterval {
		return fmt.Errorf("must be 0s–%s, got %s", MaxRetryInterval, d)
	}
	return nil
}

// CheckMaxRedirects reports whether n is a max_redirects within its bounds.
func CheckMaxRedirects(n int) error {
	if n < 0 || n > MaxRedirects {
		return fmt.Errorf("must be 0–%d, got %d", MaxRedirects, n)
	}
	return nil
}

// CheckMaxBodyBytes reports whether n is a max_body_bytes within its
// bounds.
func CheckMaxBodyBytes(n int64) error {
	if n < 0 || n > MaxBodyBytes {
		return fmt.Errorf("must be 0–%d (64 MiB), got %d", MaxBodyBytes, n)
	}
	return nil
}

// CheckHeaderValue reports whether v may be sent as a header value: no
// control byte but horizontal tab, at most MaxHeaderBytes long.
func CheckHeaderValue(v string) error {
	if len(v) > MaxHeaderBytes {
		return fmt.Errorf("value is %d bytes, over %d", len(v), MaxHeaderBytes)
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return fmt.Errorf("value has control byte %#02x at byte %d", c, i)
		}
	}
	return nil
}

// Error is a malformed profile: the file, the line and the field at fault.
type Error struct {
	File  string
	Line  int
	Field string
	Err   error
}

func (e *Error) Error() string {
	switch {
	case e.File == "" && e.Field == "":
		return e.Err.Error()
	case e.File == "":
		return fmt.Sprintf("field %s: %v", e.Field, e.Err)
	case e.Line == 0:
		return fmt.Sprintf("%s: %v", e.File, e.Err)
	case e.Field == "":
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s:%d: field %s: %v", e.File, e.Line, e.Field, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// AssemblyAI returns the built-in profile. The embedded file is checked by
// the package's tests, so a parse failure is a build defect: it panics.
func AssemblyAI() Profile {
	p, err := Parse(AssemblyAIFile, assemblyAI)
	if err != nil {
		panic(fmt.Sprintf("embedded profile: %v", err))
	}
	return p
}

// StandardWebhooks returns the built-in Standard Webhooks v1 profile
// (docs/spec.md SW-*). Like AssemblyAI, a parse failure is a build defect.
func StandardWebhooks() Profile {
	p, err := Parse(StandardWebhooksFile, standardWebhooks)
	if err != nil {
		panic(fmt.Sprintf("embedded profile: %v", err))
	}
	return p
}

// Stripe returns the built-in Stripe live-mode profile (docs/spec.md
// ST-*). Like AssemblyAI, a parse failure is a build defect.
func Stripe() Profile {
	p, err := Parse(StripeFile, stripe)
	if err != nil {
		panic(fmt.Sprintf("embedded profile: %v", err))
	}
	return p
}

// GitHub returns the built-in GitHub webhook profile (docs/spec.md GH-*).
// Like AssemblyAI, a parse failure is a build defect.
func GitHub() Profile {
	p, err := Parse(GitHubFile, github)
	if err != nil {
		panic(fmt.Sprintf("embedded profile: %v", err))
	}
	return p
}

// AssemblyAIJSON returns the embedded profile's bytes.
func AssemblyAIJSON() []byte { return bytes.Clone(assemblyAI) }

// ReadFile reads and checks the profile file at path. A file over
// MaxFileBytes is refused after reading at most one byte past the limit.
func ReadFile(path string) (Profile, error) {
	f, err := os.Open(path)
	if err != nil {
		return Profile{}, fmt.Errorf("read profile: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return Profile{}, fmt.Errorf("read profile %s: %w", path, err)
	}
	return Parse(path, data)
}

// Parse decodes and checks a profile; errors are *Error naming file, line
// and field. Every field is required, must name its source and lie within
// its bounds; a key given twice in any object (compared without case, as
// decoding and HTTP header names do) is refused; so is a file over
// MaxFileBytes.
func Parse(file string, data []byte) (Profile, error) {
	var p Profile
	if len(data) > MaxFileBytes {
		return p, &Error{File: file, Err: fmt.Errorf("larger than %d bytes (1 MiB): not a profile", MaxFileBytes)}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return p, decodeError(file, data, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return p, &Error{File: file, Line: lineAt(data, int(dec.InputOffset())), Err: errors.New("text after the profile object")}
	}
	lines, err := keyLines(file, data)
	if err != nil {
		return p, err
	}
	if err := p.check(); err != nil {
		err.File = file
		err.Line = max(lines[strings.ToLower(err.Field)], 1)
		return p, err
	}
	return p, nil
}

// Check reports the first value of p that is missing or out of its
// bounds, as an *Error naming the field (without file or line): what
// `diff --update-profile` checks before it writes a profile.
func (p Profile) Check() error {
	if err := p.check(); err != nil {
		return err
	}
	return nil
}

func (p Profile) check() *Error {
	for _, c := range p.checks() {
		if err := c.check(); err != nil {
			return &Error{Field: c.field, Err: err}
		}
	}
	return nil
}

// Waits returns the profile's schedule as durations (nil without one);
// Parse has checked them.
func (p Profile) Waits() []time.Duration {
	if p.Schedule == nil {
		return nil
	}
	out := make([]time.Duration, len(p.Schedule.Value))
	for i, v := range p.Schedule.Value {
		out[i], _ = time.ParseDuration(v)
	}
	return out
}

// Durations returns the profile's timeout and retry interval; Parse has
// checked them.
func (p Profile) Durations() (timeout, retryInterval time.Duration) {
	timeout, _ = time.ParseDuration(p.Timeout.Value)
	retryInterval, _ = time.ParseDuration(p.RetryInterval.Value)
	return timeout, retryInterval
}

// Marshal renders p as an indented profile file.
func (p Profile) Marshal() ([]byte, error) {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode profile: %w", err)
	}
	return append(b, '\n'), nil
}

type check struct {
	field string
	check func() error
}

var (
	datePattern  = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	tokenPattern = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
)

func (p Profile) checks() []check {
	src := func(s string) error {
		if strings.TrimSpace(s) == "" {
			return errors.New("missing, or without its source")
		}
		return nil
	}
	return []check{
		{"profile", func() error { return nonEmpty(p.Profile) }},
		{"date", func() error {
			if !datePattern.MatchString(p.Date) {
				return fmt.Errorf("%q is not a date YYYY-MM-DD", p.Date)
			}
			return nil
		}},
		{"method", func() error {
			if err := src(p.Method.Source); err != nil {
				return err
			}
			if !tokenPattern.MatchString(p.Method.Value) {
				return fmt.Errorf("%q is not an HTTP method", p.Method.Value)
			}
			return nil
		}},
		{"timeout", func() error { return boundedDuration(p.Timeout, src, CheckTimeout) }},
		{"max_attempts", func() error {
			if err := src(p.MaxAttempts.Source); err != nil {
				return err
			}
			return CheckAttempts(p.MaxAttempts.Value)
		}},
		{"retry_interval", func() error { return boundedDuration(p.RetryInterval, src, CheckRetryInterval) }},
		{"retry_on_4xx", func() error { return src(p.RetryOn4xx.Source) }},
		{"follow_redirects", func() error { return src(p.FollowRedirects.Source) }},
		{"max_redirects", func() error {
			if err := src(p.MaxRedirects.Source); err != nil {
				return err
			}
			return CheckMaxRedirects(p.MaxRedirects.Value)
		}},
		{"headers", func() error {
			if err := src(p.Headers.Source); err != nil {
				return err
			}
			if n := len(p.Headers.Value); n > MaxHeaders {
				return fmt.Errorf("%d headers, over %d", n, MaxHeaders)
			}
			for _, k := range sortedKeys(p.Headers.Value) {
				if !tokenPattern.MatchString(k) {
					return fmt.Errorf("%q is not a header name", k)
				}
				if err := CheckHeaderValue(p.Headers.Value[k]); err != nil {
					return fmt.Errorf("header %s: %w", k, err)
				}
			}
			return nil
		}},
		{"source_addresses", func() error {
			if p.SourceMode.Value == "none" && len(p.SourceAddresses.Value) == 0 {
				return nil // a provider without documented addresses
			}
			if err := src(p.SourceAddresses.Source); err != nil {
				return err
			}
			for _, k := range sortedKeys(p.SourceAddresses.Value) {
				if net.ParseIP(p.SourceAddresses.Value[k]) == nil {
					return fmt.Errorf("%s: %q is not an IP address", k, p.SourceAddresses.Value[k])
				}
			}
			return nil
		}},
		{"region", func() error {
			if p.SourceMode.Value == "none" && len(p.SourceAddresses.Value) == 0 {
				return nil
			}
			if err := src(p.Region.Source); err != nil {
				return err
			}
			if _, ok := p.SourceAddresses.Value[p.Region.Value]; !ok {
				return fmt.Errorf("%q has no address in source_addresses", p.Region.Value)
			}
			return nil
		}},
		{"source_mode", func() error {
			if err := src(p.SourceMode.Source); err != nil {
				return err
			}
			m := p.SourceMode.Value
			if m == "header" || m == "none" || (strings.HasPrefix(m, "bind:") && net.ParseIP(m[5:]) != nil) {
				return nil
			}
			return fmt.Errorf("%q: want header, none or bind:IP", m)
		}},
		{"max_body_bytes", func() error {
			if err := src(p.MaxBodyBytes.Source); err != nil {
				return err
			}
			return CheckMaxBodyBytes(p.MaxBodyBytes.Value)
		}},
		{"schedule", p.checkSchedule},
		{"stop_on_status", func() error { return checkStatuses(p.StopOnStatus, src) }},
		{"retry_after", func() error { return checkStatuses(p.RetryAfter, src) }},
		{"signature", func() error {
			if p.Signature == nil {
				return nil
			}
			if err := src(p.Signature.Source); err != nil {
				return err
			}
			return nonEmpty(p.Signature.Value)
		}},
	}
}

// checkSchedule checks one bounded wait per retry.
func (p Profile) checkSchedule() error {
	if p.Schedule == nil {
		return nil
	}
	if strings.TrimSpace(p.Schedule.Source) == "" {
		return errors.New("missing, or without its source")
	}
	if n, want := len(p.Schedule.Value), p.MaxAttempts.Value-1; n != want {
		return fmt.Errorf("%d waits for %d attempts: want %d (one per retry)", n, p.MaxAttempts.Value, want)
	}
	for i, v := range p.Schedule.Value {
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("wait %d: %q is not a duration such as 5m", i+1, v)
		}
		if err := CheckRetryInterval(d); err != nil {
			return fmt.Errorf("wait %d: %w", i+1, err)
		}
	}
	return nil
}

// checkStatuses checks an optional list of HTTP status codes.
func checkStatuses(f *Field[[]int], src func(string) error) error {
	if f == nil {
		return nil
	}
	if err := src(f.Source); err != nil {
		return err
	}
	for _, c := range f.Value {
		if c < 100 || c > 599 {
			return fmt.Errorf("%d is not an HTTP status code", c)
		}
	}
	return nil
}

func nonEmpty(s string) error {
	if strings.TrimSpace(s) == "" {
		return errors.New("missing or empty")
	}
	return nil
}

func boundedDuration(f Field[string], src func(string) error, bounds func(time.Duration) error) error {
	if err := src(f.Source); err != nil {
		return err
	}
	d, err := time.ParseDuration(f.Value)
	if err != nil {
		return fmt.Errorf("%q is not a duration such as 10s", f.Value)
	}
	return bounds(d)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// decodeError turns a JSON error into an *Error with the line it points at.
func decodeError(file string, data []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return &Error{File: file, Line: lineAt(data, int(syn.Offset)), Err: fmt.Errorf("not JSON: %w", err)}
	case errors.As(err, &typ):
		field := strings.TrimSuffix(typ.Field, ".value")
		return &Error{File: file, Line: lineAt(data, int(typ.Offset)), Field: field,
			Err: fmt.Errorf("want a %s, got a JSON %s", typ.Type, typ.Value)}
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return &Error{File: file, Line: lineAt(data, len(data)), Err: errors.New("the profile ends early")}
	}
	// json: unknown field "x"
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name = strings.Trim(name, `"`)
		return &Error{File: file, Line: lineOfKey(data, name), Field: name, Err: errors.New("unknown field")}
	}
	return &Error{File: file, Line: 1, Err: err}
}

// lineAt is the 1-based line of a byte offset.
func lineAt(data []byte, offset int) int {
	offset = min(max(offset, 0), len(data))
	return bytes.Count(data[:offset], []byte("\n")) + 1
}

// keyLines walks data's tokens (data is valid JSON: Decode has read it).
// It refuses a key given twice in one object, compared without case, and
// returns the line of each top-level key, lower-cased, for errors to point
// at.
func keyLines(file string, data []byte) (map[string]int, error) {
	lines := map[string]int{}
	dec := json.NewDecoder(bytes.NewReader(data))
	var stack []*frame
	key := ""
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return lines, nil
		}
		if err != nil {
			return nil, &Error{File: file, Line: lineAt(data, int(dec.InputOffset())), Err: fmt.Errorf("not JSON: %w", err)}
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.object && top.wantKey {
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:len(stack)-1]
				valueDone(stack)
				continue
			}
			k, _ := tok.(string)
			field := strings.TrimPrefix(top.path+"."+k, ".")
			line := lineAt(data, int(dec.InputOffset()))
			if top.keys[strings.ToLower(k)] {
				return nil, &Error{File: file, Line: line, Field: field, Err: errors.New("key given twice")}
			}
			top.keys[strings.ToLower(k)] = true
			if len(stack) == 1 {
				lines[strings.ToLower(k)] = line
			}
			top.wantKey, key = false, field
			continue
		}
		path := key
		if top != nil && !top.object {
			path = top.path + "[]"
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{object: true, wantKey: true, path: path, keys: map[string]bool{}})
		case json.Delim('['):
			stack = append(stack, &frame{path: path})
		case json.Delim(']'):
			stack = stack[:len(stack)-1]
			valueDone(stack)
		default:
			valueDone(stack)
		}
	}
}

// frame is an object or array the token walk is inside.
type frame struct {
	object  bool
	wantKey bool
	path    string
	keys    map[string]bool
}

// valueDone marks a value complete: an enclosing object wants a key next.
func valueDone(stack []*frame) {
	if len(stack) > 0 && stack[len(stack)-1].object {
		stack[len(stack)-1].wantKey = true
	}
}

// lineOfKey is the line where "key": first appears; 1 when it does not.
func lineOfKey(data []byte, key string) int {
	re := regexp.MustCompile(`"` + regexp.QuoteMeta(key) + `"\s*:`)
	if loc := re.FindIndex(data); loc != nil {
		return lineAt(data, loc[0])
	}
	return 1
}
