package webhook

import (
	"net"
	"net/url"
)

// HostPort is the address to dial for a target URL: its host and port,
// with the scheme's default port (443 for https, 80 otherwise) when the
// URL names none. Everything that connects to a target outside the
// HTTP transport (a reachability probe, a TLS handshake) dials this.
func HostPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	port := "80"
	if u.Scheme == "https" {
		port = "443"
	}
	return net.JoinHostPort(u.Hostname(), port)
}
