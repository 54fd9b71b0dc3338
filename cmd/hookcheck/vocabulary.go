package main

import (
	"net/netip"
	"strings"

	"github.com/hookcheck/hookcheck/simulator/receiver"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// The words of --allowlist, the same on every command that takes it:
// receiver admits what run delivers, so `receiver --allowlist socket:IP`
// admits exactly the address `run --allowlist socket:IP` dials from.
const (
	allowlistHeader = "header"  // the last X-Forwarded-For entry (P-7)
	allowlistSocket = "socket"  // the socket's peer address (P-7)
	allowlistIP     = "socket:" // the peer address, one IP: socket:IP
	// allowlistBind is the first name of socket:IP on run, kept as an
	// alias.
	allowlistBind = "bind:"
)

// allowlistWords says the --allowlist values in help text.
const allowlistWords = "header (X-Forwarded-For), socket (the peer address must be one of AssemblyAI's addresses of --region) or socket:IP (the peer address must be IP, the address 'hookcheck run --allowlist socket:IP' dials from)"

// parseAllowlist reads receiver's --allowlist value and --region: header
// and socket admit AssemblyAI's addresses of the regions (D-7); socket:IP
// (or bind:IP, run's first name for it) admits exactly IP on the socket.
func parseAllowlist(value, region string) (*receiver.Allowlist, error) {
	ipText, isIP := strings.CutPrefix(value, allowlistIP)
	if !isIP {
		ipText, isIP = strings.CutPrefix(value, allowlistBind)
	}
	if isIP {
		ip, err := netip.ParseAddr(ipText)
		if err != nil {
			return nil, usagef("--allowlist %s: %q is not an IP address", value, ipText)
		}
		return &receiver.Allowlist{Mode: receiver.AllowlistSocket, Allowed: []netip.Addr{ip.Unmap()}}, nil
	}
	var mode receiver.AllowlistMode
	switch value {
	case allowlistHeader:
		mode = receiver.AllowlistHeader
	case allowlistSocket:
		mode = receiver.AllowlistSocket
	default:
		return nil, usagef("--allowlist %q: unknown mode (want header, socket or socket:IP)", value)
	}
	var regions []webhook.Region
	if !strings.EqualFold(strings.TrimSpace(region), regionBoth) {
		r, err := webhook.ParseRegion(region)
		if err != nil {
			return nil, usagef("--region: %v (or both)", err)
		}
		regions = append(regions, r)
	}
	return &receiver.Allowlist{Mode: mode, Allowed: receiver.AssemblyAIAddresses(regions...)}, nil
}
