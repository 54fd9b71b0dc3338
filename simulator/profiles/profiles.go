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
	"regexp"
	"sort"
	"strings"
	"time"
)

//go:embed assemblyai.json
var assemblyAI []byte

// AssemblyAIFile is the name errors give the embedded profile.
const AssemblyAIFile = "simulator/profiles/assemblyai.json"

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
}

// Error is a malformed profile: the file, the line and the field at fault.
type Error struct {
	File  string
	Line  int
	Field string
	Err   error
}

func (e *Error) Error() string {
	if e.Field == "" {
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

// AssemblyAIJSON returns the embedded profile's bytes.
func AssemblyAIJSON() []byte { return bytes.Clone(assemblyAI) }

// Parse decodes and checks a profile; errors are *Error naming file, line
// and field. Every field is required and must name its source.
func Parse(file string, data []byte) (Profile, error) {
	var p Profile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return p, decodeError(file, data, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return p, &Error{File: file, Line: lineAt(data, int(dec.InputOffset())), Err: errors.New("text after the profile object")}
	}
	for _, c := range p.checks() {
		if err := c.check(); err != nil {
			return p, &Error{File: file, Line: lineOfKey(data, c.field), Field: c.field, Err: err}
		}
	}
	return p, nil
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
		{"timeout", func() error { return positiveDuration(p.Timeout, src, false) }},
		{"max_attempts", func() error {
			if err := src(p.MaxAttempts.Source); err != nil {
				return err
			}
			if p.MaxAttempts.Value < 1 {
				return fmt.Errorf("must be at least 1, got %d", p.MaxAttempts.Value)
			}
			return nil
		}},
		{"retry_interval", func() error { return positiveDuration(p.RetryInterval, src, true) }},
		{"retry_on_4xx", func() error { return src(p.RetryOn4xx.Source) }},
		{"follow_redirects", func() error { return src(p.FollowRedirects.Source) }},
		{"max_redirects", func() error {
			if err := src(p.MaxRedirects.Source); err != nil {
				return err
			}
			if p.MaxRedirects.Value < 0 {
				return fmt.Errorf("must not be negative, got %d", p.MaxRedirects.Value)
			}
			return nil
		}},
		{"headers", func() error {
			if err := src(p.Headers.Source); err != nil {
				return err
			}
			for _, k := range sortedKeys(p.Headers.Value) {
				if !tokenPattern.MatchString(k) {
					return fmt.Errorf("%q is not a header name", k)
				}
				if strings.ContainsAny(p.Headers.Value[k], "\r\n") {
					return fmt.Errorf("header %s: value has a line break", k)
				}
			}
			return nil
		}},
		{"source_addresses", func() error {
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
			if p.MaxBodyBytes.Value < 0 {
				return fmt.Errorf("must not be negative, got %d", p.MaxBodyBytes.Value)
			}
			return nil
		}},
	}
}

func nonEmpty(s string) error {
	if strings.TrimSpace(s) == "" {
		return errors.New("missing or empty")
	}
	return nil
}

func positiveDuration(f Field[string], src func(string) error, zeroOK bool) error {
	if err := src(f.Source); err != nil {
		return err
	}
	d, err := time.ParseDuration(f.Value)
	if err != nil {
		return fmt.Errorf("%q is not a duration such as 10s", f.Value)
	}
	if d < 0 || (d == 0 && !zeroOK) {
		return fmt.Errorf("must be positive, got %s", d)
	}
	return nil
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

// lineOfKey is the line where "key": first appears; 1 when it does not
// (a missing field is reported at the top of the file).
func lineOfKey(data []byte, key string) int {
	re := regexp.MustCompile(`"` + regexp.QuoteMeta(key) + `"\s*:`)
	if loc := re.FindIndex(data); loc != nil {
		return lineAt(data, loc[0])
	}
	return 1
}
