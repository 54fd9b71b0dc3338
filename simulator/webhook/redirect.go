package webhook

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// Redirects with following on (P-3): a 3xx is the receiver's own answer,
// and where it points may be anyone's. Two rules follow from that. A
// secret configured for the receiver's origin never goes to another one:
// on a hop to another origin the auth header (D-8), every header whose
// value carries a known secret, and the credential and Referer headers are
// dropped, as browsers and Go's client do for Authorization (Go does it by
// host, not by port, and leaves custom headers alone). And the record
// keeps the receiver's first answer (Attempt.Redirect), so that a check
// judges what the receiver answered, not where its redirect led.

// Redirect is the receiver's own answer to an attempt whose redirects were
// followed (Policy.FollowRedirects, P-3): the 3xx that began the chain.
// The attempt's other fields are the chain's end.
type Redirect struct {
	// StatusCode is the first answer's 3xx status.
	StatusCode int `json:"status_code"`
	// Location is where it pointed, as the receiver wrote it, secrets
	// masked.
	Location string `json:"location"`
	// Count is how many 3xx answers the chain had, the first included.
	Count int `json:"count"`
}

// Origin is a URL's origin as RFC 6454 defines it: scheme, host and port
// (the scheme's default port when the URL names none), lower-cased, e.g.
// "http://127.0.0.1:80". Two URLs are the same origin when their Origins
// are equal.
func Origin(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		switch scheme {
		case "https":
			port = "443"
		case "http":
			port = "80"
		}
	}
	return scheme + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

// credentialHeaders are sent to the receiver's origin only, whatever
// their value.
var credentialHeaders = []string{"Authorization", "Proxy-Authorization", "Cookie", "Cookie2", "Referer"}

// chain is what an attempt's redirects were, as the client's CheckRedirect
// sees them; it travels in the attempt's request context.
type chain struct {
	status   int       // the receiver's own 3xx; 0 before any
	location string    // where it pointed
	count    int       // 3xx answers so far
	redact   *Redactor // the delivery's secrets
	authName string    // the auth header's name (D-8), "" without one
}

type chainKey struct{}

// withChain returns ctx carrying c for checkRedirect.
func withChain(ctx context.Context, c *chain) context.Context {
	return context.WithValue(ctx, chainKey{}, c)
}

// record returns the receiver's first answer as an attempt keeps it, nil
// when no redirect was followed.
func (c *chain) record() *Redirect {
	if c.status == 0 {
		return nil
	}
	return &Redirect{StatusCode: c.status, Location: intern(c.redact.String(c.location)), Count: c.count}
}

// checkRedirect is the client's CheckRedirect: P-3 (Policy.checkRedirect)
// decides whether to follow; a followed chain is recorded, and a hop that
// leaves the receiver's origin, or any earlier hop did, carries none of
// its secrets.
func (s *Sender) checkRedirect(req *http.Request, via []*http.Request) error {
	c, _ := req.Context().Value(chainKey{}).(*chain)
	if c != nil && s.policy.FollowRedirects {
		if c.status == 0 && req.Response != nil {
			c.status, c.location = req.Response.StatusCode, req.Response.Header.Get("Location")
		}
		c.count = len(via)
	}
	if err := s.policy.checkRedirect(req, via); err != nil {
		return err
	}
	if !leftOrigin(req, via) {
		return nil
	}
	var redact *Redactor
	if c != nil {
		redact = c.redact
		if c.authName != "" {
			req.Header.Del(c.authName)
		}
	}
	for _, name := range credentialHeaders {
		req.Header.Del(name)
	}
	// The client gave this hop its own header map: deleting from it
	// changes nothing the delivery shares.
	for name, values := range req.Header {
		for _, v := range values {
			if redact.String(v) != v || redact.String(name) != name {
				delete(req.Header, name)
				break
			}
		}
	}
	return nil
}

// leftOrigin reports whether req, or a hop before it, goes to another
// origin than the first request of the chain.
func leftOrigin(req *http.Request, via []*http.Request) bool {
	home := Origin(via[0].URL)
	if Origin(req.URL) != home {
		return true
	}
	for _, r := range via[1:] {
		if Origin(r.URL) != home {
			return true
		}
	}
	return false
}
