package webhook

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	htmltemplate "html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Redactor replaces every occurrence of the secret values it was given by
// Mask. Masking by header name is not enough: a receiver that echoes its
// request (a common debug endpoint) returns the auth value, or the basic
// auth credentials the client derived from the URL, in its own headers and
// body, which hookcheck records. A Redactor masks them by value wherever
// they appear, in every encoding a receiver may echo them in (see
// SecretForms). The zero value and nil mask nothing. It is safe for
// concurrent use.
type Redactor struct {
	secrets []string // as given, no duplicates, no empties
	forms   []string // every form of every secret, longest first, no duplicates
	r       *strings.Replacer
}

// NewRedactor returns a Redactor for secrets; empty values are ignored.
// It builds its single replacer here, once: every form of every secret
// (SecretForms) is matched in one pass by String.
func NewRedactor(secrets ...string) *Redactor { return newRedactor(nil, nil, secrets) }

// newRedactor returns a Redactor for secrets, whose forms are known, and
// more, whose forms it finds.
func newRedactor(secrets, forms, more []string) *Redactor {
	s, forms := slices.Clone(secrets), slices.Clone(forms)
	for _, v := range more {
		if v == "" || v == Mask || slices.Contains(s, v) {
			continue
		}
		s = append(s, v)
		for _, f := range SecretForms(v) {
			if f != Mask && !slices.Contains(forms, f) {
				forms = append(forms, f)
			}
		}
	}
	if len(s) == 0 {
		return &Redactor{}
	}
	// Longest first: a form that contains another is masked whole.
	slices.SortStableFunc(forms, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	pairs := make([]string, 0, 2*len(forms))
	for _, v := range forms {
		pairs = append(pairs, v, Mask)
	}
	return &Redactor{secrets: s, forms: forms, r: strings.NewReplacer(pairs...)}
}

// SecretForms returns secret and every encoding of it that a receiver
// echoing its request may write, and that hookcheck would otherwise store
// and print: JSON-escaped as encoding/json escapes it (with and without its
// HTML-safe \u003c, \u003e and \u0026), HTML-escaped (html.EscapeString,
// html/template's text escaping with &#43;, and the named &quot; form),
// percent-encoded (url.QueryEscape with '+' for a space, the same with
// %20, url.PathEscape), and base64 and base64url with and without padding.
// The list has no duplicates; the first element is secret itself.
func SecretForms(secret string) []string {
	forms := []string{secret}
	add := func(f string) {
		if f != "" && !slices.Contains(forms, f) {
			forms = append(forms, f)
		}
	}
	add(jsonEscape(secret, true))
	add(jsonEscape(secret, false))
	add(html.EscapeString(secret))
	add(htmlTemplateEscape(secret))
	add(namedHTML.Replace(secret))
	q := url.QueryEscape(secret)
	add(q)
	add(strings.ReplaceAll(q, "+", "%20"))
	add(url.PathEscape(secret))
	b := []byte(secret)
	for _, e := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		add(e.EncodeToString(b))
	}
	return forms
}

// namedHTML escapes as escapers that prefer named entities do (PHP's
// htmlspecialchars, Python's html.escape).
var namedHTML = strings.NewReplacer(`&`, "&amp;", `<`, "&lt;", `>`, "&gt;", `"`, "&quot;", `'`, "&#x27;")

// jsonEscape returns s as encoding/json writes it inside a string, with or
// without its HTML-safe escapes.
func jsonEscape(s string, escapeHTML bool) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(escapeHTML)
	if err := enc.Encode(s); err != nil {
		return ""
	}
	out := strings.TrimSuffix(b.String(), "\n")
	return strings.TrimSuffix(strings.TrimPrefix(out, `"`), `"`)
}

// htmlTextTemplate is html/template's escaping of text in an element, which
// escapes more than html.EscapeString (&#43; for '+', U+FFFD for NUL).
var htmlTextTemplate = htmltemplate.Must(htmltemplate.New("secret").Parse("{{.}}"))

// htmlTemplateEscape returns s as html/template writes it in text.
func htmlTemplateEscape(s string) string {
	var b strings.Builder
	if err := htmlTextTemplate.Execute(&b, s); err != nil {
		return ""
	}
	return b.String()
}

// With returns a Redactor that masks r's secrets and more; only the forms
// of more are found anew.
func (r *Redactor) With(more ...string) *Redactor {
	if r == nil {
		return NewRedactor(more...)
	}
	if len(more) == 0 {
		return r
	}
	return newRedactor(r.secrets, r.forms, more)
}

// Secrets returns the values r was given, without their other forms (for a
// caller that must pass them on).
func (r *Redactor) Secrets() []string {
	if r == nil {
		return nil
	}
	return slices.Clone(r.secrets)
}

// Empty reports whether r masks nothing.
func (r *Redactor) Empty() bool { return r == nil || r.r == nil }

// String returns s with every secret masked; s itself when none occurs.
func (r *Redactor) String(s string) string {
	if r.Empty() || s == "" || !r.contains(s) {
		return s
	}
	return r.r.Replace(s)
}

// contains reports whether any secret occurs in s, so that the common case
// (no secret) costs no allocation.
func (r *Redactor) contains(s string) bool {
	for _, v := range r.forms {
		if strings.Contains(s, v) {
			return true
		}
	}
	return false
}

// Header returns h with every secret masked in its names and values: h
// itself when none occurs (so shared, read-only sets stay shared), else a
// copy.
func (r *Redactor) Header(h http.Header) http.Header {
	out, _ := r.header(h)
	return out
}

// header is Header, and whether it masked anything.
func (r *Redactor) header(h http.Header) (http.Header, bool) {
	if r.Empty() || !r.headerNeeds(h) {
		return h, false
	}
	out := make(http.Header, len(h))
	for k, vs := range h {
		masked := make([]string, len(vs))
		for i, v := range vs {
			masked[i] = r.String(v)
		}
		out[r.String(k)] = masked
	}
	return out, true
}

func (r *Redactor) headerNeeds(h http.Header) bool {
	for k, vs := range h {
		if r.contains(k) {
			return true
		}
		for _, v := range vs {
			if r.contains(v) {
				return true
			}
		}
	}
	return false
}

// Attempt returns a with every secret masked in its answer and details.
func (r *Redactor) Attempt(a Attempt) Attempt {
	m, _ := r.attempt(a)
	return m
}

// attempt is Attempt, and whether it masked anything.
func (r *Redactor) attempt(a Attempt) (Attempt, bool) {
	if r.Empty() {
		return a, false
	}
	h, changed := r.header(a.ResponseHeaders)
	body, detail := r.String(a.ResponseBody), r.String(a.Detail)
	changed = changed || body != a.ResponseBody || detail != a.Detail
	a.ResponseHeaders, a.ResponseBody, a.Detail = h, body, detail
	if rd := a.Redirect; rd != nil {
		if loc := r.String(rd.Location); loc != rd.Location {
			a.Redirect, changed = &Redirect{StatusCode: rd.StatusCode, Location: loc, Count: rd.Count}, true
		}
	}
	return a, changed
}

// Delivery returns d with every secret masked in everything it stores: d
// itself when none occurs, else a copy (d is never changed).
func (r *Redactor) Delivery(d *Delivery) *Delivery {
	if r.Empty() || d == nil {
		return d
	}
	c := *d
	c.Target, c.Request.URL, c.Request.Body = r.String(d.Target), r.String(d.Request.URL), r.String(d.Request.Body)
	var changed bool
	c.Request.Headers, changed = r.header(d.Request.Headers)
	c.Notification.TranscriptID = r.String(d.Notification.TranscriptID)
	c.Notification.RedactedAudioURL = r.String(d.Notification.RedactedAudioURL)
	changed = changed || c.Target != d.Target || c.Request.URL != d.Request.URL || c.Request.Body != d.Request.Body ||
		c.Notification.TranscriptID != d.Notification.TranscriptID ||
		c.Notification.RedactedAudioURL != d.Notification.RedactedAudioURL
	var attempts []Attempt
	for i, a := range d.Attempts {
		m, masked := r.attempt(a)
		if !masked {
			continue
		}
		if attempts == nil {
			attempts = slices.Clone(d.Attempts)
		}
		attempts[i] = m
	}
	if attempts != nil {
		c.Attempts, changed = attempts, true
	}
	if !changed {
		return d
	}
	return &c
}

// TargetSecrets returns the secrets a webhook URL carries in its user
// information, in every form a receiver may echo them: the password as
// given and as percent-encoded, the user information, and the basic-auth
// credentials the HTTP client derives from it (base64 of user:password).
// An unparsable URL or one without user information carries none.
func TargetSecrets(raw string) []string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return nil
	}
	user := u.User.Username()
	pass, has := u.User.Password()
	var out []string
	if has && pass != "" {
		out = append(out, pass, url.QueryEscape(pass), url.PathEscape(pass))
	}
	if has || user != "" {
		cred := user + ":" + pass
		out = append(out, base64.StdEncoding.EncodeToString([]byte(cred)), base64.RawStdEncoding.EncodeToString([]byte(cred)))
	}
	return out
}

// Secrets returns the secret values p sends: the auth header's value (D-8).
func (p Policy) Secrets() []string {
	var out []string
	if p.Auth != nil && p.Auth.Value != "" {
		out = append(out, p.Auth.Value.Reveal())
	}
	if p.Signing != nil {
		for _, s := range p.Signing.Secrets {
			if s != "" {
				out = append(out, s.Reveal())
			}
		}
	}
	return out
}

// ValidateHeaderValue checks that value can be sent as an HTTP header
// field value: no CR, LF or NUL, which would split or end the header
// (RFC 9110 §5.5). Go's client refuses such a value on every attempt, so a
// delivery with it could never reach the receiver: it must be refused up
// front, as the user's error, not reported as the receiver's. The error
// never quotes the value, which may be a secret.
func ValidateHeaderValue(value string) error {
	for i := 0; i < len(value); i++ {
		switch c := value[i]; {
		case c == '\r', c == '\n', c == 0:
			return fmt.Errorf("header value contains %s at byte %d, which is not allowed in a header value", ctlName(c), i)
		case c < ' ' && c != '\t', c == 0x7f:
			return fmt.Errorf("header value contains control character %#02x at byte %d", c, i)
		}
	}
	return nil
}

func ctlName(c byte) string {
	switch c {
	case '\r':
		return "CR"
	case '\n':
		return "LF"
	}
	return "NUL"
}
