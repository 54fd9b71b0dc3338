package receiver

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"

	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// AllowlistMode says where a receiver reads a delivery's source address
// (P-7).
type AllowlistMode string

// The two ways a delivery shows its source address (P-7).
const (
	// AllowlistHeader reads the last X-Forwarded-For entry, for receivers
	// behind a proxy or load balancer.
	AllowlistHeader AllowlistMode = "header"
	// AllowlistSocket reads the socket's peer address (r.RemoteAddr), for
	// receivers reached directly.
	AllowlistSocket AllowlistMode = "socket"
)

// Allowlist admits deliveries only from listed source addresses (D-7).
type Allowlist struct {
	// Mode says where the source address is read.
	Mode AllowlistMode
	// Allowed are the admitted addresses; AssemblyAIAddresses gives the
	// documented ones.
	Allowed []netip.Addr
}

// Validate reports a mode that is neither header nor socket and an empty
// list, which would refuse every delivery.
func (a Allowlist) Validate() error {
	var errs []error
	if a.Mode != AllowlistHeader && a.Mode != AllowlistSocket {
		errs = append(errs, fmt.Errorf("unknown mode %q (want %s or %s)", a.Mode, AllowlistHeader, AllowlistSocket))
	}
	if len(a.Allowed) == 0 {
		errs = append(errs, errors.New("no allowed addresses: every delivery would be refused"))
	}
	return errors.Join(errs...)
}

// AssemblyAIAddresses returns the documented source address of each region
// (D-7), or of every region when none is given. Regions without a
// documented address are skipped; webhook.ParseRegion never yields one.
func AssemblyAIAddresses(regions ...webhook.Region) []netip.Addr {
	if len(regions) == 0 {
		regions = []webhook.Region{webhook.RegionUS, webhook.RegionEU}
	}
	addrs := make([]netip.Addr, 0, len(regions))
	for _, r := range regions {
		if a, err := netip.ParseAddr(r.Address()); err == nil {
			addrs = append(addrs, a)
		}
	}
	return addrs
}

// admits reports whether r comes from an allowed address. An unreadable or
// missing source is refused, never an error: it is the sender's fault, and a
// 5xx would make AssemblyAI retry a request that can never pass (D-5).
func (a Allowlist) admits(r *http.Request) (netip.Addr, bool) {
	var (
		src netip.Addr
		err error
	)
	switch a.Mode {
	case AllowlistHeader:
		src, err = forwardedFor(r.Header)
	case AllowlistSocket:
		src, err = peerAddr(r.RemoteAddr)
	default:
		return netip.Addr{}, false // fail closed on a config Validate rejects
	}
	if err != nil {
		return netip.Addr{}, false
	}
	return src, slices.Contains(a.Allowed, src)
}

// forwardedFor returns the last X-Forwarded-For entry. The last one is the
// address that the nearest proxy (ours) saw; earlier entries are whatever
// the client claimed, so checking the first would accept forgeries.
func forwardedFor(h http.Header) (netip.Addr, error) {
	lines := h.Values("X-Forwarded-For")
	if len(lines) == 0 {
		return netip.Addr{}, errors.New("no X-Forwarded-For header")
	}
	entries := strings.Split(lines[len(lines)-1], ",")
	last := strings.TrimSpace(entries[len(entries)-1])
	if ap, err := netip.ParseAddrPort(last); err == nil {
		return ap.Addr().Unmap(), nil // some proxies append the port
	}
	a, err := netip.ParseAddr(last)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("X-Forwarded-For entry %q: %w", last, err)
	}
	return a.Unmap(), nil
}

// peerAddr returns the IP of a "host:port" remote address.
func peerAddr(remote string) (netip.Addr, error) {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("remote address %q: %w", remote, err)
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("remote address %q: %w", remote, err)
	}
	return a.Unmap(), nil
}
