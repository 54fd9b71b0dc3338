package steps

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"net"
	"net/http"
	"net/url"

	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// The probes are not AssemblyAI's traffic: each request is sent once, to
// see how the receiver answers what it must refuse or survive.

// Addresses used for forged requests. They are documentation ranges (RFC
// 5737) written into X-Forwarded-For only: nothing is ever sent to them.
const forgedSourceAddress = "198.51.100.23"

// sendMalformed sends a malformed body once (RC-08).
func (st *conformanceScenario) sendMalformed(ctx context.Context, kind string) error {
	body := map[string]string{
		"invalid JSON":     `{"transcript_id": "` + webhook.NewUUID() + `", "status": `,
		"an empty body":    ``,
		"no transcript_id": `{"status":"completed"}`,
		"no session_id":    `{"messages":[]}`,
	}[kind]
	return st.send(ctx, webhook.RawBody([]byte(body), "application/json"), "", nil, "malformed body: "+kind)
}

// forgeWithoutAuth sends a notification without the auth header (D-8).
func (st *conformanceScenario) forgeWithoutAuth(ctx context.Context) error {
	return st.deliverProbe(ctx, "no auth header", func(p *webhook.Policy) { p.Auth = nil })
}

// forgeWrongAuth sends the configured auth header with a random value.
func (st *conformanceScenario) forgeWrongAuth(ctx context.Context) error {
	return st.deliverProbe(ctx, "wrong auth header value", func(p *webhook.Policy) {
		if p.Auth != nil {
			p.Auth = &webhook.AuthHeader{Name: p.Auth.Name, Value: webhook.Secret(randomToken())}
		}
	})
}

// forgeSource sends from an address that is not AssemblyAI's (D-7): a
// forged X-Forwarded-For in header mode, another loopback in bind mode.
func (st *conformanceScenario) forgeSource(ctx context.Context) error {
	return st.deliverProbe(ctx, "source address not AssemblyAI's", func(p *webhook.Policy) {
		if p.Source.Mode == webhook.SourceBind {
			p.Source.BindIP = otherLoopback(p.Source.BindIP)
			return
		}
		p.Source = webhook.SourceAddress{Mode: webhook.SourceNone}
		p.ExtraHeaders = map[string][]string{"X-Forwarded-For": {forgedSourceAddress}}
	})
}

// forgeWithoutForwardedFor sends a notification with no source address
// header.
func (st *conformanceScenario) forgeWithoutForwardedFor(ctx context.Context) error {
	return st.deliverProbe(ctx, "no X-Forwarded-For", func(p *webhook.Policy) { p.Source = webhook.SourceAddress{Mode: webhook.SourceNone} })
}

// sendOtherMethod sends a request with another method (RC-13) the way
// the clients that send such methods do: GET, HEAD, DELETE and OPTIONS
// (crawlers, link previews, health checks, curl -X DELETE) without a body
// or Content-Type; PUT and PATCH with the notification as JSON.
func (st *conformanceScenario) sendOtherMethod(ctx context.Context, method string) error {
	other := func(p *webhook.Policy) { p.Method = method }
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodDelete, http.MethodOptions:
		return st.send(ctx, webhook.RawBody(nil, ""), "", other, "method "+method)
	}
	return st.deliverProbe(ctx, "method "+method, other)
}

// connectTLS makes the TLS handshake; tlsVerdict judges it, so a failed
// handshake is a finding, not a step error.
func (st *conformanceScenario) connectTLS(ctx context.Context) error {
	st.handshake(ctx)
	return nil
}

// probe sends a request once: probes check one answer, they are not
// AssemblyAI traffic to be retried.
func probe(p *webhook.Policy) { p.MaxAttempts = 1 }

// deliverProbe sends a well-formed notification changed by change once,
// labelled as the probe it is (Delivery.Probe).
func (st *conformanceScenario) deliverProbe(ctx context.Context, label string, change func(*webhook.Policy)) error {
	n, err := st.notification(webhook.StatusCompleted)
	if err != nil {
		return err
	}
	return st.send(ctx, n, "", change, label)
}

func (st *conformanceScenario) handshake(ctx context.Context) {
	u, err := url.Parse(st.target())
	if err != nil {
		st.tlsErr = err
		return
	}
	host := webhook.HostPort(u)
	dialer := &tls.Dialer{
		NetDialer: &net.Dialer{Timeout: st.cfg.Policy.Timeout},
		Config:    &tls.Config{ServerName: u.Hostname(), MinVersion: tls.VersionTLS10}, //nolint:gosec // to see and report old versions
	}
	dctx, cancel := context.WithTimeout(ctx, st.cfg.Policy.Timeout)
	defer cancel()
	conn, err := dialer.DialContext(dctx, "tcp", host)
	if err != nil {
		st.tlsErr = err
		return
	}
	defer conn.Close()
	st.tlsVer = conn.(*tls.Conn).ConnectionState().Version
}

func randomToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return "forged-" + hex.EncodeToString(b)
}

// otherLoopback returns a loopback address other than ip.
func otherLoopback(ip net.IP) net.IP {
	if ip.Equal(net.IPv4(127, 0, 0, 3)) {
		return net.IPv4(127, 0, 0, 4)
	}
	return net.IPv4(127, 0, 0, 3)
}
