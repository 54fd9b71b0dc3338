package repro

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hookcheck/hookcheck/simulator/api"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// APIFault is how the emulated AssemblyAI API misbehaved on purpose for
// one transcript of a scenario (RC-15's slow fetch, RC-16's 500s and
// 429s): the evidence a reproduction needs to recreate the fault with
// `hookcheck serve-api --fault`.
type APIFault struct {
	// TranscriptID is the transcript whose GET /v2/transcript/{id}
	// misbehaved.
	TranscriptID string `json:"transcript_id"`
	// API is the API's base URL as the receiver reached it.
	API string `json:"api,omitempty"`
	// Status, when not 0, was answered instead of the transcript.
	Status int `json:"status,omitempty"`
	// DelayMS held each misbehaving answer back.
	DelayMS float64 `json:"delay_ms,omitempty"`
	// RetryAfterMS was sent with Status as Retry-After.
	RetryAfterMS float64 `json:"retry_after_ms,omitempty"`
	// Times is how many GETs misbehaved before the recovery; 0: all.
	Times int `json:"times,omitempty"`
	// ForMS is how long GETs misbehaved; 0: no time limit.
	ForMS float64 `json:"for_ms,omitempty"`
}

// FaultOf records f, the fault of transcript id on the API at base.
func FaultOf(id, base string, f api.Fault) APIFault {
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	return APIFault{TranscriptID: id, API: base, Status: f.Status, DelayMS: ms(f.Delay),
		RetryAfterMS: ms(f.RetryAfter), Times: f.Times, ForMS: ms(f.For)}
}

// Fault is the api.Fault f records.
func (f APIFault) Fault() api.Fault {
	d := func(ms float64) time.Duration { return time.Duration(ms * float64(time.Millisecond)) }
	return api.Fault{Status: f.Status, Delay: d(f.DelayMS), RetryAfter: d(f.RetryAfterMS), Times: f.Times, For: d(f.ForMS)}
}

// Spec is the value of serve-api's --fault flag that recreates f:
// "ID:status=500,times=2" or "ID:delay=15s". ParseFault reads it back.
func (f APIFault) Spec() string {
	fa := f.Fault()
	var parts []string
	if fa.Status != 0 {
		parts = append(parts, "status="+strconv.Itoa(fa.Status))
	}
	if fa.Delay > 0 {
		parts = append(parts, "delay="+fa.Delay.String())
	}
	if fa.RetryAfter > 0 {
		parts = append(parts, "retry-after="+fa.RetryAfter.String())
	}
	if fa.Times > 0 {
		parts = append(parts, "times="+strconv.Itoa(fa.Times))
	}
	if fa.For > 0 {
		parts = append(parts, "for="+fa.For.String())
	}
	return f.TranscriptID + ":" + strings.Join(parts, ",")
}

// ParseFault reads a --fault value, "ID:key=value,…" with the keys
// status (400..599), delay, retry-after and for (Go durations) and times.
func ParseFault(spec string) (APIFault, error) {
	id, rest, ok := strings.Cut(spec, ":")
	if !ok || id == "" || rest == "" {
		return APIFault{}, fmt.Errorf("fault %q: want TRANSCRIPT_ID:key=value[,key=value], e.g. ID:status=500,times=2 or ID:delay=15s", spec)
	}
	var f api.Fault
	for kv := range strings.SplitSeq(rest, ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return APIFault{}, fmt.Errorf("fault %q: %q is not key=value", spec, kv)
		}
		var err error
		switch k {
		case "status":
			f.Status, err = strconv.Atoi(v)
		case "times":
			f.Times, err = strconv.Atoi(v)
		case "delay":
			f.Delay, err = time.ParseDuration(v)
		case "retry-after":
			f.RetryAfter, err = time.ParseDuration(v)
		case "for":
			f.For, err = time.ParseDuration(v)
		default:
			err = errors.New("unknown key (want status, times, delay, retry-after or for)")
		}
		if err != nil {
			return APIFault{}, fmt.Errorf("fault %q: %s: %w", spec, k, err)
		}
	}
	if f == (api.Fault{}) {
		return APIFault{}, fmt.Errorf("fault %q: no misbehaviour (set status or delay)", spec)
	}
	return FaultOf(id, "", f), nil
}

// ServeAPI returns the shell commands that recreate the API faults of a
// scenario for a reproduction of d: `hookcheck serve-api` on the address
// the run served the API at, with the faulted transcripts and d's own
// seeded, then (in the background) the deliveries of faulted transcripts
// other than d's, which set the receiver fetching them (RC-19: one slow
// fetch while other notifications arrive). "" when there is no fault.
// others are the scenario's deliveries, to find those of faulted
// transcripts.
func ServeAPI(faults []APIFault, d *webhook.Delivery, others []*webhook.Delivery) string {
	if len(faults) == 0 || d == nil {
		return ""
	}
	base := faults[0].API
	listen := "127.0.0.1:8090"
	if u, err := url.Parse(base); err == nil && u.Host != "" {
		listen = u.Host
	} else {
		base = "http://" + listen
	}
	args := []string{"hookcheck", "serve-api", "--listen", Quote(listen)}
	own := ""
	if d.Notification.Kind == webhook.KindTranscript {
		own = d.Notification.TranscriptID
	}
	// Every transcript involved exists, in the state it was notified in;
	// a faulted one that is not seeded explicitly is seeded completed.
	isError := func(id string) bool {
		for _, o := range append([]*webhook.Delivery{d}, others...) {
			if o != nil && o.Notification.Kind == webhook.KindTranscript && o.Notification.TranscriptID == id {
				return o.Notification.Status == webhook.StatusError
			}
		}
		return false
	}
	faulted := map[string]bool{}
	for _, f := range faults {
		faulted[f.TranscriptID] = true
		if isError(f.TranscriptID) {
			args = append(args, "--seed-transcript", Quote(f.TranscriptID+":"+webhook.StatusError))
		}
		args = append(args, "--fault", Quote(f.Spec()))
	}
	if own != "" && !faulted[own] {
		seed := own
		if isError(own) {
			seed += ":" + webhook.StatusError
		}
		args = append(args, "--seed-transcript", Quote(seed))
	}
	lines := []string{
		"# recreate the API's fault, in the background; the receiver's AssemblyAI base URL must be " + base + ", as in the run (kill %1 afterwards)",
		strings.Join(args, " ") + " &",
	}
	var meanwhile []string
	for _, f := range faults {
		if f.TranscriptID == own {
			continue
		}
		i := slices.IndexFunc(others, func(o *webhook.Delivery) bool {
			return o != nil && o.Notification.Kind == webhook.KindTranscript && o.Notification.TranscriptID == f.TranscriptID
		})
		if i < 0 {
			continue
		}
		if send, _ := Send(others[i]); send != "" {
			meanwhile = append(meanwhile, send+" &")
		}
	}
	if len(meanwhile) > 0 {
		lines = append(lines, "# the notification(s) whose fetch the API holds back, in flight meanwhile:")
		lines = append(lines, meanwhile...)
	}
	return strings.Join(lines, "\n")
}
