package webhook_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/memnet"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// echo answers with every request header, as headers and in the body.
func echo() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b strings.Builder
		for k, vs := range r.Header {
			w.Header()["X-Echo-"+k] = vs
			b.WriteString(k + ": " + strings.Join(vs, ",") + "\n")
		}
		_, _ = io.WriteString(w, b.String())
	})
}

// TestRecordsMaskEchoedSecretsByValue: the auth value, the URL password,
// its basic-auth form and a caller's extra secret never reach the record,
// the observer or the JSON, though the receiver echoes all of them.
func TestRecordsMaskEchoedSecretsByValue(t *testing.T) { // D-8
	synctest.Test(t, func(t *testing.T) {
		const auth, pass, apiKey = "auth-value-1", "pa55-word", "api-key-42"
		p := webhook.DefaultPolicy()
		p.Auth = &webhook.AuthHeader{Name: "X-Secret", Value: auth}
		p.ExtraHeaders = http.Header{"X-Api-Key": {apiKey}}
		n := memnet.New()
		s, err := webhook.NewSender(p, webhook.Options{DialContext: n.DialContext, Secrets: []string{apiKey}})
		require.NoError(t, err)
		defer s.Close()
		srv, err := n.Serve("", echo())
		require.NoError(t, err)
		defer srv.Close()
		target := strings.Replace(srv.URL, "http://", "http://user:"+pass+"@", 1) + "/hook"
		var observed []string
		d, err := s.Deliver(context.Background(), target, completed(t), webhook.Observer{
			OnAttempt: func(_ *webhook.Delivery, a webhook.Attempt) { observed = append(observed, a.ResponseBody) }})
		require.NoError(t, err)
		require.Equal(t, webhook.Delivered, d.Outcome)
		js, err := json.Marshal(d)
		require.NoError(t, err)
		basic := base64.StdEncoding.EncodeToString([]byte("user:" + pass))
		for _, secret := range []string{auth, pass, basic, apiKey} {
			assert.NotContains(t, string(js), secret)
			assert.NotContains(t, strings.Join(observed, ""), secret)
		}
		assert.Equal(t, webhook.Mask, d.Request.Headers.Get("X-Api-Key"))
		assert.Equal(t, "Basic "+webhook.Mask, d.Attempts[0].ResponseHeaders.Get("X-Echo-Authorization"))
		assert.Equal(t, webhook.Mask, d.Attempts[0].ResponseHeaders.Get("X-Echo-X-Secret"))
	})
}

func TestRedactorLeavesCleanValuesShared(t *testing.T) {
	r := webhook.NewRedactor("", "abc", webhook.Mask)
	h := http.Header{"A": {"x"}}
	assert.Equal(t, "x", r.Header(h).Get("A"))
	h2 := r.Header(http.Header{"A": {"1abc2"}})
	assert.Equal(t, "1"+webhook.Mask+"2", h2.Get("A"))
	d := &webhook.Delivery{Target: "t"}
	assert.Same(t, d, r.Delivery(d), "nothing to mask: the record itself")
	var none *webhook.Redactor
	assert.Equal(t, "abc", none.String("abc"))
	assert.Equal(t, []string{"abc"}, r.Secrets())
}

func TestTargetSecrets(t *testing.T) {
	assert.Empty(t, webhook.TargetSecrets("http://h/x"))
	assert.Empty(t, webhook.TargetSecrets("::"))
	got := webhook.TargetSecrets("http://u:p%40ss@h/x")
	assert.Contains(t, got, "p@ss")
	assert.Contains(t, got, "p%40ss")
	assert.Contains(t, got, base64.StdEncoding.EncodeToString([]byte("u:p@ss")))
}

func TestValidateHeaderValue(t *testing.T) {
	assert.NoError(t, webhook.ValidateHeaderValue("a b\tc"))
	for _, v := range []string{"a\rb", "a\nb", "a\x00b", "a\x01b", "a\x7f"} {
		err := webhook.ValidateHeaderValue(v)
		require.Error(t, err, "%q", v)
		assert.NotContains(t, err.Error(), v)
	}
	p := webhook.DefaultPolicy()
	p.Auth = &webhook.AuthHeader{Name: "X-S", Value: "v\r\nX: 1"}
	assert.ErrorContains(t, p.Validate(), "CR")
}

// TestRedactorMasksEveryEncoding: a secret with every character an
// encoding changes is masked in each form a receiver may echo it in,
// written out here by hand (issue 18, item 3).
func TestRedactorMasksEveryEncoding(t *testing.T) {
	const secret = `Ab"c\d<e>+Z9==`
	forms := map[string]string{
		"exact":                  secret,
		"json":                   `Ab\"c\\d\u003ce\u003e+Z9==`,
		"json, not HTML-safe":    `Ab\"c\\d<e>+Z9==`,
		"html.EscapeString":      `Ab&#34;c\d&lt;e&gt;+Z9==`,
		"html/template":          `Ab&#34;c\d&lt;e&gt;&#43;Z9==`,
		"named entities":         `Ab&quot;c\d&lt;e&gt;+Z9==`,
		"url.QueryEscape":        `Ab%22c%5Cd%3Ce%3E%2BZ9%3D%3D`,
		"url.PathEscape":         `Ab%22c%5Cd%3Ce%3E+Z9==`,
		"base64":                 base64.StdEncoding.EncodeToString([]byte(secret)),
		"base64 without padding": base64.RawStdEncoding.EncodeToString([]byte(secret)),
		"base64url":              base64.URLEncoding.EncodeToString([]byte(secret)),
		"base64url, no padding":  base64.RawURLEncoding.EncodeToString([]byte(secret)),
	}
	r := webhook.NewRedactor(secret)
	for name, form := range forms {
		assert.Equal(t, "<"+webhook.Mask+">", r.String("<"+form+">"), name)
		assert.Contains(t, webhook.SecretForms(secret), form, name)
	}
	assert.Equal(t, []string{secret}, r.Secrets(), "the values given, not their forms")

	// Spaces, in both percent-encodings, and '&' and '/'.
	r = webhook.NewRedactor("a b&c/d")
	for _, form := range []string{"a+b%26c%2Fd", "a%20b%26c%2Fd", "a%20b&c%2Fd", "a b&amp;c/d", `a b\u0026c/d`} {
		assert.Equal(t, webhook.Mask, r.String(form), form)
	}
	// A clean value costs nothing: the same string comes back.
	assert.Equal(t, "nothing here", r.String("nothing here"))
}
