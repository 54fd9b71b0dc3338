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

// SameAddress reports whether addr (host:port) is where the webhook URL
// target listens, counting every loopback name as one host: a server
// started on addr would take the target's port.
func SameAddress(addr, target string) bool {
	u, err := url.Parse(target)
	if err != nil {
		return false
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	thost, tport, err := net.SplitHostPort(HostPort(u))
	if err != nil || port != tport {
		return false
	}
	loopback := func(h string) bool {
		if h == "localhost" || h == "" {
			return true
		}
		ip := net.ParseIP(h)
		return ip != nil && (ip.IsLoopback() || ip.IsUnspecified())
	}
	return host == thost || (loopback(host) && loopback(thost))
}
