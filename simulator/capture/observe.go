package capture

import (
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// Observe returns base changed to what the captured deliveries show: the
// method (D-1), the D-12 headers, the wait between attempts (D-4, P-2,
// the median, scaled back to real time when base is accelerated), the
// attempts of a delivery whose every attempt failed (D-4), whether a 4xx
// was retried (D-5) and the source address shown (D-7). What the capture
// cannot show (the deadline, redirects) stays as in base.
func Observe(ds []Delivery, base webhook.Policy) webhook.Policy {
	p := base
	p.ExtraHeaders = base.ExtraHeaders.Clone()
	if len(ds) == 0 || len(ds[0].Attempts) == 0 {
		return p
	}
	first := ds[0].Attempts[0]
	p.Method = first.Method
	builtin := map[string]string{"Accept": "*/*", "Accept-Encoding": "gzip, deflate", "Content-Type": "application/json"}
	for name, want := range builtin {
		got := first.Header.Get(name)
		if got == want || got == "" {
			p.ExtraHeaders.Del(name)
			continue
		}
		if p.ExtraHeaders == nil {
			p.ExtraHeaders = http.Header{}
		}
		p.ExtraHeaders.Set(name, got)
	}
	if ua := first.Header.Get("User-Agent"); ua != "" {
		p.UserAgent = ua
	}
	var waits []time.Duration
	exhausted, retried4xx, stopped4xx := 0, false, false
	for _, d := range ds {
		allFailed := true
		for i, a := range d.Attempts {
			if i > 0 {
				prev := d.Attempts[i-1]
				waits = append(waits, a.Time.Sub(prev.Time.Add(min(prev.AnsweredAfter(), base.Timeout))))
				if prev.Status >= 400 && prev.Status < 500 && !prev.ClientGone {
					retried4xx = true
				}
			}
			if !a.ClientGone && a.Status >= 200 && a.Status < 300 {
				allFailed = false
			}
		}
		last := d.Attempts[len(d.Attempts)-1]
		if last.Status >= 400 && last.Status < 500 && !last.ClientGone {
			stopped4xx, allFailed = true, false
		}
		if allFailed {
			exhausted = max(exhausted, len(d.Attempts))
		}
	}
	if exhausted > 0 {
		p.MaxAttempts = exhausted
	}
	switch {
	case retried4xx:
		p.RetryOn4xx = true
	case stopped4xx:
		p.RetryOn4xx = false
	}
	if len(waits) > 0 {
		slices.Sort(waits)
		w := waits[len(waits)/2]
		if base.Pace == webhook.Accelerated {
			w *= webhook.AcceleratedFactor
		}
		switch {
		case w >= time.Second:
			w = w.Round(100 * time.Millisecond)
		default:
			w = w.Round(time.Millisecond)
		}
		p.RetryInterval = max(w, 0)
	}
	if ip := shownSource(first); ip != "" && p.Source.Mode == webhook.SourceHeader && ip != p.Region.Address() {
		switch ip {
		case webhook.RegionUS.Address():
			p.Region = webhook.RegionUS
		case webhook.RegionEU.Address():
			p.Region = webhook.RegionEU
		default:
			// An address D-7 does not list: shown by hand (see
			// webhook.PolicyFromProfile).
			if p.ExtraHeaders == nil {
				p.ExtraHeaders = http.Header{}
			}
			p.Source = webhook.SourceAddress{Mode: webhook.SourceNone}
			p.ExtraHeaders.Set("X-Forwarded-For", ip)
		}
	}
	if len(p.ExtraHeaders) == 0 {
		p.ExtraHeaders = nil
	}
	return p
}

// shownSource is the sender's address as the capture saw it: the first
// X-Forwarded-For hop (a tunnel appends its own), else the peer.
func shownSource(a Record) string {
	if xff := a.Header.Get("X-Forwarded-For"); xff != "" {
		hop := strings.TrimSpace(strings.Split(xff, ",")[0])
		if net.ParseIP(hop) != nil {
			return hop
		}
	}
	return ""
}
