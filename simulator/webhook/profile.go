package webhook

import (
	"fmt"
	"net"
	"net/http"
	"slices"

	"github.com/hookcheck/hookcheck/simulator/profiles"
)

// PolicyFromProfile returns the delivery policy a profile describes, in
// real time, without an auth header (the auth value never lives in a
// profile, D-8). A profile whose source address for its region is not the
// documented one (D-7) shows that address as X-Forwarded-For by itself.
func PolicyFromProfile(pr profiles.Profile) (Policy, error) {
	timeout, interval := pr.Durations()
	p := Policy{
		Method:          pr.Method.Value,
		Timeout:         timeout,
		MaxAttempts:     pr.MaxAttempts.Value,
		RetryInterval:   interval,
		Pace:            RealTime,
		RetryOn4xx:      pr.RetryOn4xx.Value,
		FollowRedirects: pr.FollowRedirects.Value,
		MaxRedirects:    pr.MaxRedirects.Value,
		MaxBodyBytes:    pr.MaxBodyBytes.Value,
		Region:          Region(pr.Region.Value),
	}
	// The D-12 set is built by the sender; a profile's other values, and
	// headers it does not send, travel as extra headers, which the sender
	// applies after the D-12 set.
	builtin := map[string]string{"Accept": "*/*", "Accept-Encoding": "gzip, deflate", "Content-Type": "application/json"}
	for k, v := range pr.Headers.Value {
		k = http.CanonicalHeaderKey(k)
		switch {
		case k == "User-Agent":
			p.UserAgent = v
		case builtin[k] == v:
		default:
			if p.ExtraHeaders == nil {
				p.ExtraHeaders = http.Header{}
			}
			p.ExtraHeaders.Set(k, v)
		}
	}
	p.Schedule = pr.Waits()
	if pr.StopOnStatus != nil {
		p.StopOn = slices.Clone(pr.StopOnStatus.Value)
	}
	if pr.RetryAfter != nil {
		p.RetryAfterOn = slices.Clone(pr.RetryAfter.Value)
	}
	source, err := ParseSourceAddress(pr.SourceMode.Value)
	if err != nil {
		return p, fmt.Errorf("profile %s: source_mode: %w", pr.Profile, err)
	}
	p.Source = source
	addr := pr.SourceAddresses.Value[pr.Region.Value]
	if p.Region.Address() == "" {
		// A region hookcheck does not know: show its address by hand.
		p.Region = RegionUS
	}
	if source.Mode == SourceHeader && addr != p.Region.Address() {
		if net.ParseIP(addr) == nil {
			return p, fmt.Errorf("profile %s: source address %q is not an IP", pr.Profile, addr)
		}
		p.Source = SourceAddress{Mode: SourceNone}
		if p.ExtraHeaders == nil {
			p.ExtraHeaders = http.Header{}
		}
		p.ExtraHeaders.Set("X-Forwarded-For", addr)
	}
	if err := p.Validate(); err != nil {
		return p, fmt.Errorf("profile %s: %w", pr.Profile, err)
	}
	return p, nil
}

// ProfileFromPolicy describes p as a profile, for a file that --profile
// takes back; source says where the values come from.
func ProfileFromPolicy(p Policy, name, date, source string) profiles.Profile {
	headers := map[string]string{"User-Agent": p.UserAgent, "Accept": "*/*", "Accept-Encoding": "gzip, deflate", "Content-Type": "application/json"}
	addr := p.Region.Address()
	for k := range p.ExtraHeaders {
		if k == "X-Forwarded-For" && p.Source.Mode == SourceNone {
			addr = p.ExtraHeaders.Get(k)
			continue
		}
		headers[k] = p.ExtraHeaders.Get(k)
	}
	mode := p.Source.String()
	if addr != p.Region.Address() {
		mode = "header"
	}
	addrs := map[string]string{string(RegionUS): RegionUS.Address(), string(RegionEU): RegionEU.Address()}
	addrs[string(p.Region)] = addr
	return profiles.Profile{
		Profile: name, Date: date,
		Method:          profiles.Field[string]{Value: p.Method, Source: source},
		Timeout:         profiles.Field[string]{Value: p.Timeout.String(), Source: source},
		MaxAttempts:     profiles.Field[int]{Value: p.MaxAttempts, Source: source},
		RetryInterval:   profiles.Field[string]{Value: p.RetryInterval.String(), Source: source},
		RetryOn4xx:      profiles.Field[bool]{Value: p.RetryOn4xx, Source: source},
		FollowRedirects: profiles.Field[bool]{Value: p.FollowRedirects, Source: source},
		MaxRedirects:    profiles.Field[int]{Value: p.MaxRedirects, Source: source},
		Headers:         profiles.Field[map[string]string]{Value: headers, Source: source},
		Region:          profiles.Field[string]{Value: string(p.Region), Source: source},
		SourceAddresses: profiles.Field[map[string]string]{Value: addrs, Source: source},
		SourceMode:      profiles.Field[string]{Value: mode, Source: source},
		MaxBodyBytes:    profiles.Field[int64]{Value: p.MaxBodyBytes, Source: source},
	}
}
