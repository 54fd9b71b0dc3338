package main

import (
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html"
	htmltemplate "html/template"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/receiver"
)

// echoReceiver is the debug endpoint the probe found leaking: it
// answers every request with every request header, as response headers and
// in its body, and the request body too. It echoes each header value in
// every encoding a debug endpoint may use (encodings below): as it came,
// JSON-escaped, HTML-escaped, percent-encoded and base64-encoded. It admits
// only the right auth header value, so that the run exercises failures and
// retries as well. It answers every request under /verify/ (RC-18's
// --verify-url) 200. It echoes config, its own secrets, in every answer
// too, as a debug endpoint that prints its configuration does.
func echoReceiver(t *testing.T, authName, authValue string, config http.Header) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/verify/") {
			return
		}
		body, _ := io.ReadAll(r.Body)
		var echo strings.Builder
		h := r.Header.Clone()
		for name, vs := range config {
			h[name] = vs
		}
		for name, vs := range h {
			for _, v := range vs {
				for _, e := range encodings {
					ev := e.encode(v)
					w.Header().Add("X-Echo-"+e.name+"-"+name, ev)
					fmt.Fprintf(&echo, "%s %s: %s\n", e.name, name, ev)
				}
			}
		}
		// A JSON echo, as a debug endpoint writes it.
		for _, escapeHTML := range []bool{true, false} {
			enc := json.NewEncoder(&echo)
			enc.SetEscapeHTML(escapeHTML)
			_ = enc.Encode(h)
		}
		echo.Write(body)
		if r.Header.Get(authName) != authValue {
			w.WriteHeader(http.StatusUnauthorized)
		}
		_, _ = io.WriteString(w, echo.String())
	}))
	t.Cleanup(srv.Close)
	return srv
}

// encoding is one way a receiver or an output file may write a string.
type encoding struct {
	name   string
	encode func(string) string
}

// encodings are the ways a secret may be written: by a receiver echoing
// it, and again by hookcheck writing what the receiver answered into
// results.json (JSON), report.html (html/template), junit.xml (XML), the
// logs (Go quoting) and the console. They are written here independently
// of the masking code, so that a form it forgets is caught.
var encodings = []encoding{
	{"plain", func(s string) string { return s }},
	{"json", func(s string) string { b, _ := json.Marshal(s); return unquote(string(b)) }},
	{"json-nohtml", func(s string) string {
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(s)
		return unquote(strings.TrimSpace(b.String()))
	}},
	{"go-quoted", func(s string) string { return unquote(strconv.Quote(s)) }},
	{"html", html.EscapeString},
	{"html-template", func(s string) string {
		var b strings.Builder
		_ = htmltemplate.Must(htmltemplate.New("").Parse("{{.}}")).Execute(&b, s)
		return b.String()
	}},
	{"html-named", strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#x27;").Replace},
	{"xml", func(s string) string { var b strings.Builder; _ = xml.EscapeText(&b, []byte(s)); return b.String() }},
	{"query", url.QueryEscape},
	{"query-%20", func(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }},
	{"path", url.PathEscape},
	{"base64", func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }},
	{"base64-raw", func(s string) string { return base64.RawStdEncoding.EncodeToString([]byte(s)) }},
	{"base64url", func(s string) string { return base64.URLEncoding.EncodeToString([]byte(s)) }},
	{"base64url-raw", func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }},
}

func unquote(q string) string { return strings.TrimSuffix(strings.TrimPrefix(q, `"`), `"`) }

// secretForms returns every form of secret that must never appear in an
// output: each encoding of it, and each encoding of those (a receiver's
// JSON echo, written again by results.json), by the names of the
// encodings, e.g. "json(html)".
func secretForms(secret string) map[string]string {
	forms := map[string]string{}
	for _, outer := range encodings {
		for _, inner := range encodings {
			f := outer.encode(inner.encode(secret))
			name := outer.name + "(" + inner.name + ")"
			if _, seen := forms[f]; !seen {
				forms[f] = name
			}
		}
	}
	return forms
}

// requireNoSecret fails t for every form of every secret in outputs, by
// output and form.
func requireNoSecret(t *testing.T, outputs map[string]string, secrets ...string) {
	t.Helper()
	for _, secret := range secrets {
		for form, name := range secretForms(secret) {
			for out, text := range outputs {
				if n := strings.Count(text, form); n > 0 {
					t.Errorf("%s holds secret %q as %s %d times", out, secret, name, n)
				}
			}
		}
	}
}

// readOutputs reads every file under dir, by its path under dir.
func readOutputs(t *testing.T, dir string, into map[string]string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		into[rel] = string(b)
		return nil
	})
	require.NoError(t, err)
}

// TestSecretsNeverLeakThroughAnEcho proves item 2 of issue 11 and item 3
// of issue 18: every secret the run knows (the auth header's value, the
// URL's password and the basic-auth credentials the client derives from
// it, the verify header's value) appears 0 times, in any encoding (secretForms), in stdout, stderr
// and every output file, though the receiver echoes all of them in every
// answer, in every encoding. The auth values carry each character that an
// encoding changes: `"`, `\`, `<`, `>`, `+`, `=`, '/', '&', '\” and a space.
func TestSecretsNeverLeakThroughAnEcho(t *testing.T) {
	t.Parallel() // mostly real-time waits: overlap them with the other tests' waits
	const authName, verifyName, verifyValue = "X-Webhook-Secret", "X-Verify-Key", `v"erify/k&ey <+1>=`
	// The subtests are not named by their secret: the name is in the temp
	// directory's, which the console prints.
	for name, authValue := range map[string]string{
		"plain":     "s3cret-auth-value-7f3a",
		"quote":     `Ab"c\d<e>+Z9==`,
		"slash":     "tok/en+with/slashes?x=1==",
		"ampersand": "tok&en'with&amp;ampersands",
		"space":     "a secret with spaces 91c2",
	} {
		t.Run(name, func(t *testing.T) {
			const user, pass = "hookuser", "p4ss/w<rd>+91c2=="
			basic := base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
			secrets := []string{authValue, pass, basic, verifyValue}
			srv := echoReceiver(t, authName, authValue, http.Header{verifyName: {verifyValue}})
			target := strings.Replace(srv.URL, "http://", "http://"+user+":"+url.PathEscape(pass)+"@", 1) + "/hook?customer=1"
			env := map[string]string{envAuthHeaderValue: authValue, "HOOKCHECK_VERIFY_HEADER_VALUE": verifyValue}

			out := t.TempDir()
			r := hookcheck(t, env, "run", "--target", target, "--auth-header-name", authName, "--fast", "--out", out,
				"--tags", "~@serial", "--verbose", "--verify-url", srv.URL+"/verify/{transcript_id}", "--verify-header", verifyName)
			require.NotEqual(t, exitUsage, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
			outputs := map[string]string{"run stdout": r.stdout, "run stderr": r.stderr}
			readOutputs(t, out, outputs)
			for _, f := range []string{"results.json", "report.html", "junit.xml", "cucumber.json", "summary.md"} {
				require.Contains(t, outputs, f, "run writes %s", f)
			}
			require.Contains(t, outputs["results.json"], "X-Echo-", "the receiver's echoes are recorded")
			require.Contains(t, outputs["results.json"], "X-Echo-Json-"+verifyName, "the verify header's too")
			require.Contains(t, outputs["results.json"], "********", "and masked")

			// send, in both of its output forms, to a receiver that does not
			// echo the verify header, which send does not know.
			srv = echoReceiver(t, authName, authValue, nil)
			target = strings.Replace(srv.URL, "http://", "http://"+user+":"+url.PathEscape(pass)+"@", 1) + "/hook?customer=1"
			for _, args := range [][]string{nil, {"--json"}} {
				r := hookcheck(t, env, append([]string{"send", "--target", target, "--auth-header-name", authName, "--fast", "--verbose"}, args...)...)
				require.Equal(t, exitOK, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
				outputs["send "+strings.Join(args, " ")+" stdout"] = r.stdout + r.stderr
			}
			require.Contains(t, outputs["send --json stdout"], "X-Echo-")

			requireNoSecret(t, outputs, secrets...)
		})
	}
}

// TestAuthValueWithCRLFIsRefusedUpFront: such a value can never be sent
// (every attempt would fail as "protocol" and the receiver be blamed), so
// send and run refuse it as a usage error, exit 2, without quoting it.
func TestAuthValueWithCRLFIsRefusedUpFront(t *testing.T) {
	srv, inbox := serveBehaviour(t, "compliant", receiver.Params{}, receiver.Config{})
	for _, value := range []string{"s3cret\r\nX-Injected: 1", "s3cret\nmore", "s3cret\r"} {
		env := map[string]string{envAuthHeaderValue: value}
		r := hookcheck(t, env, "send", "--target", srv.URL+"/webhook", "--auth-header-name", "X-Webhook-Secret", "--fast")
		requireOneLine(t, r, "auth header")
		assert.NotContains(t, r.stderr, "s3cret")
		r = hookcheck(t, env, "run", "--target", srv.URL+"/webhook", "--auth-header-name", "X-Webhook-Secret", "--fast", "--out", t.TempDir())
		requireOneLine(t, r, "auth header")
		assert.NotContains(t, r.stderr, "s3cret")
	}
	assert.Zero(t, inbox.Len(), "nothing was sent")
}
