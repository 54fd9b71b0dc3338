package webhook_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/http/httpguts"

	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// FuzzTarget feeds arbitrary webhook URLs and query strings (--target, a
// submission's webhook_url): ParseTarget never panics; an accepted target
// has a host, keeps its query exactly as given (D-9) and makes a request
// the HTTP client can send; RedactTarget never shows the password.
// Corpus: testdata/fuzz/FuzzTarget.
func FuzzTarget(f *testing.F) {
	f.Add("http://127.0.0.1:8080/webhook", "customer_id=1234")
	f.Add("https://user:p%40ss@example.com/aai/hook", "a=1&a=2&b=%20x+y")
	f.Add("http://[::1]:9/x", "q=%zz")
	f.Add("http://h/", ";semi=1")
	f.Fuzz(func(t *testing.T, base, query string) {
		raw := base
		if query != "" {
			raw += "?" + query
		}
		shown := webhook.RedactTarget(raw)
		_ = webhook.TargetSecrets(raw)
		u, err := webhook.ParseTarget(raw)
		if err != nil {
			return
		}
		if u.Hostname() == "" {
			t.Fatalf("ParseTarget(%q) accepted a target without host", raw)
		}
		if u.Scheme != "http" && u.Scheme != "https" {
			t.Fatalf("ParseTarget(%q) accepted scheme %q", raw, u.Scheme)
		}
		if strings.Contains(raw, "?") && !strings.Contains(raw, "#") && u.RawQuery != raw[strings.Index(raw, "?")+1:] {
			t.Fatalf("ParseTarget(%q) changed the query to %q (D-9: sent as is)", raw, u.RawQuery)
		}
		if pass, ok := u.User.Password(); ok && pass != "" && pass != webhook.Mask {
			if p2, _ := mustParse(t, shown).User.Password(); p2 != webhook.Mask {
				t.Fatalf("RedactTarget(%q) = %q shows the password", raw, shown)
			}
		}
		if _, err := http.NewRequest(http.MethodPost, u.String(), nil); err != nil {
			t.Fatalf("ParseTarget(%q) accepted a URL the client refuses: %v", raw, err)
		}
		if err := sendOverPipe(u); err != nil {
			t.Fatalf("ParseTarget(%q) accepted a URL the client does not send: %v", raw, err)
		}
	})
}

// errNoDNS stands for the DNS server a lookup would ask: reaching it means
// the resolver accepted the name.
var errNoDNS = errors.New("no DNS in this test")

// sendOverPipe sends a POST to u as the Sender does (its URL and Host) with
// Go's transport, over an in-memory connection to a server that answers
// 204 (an https URL goes as http), and checks the address the transport dials: an IP address, or a
// name Go's resolver would look up (one it refuses fails before asking a
// DNS server). An error means the client would not deliver to u at all.
func sendOverPipe(u *url.URL) error {
	var dialErr error
	tr := &http.Transport{DialContext: func(ctx context.Context, _, addr string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, fmt.Errorf("dial address %q: %w", addr, err)
		}
		if _, err := netip.ParseAddr(host); err != nil {
			r := &net.Resolver{PreferGo: true, Dial: func(context.Context, string, string) (net.Conn, error) { return nil, errNoDNS }}
			var refused *net.DNSError
			if _, err := r.LookupHost(ctx, host); errors.As(err, &refused) && refused.IsNotFound && refused.Err != errNoDNS.Error() {
				dialErr = fmt.Errorf("the resolver refuses %q: %w", host, err)
				return nil, dialErr
			}
		}
		c, s := net.Pipe()
		go func() {
			defer s.Close()
			br := bufio.NewReader(s)
			req, err := http.ReadRequest(br)
			if err != nil {
				return
			}
			_, _ = io.Copy(io.Discard, req.Body)
			_, _ = io.WriteString(s, "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
		}()
		return c, nil
	}}
	defer tr.CloseIdleConnections()
	req, err := http.NewRequest(http.MethodPost, "", strings.NewReader("{}"))
	if err != nil {
		return err
	}
	plain := *u
	plain.Scheme = "http" // the pipe speaks no TLS; the host and the request line are the same
	req.URL, req.Host = &plain, strings.TrimSuffix(u.Host, ":")
	resp, err := tr.RoundTrip(req)
	if err != nil {
		return err
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		return fmt.Errorf("the server could not read the request: %s", resp.Status)
	}
	return dialErr
}

func mustParse(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("a redacted target does not parse: %q: %v", raw, err)
	}
	return u
}

// FuzzHeader feeds arbitrary auth header names and values (--auth-header-
// name/-value, a submission's webhook_auth_header_*): what the validators
// accept, Go's transport sends (it checks with httpguts), so a delivery
// never fails on the user's header and blames the receiver; an accepted
// policy is accepted by NewSender; a refusal never quotes the value.
// Corpus: testdata/fuzz/FuzzHeader.
func FuzzHeader(f *testing.F) {
	f.Add("X-Webhook-Secret", "s3cret")
	f.Add("Authorization", "Bearer a.b.c")
	f.Add("X-S", "v\r\nX-Injected: 1")
	f.Add("a b", "v")
	f.Add("Host", "x")
	f.Add("X-Tab", "a\tb")
	f.Fuzz(func(t *testing.T, name, value string) {
		nameErr, valueErr := webhook.ValidateHeaderName(name), webhook.ValidateHeaderValue(value)
		if nameErr == nil && !httpguts.ValidHeaderFieldName(name) {
			t.Fatalf("ValidateHeaderName accepts %q, which the transport refuses", name)
		}
		if valueErr == nil && !httpguts.ValidHeaderFieldValue(value) {
			t.Fatalf("ValidateHeaderValue accepts %q, which the transport refuses", value)
		}
		if valueErr != nil && len(value) > 3 && strings.Contains(valueErr.Error(), value) {
			t.Fatalf("the error quotes the value: %v", valueErr)
		}
		p := webhook.DefaultPolicy()
		p.Auth = &webhook.AuthHeader{Name: name, Value: webhook.Secret(value)}
		err := p.Validate()
		if (err == nil) != (nameErr == nil && valueErr == nil && value != "") {
			t.Fatalf("Validate(%q, %q) = %v, want the validators' verdict (%v, %v)", name, value, err, nameErr, valueErr)
		}
		if err == nil {
			s, err := webhook.NewSender(p, webhook.Options{})
			if err != nil {
				t.Fatalf("NewSender refuses a valid policy: %v", err)
			}
			s.Close()
		}
	})
}
