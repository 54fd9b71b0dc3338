package webhook

import (
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// checkSendable refuses a parsed target that Go's HTTP client would not
// send, or would send to an address no dial can reach: a delivery to it
// would fail before any receiver is involved, and the failure would be
// blamed on the receiver. url.Parse accepts such URLs: a host with bytes
// that are not UTF-8 ("http://h\xff/"), an IPv6 zone the URL's own text
// cannot carry ("http://[::%25\xff]/", which u.String() turns into an
// escape that http.NewRequest refuses), a port outside 1–65535, a name
// the resolver refuses to look up ("a..b", "-x", "1.2.3"), a query with a
// space (the request line would end there).
func checkSendable(raw string, u *url.URL) error {
	host, port := u.Hostname(), u.Port()
	if port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("target %q: port %q is not in 1–65535", raw, port)
		}
	}
	if strings.HasPrefix(u.Host, "[") {
		if err := checkIPv6Literal(host); err != nil {
			return fmt.Errorf("target %q: %w", raw, err)
		}
	} else if _, err := netip.ParseAddr(host); err != nil {
		if err := checkHostName(host); err != nil {
			return fmt.Errorf("target %q: %w", raw, err)
		}
	}
	// The query goes into the request line byte for byte (D-9), where a
	// space ends the request target: the receiver would read another
	// request than the one meant, and answer 400 for it.
	if strings.Contains(u.RawQuery, " ") {
		return fmt.Errorf("target %q: its query has a space, which breaks the request line (write it as %%20 or +)", raw)
	}
	// http.NewRequest and every log line work from the URL's text: it must
	// parse back to the same host and query (D-9).
	again, err := url.Parse(u.String())
	if err != nil {
		return fmt.Errorf("target %q does not survive re-encoding as %q: %w", raw, u.String(), err)
	}
	if again.Host != u.Host || again.RawQuery != u.RawQuery {
		return fmt.Errorf("target %q changes when re-encoded as %q", raw, u.String())
	}
	return nil
}

// checkIPv6Literal checks the address inside the brackets of a host:
// an IP address with, for IPv6, an optional zone naming a network
// interface (letters, digits, '.', '_', '-').
func checkIPv6Literal(host string) error {
	a, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("host [%q] is not an IP address: %w", host, err)
	}
	for _, c := range []byte(a.Zone()) {
		if !isZoneByte(c) {
			return fmt.Errorf("IPv6 zone %q is not an interface name (letters, digits, '.', '_', '-')", a.Zone())
		}
	}
	return nil
}

func isZoneByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-'
}

// checkHostName checks a host that is not an IP address the way the
// transport and Go's resolver see it: an internationalised name is
// converted to its ASCII form as the transport does (it keeps the name as
// given when the conversion fails), and the result must be a name the
// resolver looks up (the rules of Go's net.isDomainName: letters, digits,
// '_', '-' and '.', labels of 1–63 bytes, no label starting or ending
// with '-', at most 253 bytes, not all digits).
func checkHostName(host string) error {
	if !utf8.ValidString(host) {
		return fmt.Errorf("host %q is not UTF-8", host)
	}
	name := host
	if !isASCII(host) {
		if a, err := idna.Lookup.ToASCII(host); err == nil {
			name = a
		}
	}
	if !isDomainName(name) {
		return fmt.Errorf("host %q is not a name the resolver looks up (letters, digits, '_', '-' and '.', labels of at most 63 bytes, or an IP address)", host)
	}
	return nil
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// isDomainName reports whether Go's resolver looks s up; it follows
// net.isDomainName (RFC 1035, RFC 3696).
func isDomainName(s string) bool {
	if s == "." {
		return true
	}
	l := len(s)
	if l == 0 || l > 254 || l == 254 && s[l-1] != '.' {
		return false
	}
	last := byte('.')
	nonNumeric := false // a letter, '_' or '-' seen
	partlen := 0
	for i := range l {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_':
			nonNumeric = true
			partlen++
		case '0' <= c && c <= '9':
			partlen++
		case c == '-':
			if last == '.' {
				return false
			}
			partlen++
			nonNumeric = true
		case c == '.':
			if last == '.' || last == '-' || partlen > 63 || partlen == 0 {
				return false
			}
			partlen = 0
		default:
			return false
		}
		last = c
	}
	return last != '-' && partlen <= 63 && nonNumeric
}
