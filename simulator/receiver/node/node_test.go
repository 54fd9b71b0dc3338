package node_test

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookcheck/hookcheck/internal/secret"
	"github.com/hookcheck/hookcheck/simulator/receiver/node"
	"github.com/hookcheck/hookcheck/simulator/signing"
	"github.com/hookcheck/hookcheck/simulator/signing/vectors"
)

// docsVectors holds the committed vectors, docs/vectors/<provider>.json.
const docsVectors = "../../../docs/vectors"

var client = &http.Client{Timeout: 30 * time.Second}

// post sends body with headers (names as spelled) to url and returns the
// status.
func post(t *testing.T, url string, headers map[string]string, body string) int {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header[k] = []string{v}
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// accepted reads a status the way a provider does: 2xx accepts; the
// routes refuse with 400 or 401 and nothing else.
func accepted(t *testing.T, what string, status int) bool {
	t.Helper()
	switch {
	case status >= 200 && status < 300:
		return true
	case status == http.StatusBadRequest || status == http.StatusUnauthorized:
		return false
	}
	t.Errorf("%s: status %d, want 2xx or 400/401", what, status)
	return false
}

// verified reads a status of route r: accepted, or, on the route that
// refuses a repeated event id with 409, that repeat (the vectors of a
// provider share one event id) after its signature verified.
func verified(t *testing.T, r node.Route, what string, status int) bool {
	t.Helper()
	if r.Flaw == node.FlawDuplicate409 && status == http.StatusConflict {
		return true
	}
	return accepted(t, r.Path+" "+what, status)
}

func loadVectors(t *testing.T, p signing.Provider) []vectors.Vector {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(docsVectors, string(p)+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var vs []vectors.Vector
	if err := json.Unmarshal(b, &vs); err != nil {
		t.Fatal(err)
	}
	if len(vs) == 0 {
		t.Fatalf("no vectors for %s", p)
	}
	return vs
}

// roundTrips asks node which bodies JSON.stringify(JSON.parse(body))
// gives back byte for byte: the only ones a route verifying a
// re-serialization can accept. A body that is not JSON does not.
func roundTrips(t *testing.T, vs []vectors.Vector) map[string]bool {
	t.Helper()
	const script = `let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const out={};for(const v of JSON.parse(s)){try{out[v.name]=JSON.stringify(JSON.parse(v.body))===v.body}catch{out[v.name]=false}}console.log(JSON.stringify(out))})`
	in, err := json.Marshal(vs)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), "node", "-e", script)
	cmd.Stdin = bytes.NewReader(in)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node round trip: %v", err)
	}
	rt := map[string]bool{}
	if err := json.Unmarshal(out, &rt); err != nil {
		t.Fatal(err)
	}
	return rt
}

func routesOf(p signing.Provider) []node.Route {
	var rs []node.Route
	for _, r := range node.Routes() {
		if r.Provider == p {
			rs = append(rs, r)
		}
	}
	return rs
}

// newSecret returns a random whsec_ secret of 32 key bytes: valid for all
// three providers.
func newSecret(t *testing.T) secret.Secret {
	t.Helper()
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		t.Fatal(err)
	}
	return secret.Secret(signing.PrefixSymmetric + base64.StdEncoding.EncodeToString(k))
}

// TestNodeVectors replays every committed vector, headers and body as
// they are, to every route of its provider, on a server whose libraries
// take the vector's now as the time. The compliant routes (the official
// libraries on the raw body) accept every valid vector and refuse every
// invalid one; each broken route differs exactly by its flaw.
func TestNodeVectors(t *testing.T) {
	node.Require(t)
	for _, p := range signing.Providers() {
		t.Run(string(p), func(t *testing.T) {
			vs := loadVectors(t, p)
			rt := roundTrips(t, vs)
			// The re-serialization flaw must show on the vectors built for
			// it (JS keeps key order and raw UTF-8, so those round-trip).
			for _, name := range []string{"raw-body-whitespace", "raw-body-escaped-unicode", "raw-body-large-numbers", "raw-body-duplicate-key"} {
				if rt[name] {
					t.Errorf("%s round-trips through JSON.stringify: the re-serialized routes cannot fail on it", name)
				}
			}
			type group struct {
				secret string
				now    int64
			}
			groups := map[group][]vectors.Vector{}
			for _, v := range vs {
				g := group{v.Secret, v.Now}
				groups[g] = append(groups[g], v)
			}
			counts := map[string]int{} // route path -> vectors whose verdict differs from the compliant route's
			for _, g := range slices.SortedFunc(maps.Keys(groups), func(a, b group) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) }) {
				base := node.StartT(t, node.Config{
					Secret:     secret.Secret(g.secret),
					NextSecret: newSecret(t), // holding a second secret changes no verdict
					Now:        time.Unix(g.now, 0),
					Work:       time.Millisecond,
				})
				for _, v := range groups[g] {
					for _, r := range routesOf(p) {
						want := v.Valid
						switch r.Flaw {
						case node.FlawReserialized, node.FlawLooseReserialized:
							want = v.Valid && rt[v.Name]
						case node.FlawNoTolerance:
							want = v.Valid || v.Name == "timestamp-past-tolerance" || v.Name == "timestamp-future-tolerance"
						case node.FlawNoCheck:
							want = true
						}
						got := verified(t, r, v.Name, post(t, base+r.Path, v.Headers, v.Body))
						if got != want {
							t.Errorf("%s %s: accepted=%v, want %v (vector valid=%v: %s)", r.Path, v.Name, got, want, v.Valid, v.Reason)
						}
						if got != v.Valid {
							counts[r.Path]++
						}
					}
				}
			}
			// Every broken route whose flaw a vector can show differs from
			// the vectors' verdict on some; == (timing), one secret (the
			// vectors hold one) and 429 (load) agree on all of them.
			for _, r := range routesOf(p) {
				shows := r.Flaw == node.FlawReserialized || r.Flaw == node.FlawLooseReserialized ||
					r.Flaw == node.FlawNoTolerance || r.Flaw == node.FlawNoCheck
				if shows != (counts[r.Path] > 0) {
					t.Errorf("%s (%q) differs from the vectors' verdict on %d vectors", r.Path, r.Flaw, counts[r.Path])
				}
			}
		})
	}
}

// wallCase is one request signed now, at the wall clock, and the verdict
// of every route of its provider.
type wallCase struct {
	name     string
	p        signing.Provider
	ts       time.Duration // the timestamp's offset from now
	body     string
	secrets  string // "current", "next" or "wrong"
	accepted []string
	refused  []string
}

// TestNodeWallClock signs fresh requests with simulator/signing at the
// current time and sends them to a server on the wall clock: the
// timestamp-sensitive cases the vectors, signed at a fixed time, cannot
// show against a live clock, and the rotation case they do not hold.
func TestNodeWallClock(t *testing.T) {
	node.Require(t)
	current, next, wrong := newSecret(t), newSecret(t), newSecret(t)
	base := node.StartT(t, node.Config{Secret: current, NextSecret: next, Work: time.Millisecond})
	const (
		plain  = `{"id":"evt_1","type":"invoice.paid","data":{"amount":1999}}`
		spaced = "{\n  \"id\": \"evt_2\",\n  \"type\": \"invoice.paid\"\n}\n"
	)
	sw, st, gh := "/standard-webhooks", "/stripe", "/github"
	// r lists routes of a provider: "" is its compliant route.
	r := func(p string, rs ...string) []string {
		out := make([]string, 0, len(rs))
		for _, x := range rs {
			if x == "" {
				out = append(out, p)
			} else {
				out = append(out, p+"/"+x)
			}
		}
		return out
	}
	cases := []wallCase{
		{"valid now", signing.StandardWebhooks, 0, plain, "current",
			r(sw, "", "reserialized", "no-tolerance", "one-secret", "eq", "no-check", "429-under-load", "no-dedup", "duplicate-409"), nil},
		{"an hour old", signing.StandardWebhooks, -time.Hour, plain, "current",
			r(sw, "no-tolerance", "no-check"), r(sw, "", "reserialized", "one-secret", "eq", "429-under-load", "no-dedup", "duplicate-409")},
		{"an hour ahead", signing.StandardWebhooks, time.Hour, plain, "current",
			r(sw, "no-tolerance", "no-check"), r(sw, "", "reserialized", "one-secret", "eq", "429-under-load", "no-dedup", "duplicate-409")},
		{"whitespace body", signing.StandardWebhooks, 0, spaced, "current",
			r(sw, "", "no-tolerance", "one-secret", "eq", "no-check", "429-under-load", "no-dedup", "duplicate-409"), r(sw, "reserialized")},
		{"next secret only", signing.StandardWebhooks, 0, plain, "next",
			r(sw, "", "reserialized", "no-tolerance", "eq", "no-check", "429-under-load", "no-dedup", "duplicate-409"), r(sw, "one-secret")},
		{"wrong secret", signing.StandardWebhooks, 0, plain, "wrong",
			r(sw, "no-check"), r(sw, "", "reserialized", "no-tolerance", "one-secret", "eq", "429-under-load", "no-dedup", "duplicate-409")},

		{"valid now", signing.Stripe, 0, plain, "current", r(st, "", "parsed", "no-tolerance", "no-check", "no-dedup", "duplicate-409"), nil},
		{"an hour old", signing.Stripe, -time.Hour, plain, "current", r(st, "no-tolerance", "no-check"), r(st, "", "parsed", "no-dedup", "duplicate-409")},
		{"whitespace body", signing.Stripe, 0, spaced, "current", r(st, "", "no-tolerance", "no-check", "no-dedup", "duplicate-409"), r(st, "parsed")},
		{"next secret only", signing.Stripe, 0, plain, "next", r(st, "", "parsed", "no-tolerance", "no-check", "no-dedup", "duplicate-409"), nil},
		{"wrong secret", signing.Stripe, 0, plain, "wrong", r(st, "no-check"), r(st, "", "parsed", "no-tolerance", "no-dedup", "duplicate-409")},

		{"valid now", signing.GitHub, 0, plain, "current", r(gh, "", "reserialized", "eq", "eq-reserialized", "no-check", "no-dedup", "duplicate-409"), nil},
		{"whitespace body", signing.GitHub, 0, spaced, "current", r(gh, "", "eq", "no-check", "no-dedup", "duplicate-409"), r(gh, "reserialized", "eq-reserialized")},
		{"next secret only", signing.GitHub, 0, plain, "next", r(gh, "", "reserialized", "eq", "eq-reserialized", "no-check", "no-dedup", "duplicate-409"), nil},
		{"wrong secret", signing.GitHub, 0, plain, "wrong", r(gh, "no-check"), r(gh, "", "reserialized", "eq", "eq-reserialized", "no-dedup", "duplicate-409")},
	}
	secrets := map[string]secret.Secret{"current": current, "next": next, "wrong": wrong}
	for i, c := range cases {
		t.Run(string(c.p)+"/"+c.name, func(t *testing.T) {
			// Every route of the provider has a verdict, exactly once.
			var paths []string
			for _, r := range routesOf(c.p) {
				paths = append(paths, r.Path)
			}
			listed := slices.Concat(c.accepted, c.refused)
			if !slices.Equal(slices.Sorted(slices.Values(listed)), slices.Sorted(slices.Values(paths))) {
				t.Fatalf("case lists %v, the provider's routes are %v", listed, paths)
			}
			signer, err := signing.NewSigner(c.p, secrets[c.secrets])
			if err != nil {
				t.Fatal(err)
			}
			for _, path := range listed {
				// A fresh id per request, in the headers and in the body
				// (Stripe's event id): no route sees a redelivery here.
				id := fmt.Sprintf("%d_%s", i, strings.ReplaceAll(path, "/", "_"))
				body := strings.Replace(c.body, `"evt_`, `"evt_`+id+`_`, 1)
				hs, err := signer.Sign(signing.Message{
					ID:        "msg_wall_" + id,
					Timestamp: time.Now().Add(c.ts),
					Body:      []byte(body),
				})
				if err != nil {
					t.Fatal(err)
				}
				h := map[string]string{}
				for _, f := range hs {
					h[f.Name] = f.Value
				}
				want := slices.Contains(c.accepted, path)
				if got := accepted(t, path, post(t, base+path, h, body)); got != want {
					t.Errorf("%s: accepted=%v, want %v", path, got, want)
				}
			}
		})
	}
}

// signedRequest signs body with id as the message id (webhook-id,
// X-GitHub-Delivery) for p at the wall clock; it returns the headers and
// the event id a receiver deduplicates on.
func signedRequest(t *testing.T, p signing.Provider, sec secret.Secret, id, body string) (map[string]string, string) {
	t.Helper()
	signer, err := signing.NewSigner(p, sec)
	if err != nil {
		t.Fatal(err)
	}
	hs, err := signer.Sign(signing.Message{ID: id, Timestamp: time.Now(), Body: []byte(body)})
	if err != nil {
		t.Fatal(err)
	}
	h := map[string]string{}
	hh := http.Header{}
	for _, f := range hs {
		h[f.Name] = f.Value
		hh.Set(f.Name, f.Value)
	}
	return h, signing.EventID(p, hh, []byte(body))
}

// processedCount asks a route's processed URL about id: the status and
// the count it answers ({"processed": N}, on 200 and 404 alike).
func processedCount(t *testing.T, base, path, id string) (int, int) {
	t.Helper()
	u := strings.ReplaceAll(node.VerifyURL(base, path), "{id}", url.PathEscape(id))
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var c struct {
		Processed *int `json:"processed"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&c); err != nil || c.Processed == nil {
		t.Fatalf("GET %s: %d, no {\"processed\": N} (%v)", u, resp.StatusCode, err)
	}
	return resp.StatusCode, *c.Processed
}

// TestNodeRedelivery sends the same signed request twice to each
// provider's compliant, no-dedup and duplicate-409 routes, then asks the
// route's processed URL: the compliant route answers 2xx twice and counts
// one processing; the no-dedup one answers 2xx twice and counts two; the
// duplicate-409 one answers 2xx, then 409, and counts one. Each route
// counts its own: the event sent to one is unknown to another (404, 0).
func TestNodeRedelivery(t *testing.T) {
	node.Require(t)
	current := newSecret(t)
	base := node.StartT(t, node.Config{Secret: current})
	for _, p := range signing.Providers() {
		t.Run(string(p), func(t *testing.T) {
			prefix := "/" + string(p)
			for _, c := range []struct {
				path    string
				second  int
				counted int
			}{
				{prefix, http.StatusOK, 1},
				{prefix + "/no-dedup", http.StatusOK, 2},
				{prefix + "/duplicate-409", http.StatusConflict, 1},
			} {
				tag := strings.ReplaceAll(c.path, "/", "_")
				body := `{"id":"evt_redelivered` + tag + `","type":"invoice.paid"}`
				h, id := signedRequest(t, p, current, "msg_redelivered"+tag, body)
				if id == "" {
					t.Fatalf("%s: the request names no event id", c.path)
				}
				if s, n := processedCount(t, base, c.path, id); s != http.StatusNotFound || n != 0 {
					t.Errorf("%s before any delivery: %d, processed %d; want 404, 0", c.path, s, n)
				}
				if got := post(t, base+c.path, h, body); got != http.StatusOK {
					t.Errorf("%s, first delivery: status %d, want 200", c.path, got)
				}
				if got := post(t, base+c.path, h, body); got != c.second {
					t.Errorf("%s, the same request again: status %d, want %d", c.path, got, c.second)
				}
				if s, n := processedCount(t, base, c.path, id); s != http.StatusOK || n != c.counted {
					t.Errorf("%s after two deliveries: %d, processed %d; want 200, %d", c.path, s, n, c.counted)
				}
				other := prefix + "/no-tolerance"
				if p == signing.GitHub {
					other = prefix + "/eq"
				}
				if s, n := processedCount(t, base, other, id); s != http.StatusNotFound || n != 0 {
					t.Errorf("%s, sent only to %s: %d, processed %d; want 404, 0", other, c.path, s, n)
				}
			}
		})
	}
}

// TestNodeRememberedIDsBounded: past its limit of remembered event ids
// the server forgets the oldest (the one first seen), not the newest, and
// a redelivery of a forgotten event is processed again.
func TestNodeRememberedIDsBounded(t *testing.T) {
	node.Require(t)
	current := newSecret(t)
	const limit = 3
	base := node.StartT(t, node.Config{Secret: current, MaxIDs: limit})
	const path = "/standard-webhooks"
	var ids []string
	for i := range limit + 1 {
		body := `{"type":"invoice.paid"}`
		h, id := signedRequest(t, signing.StandardWebhooks, current, fmt.Sprintf("msg_bounded_%d", i), body)
		ids = append(ids, id)
		if got := post(t, base+path, h, body); got != http.StatusOK {
			t.Fatalf("delivery %d: status %d, want 200", i, got)
		}
	}
	if s, n := processedCount(t, base, path, ids[0]); s != http.StatusNotFound || n != 0 {
		t.Errorf("the oldest of %d ids past a limit of %d: %d, processed %d; want it forgotten (404, 0)", limit+1, limit, s, n)
	}
	for _, id := range ids[1:] {
		if s, n := processedCount(t, base, path, id); s != http.StatusOK || n != 1 {
			t.Errorf("%s, one of the newest %d: %d, processed %d; want 200, 1", id, limit, s, n)
		}
	}
}

// TestNodeOddEventIDs: an event id longer than the server keeps as it is
// (it keeps a hash) is still counted once and found by its processed URL;
// a Stripe body whose "id" is no string names no event, and the route
// that takes it unverified still acknowledges it (no 500).
func TestNodeOddEventIDs(t *testing.T) {
	node.Require(t)
	current := newSecret(t)
	base := node.StartT(t, node.Config{Secret: current})
	long := "evt_" + strings.Repeat("x", 300)
	body := `{"id":"` + long + `","type":"invoice.paid"}`
	h, id := signedRequest(t, signing.Stripe, current, "msg_long", body)
	for range 2 {
		if got := post(t, base+"/stripe", h, body); got != http.StatusOK {
			t.Fatalf("a %d-character event id: status %d, want 200", len(id), got)
		}
	}
	if s, n := processedCount(t, base, "/stripe", long); s != http.StatusOK || n != 1 {
		t.Errorf("a %d-character event id delivered twice: %d, processed %d; want 200, 1", len(long), s, n)
	}
	for _, odd := range []string{`{"id":{"a":1}}`, `{"id":7}`, `[1]`, `null`} {
		if got := post(t, base+"/stripe/no-check", nil, odd); got != http.StatusOK {
			t.Errorf("/stripe/no-check, body %s: status %d, want 200", odd, got)
		}
	}
}

// TestNodeMethods: a GET of a route is refused with 405.
func TestNodeMethods(t *testing.T) {
	node.Require(t)
	base := node.StartT(t, node.Config{Secret: newSecret(t)})
	for _, r := range node.Routes() {
		getJSON(t, base+r.Path, http.StatusMethodNotAllowed, nil)
	}
}

func getJSON(t *testing.T, url string, status int, v any) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != status {
		t.Fatalf("GET %s: status %d, want %d", url, resp.StatusCode, status)
	}
	if v != nil {
		if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(v); err != nil {
			t.Fatal(err)
		}
	}
}

// TestNode429UnderLoad: a burst beyond the limit gets 429s from the
// rate-limited route while the compliant route acknowledges all of it;
// the same requests one at a time are all acknowledged.
func TestNode429UnderLoad(t *testing.T) {
	node.Require(t)
	current := newSecret(t)
	const limit, burst = 2, 8
	// Each request takes a second: the burst's requests, sent together,
	// are in flight together even on a loaded machine.
	base := node.StartT(t, node.Config{Secret: current, MaxInFlight: limit, Work: time.Second})
	signer, err := signing.NewSigner(signing.StandardWebhooks, current)
	if err != nil {
		t.Fatal(err)
	}
	request := func(id string) (map[string]string, string) {
		body := `{"type":"invoice.paid","id":"` + id + `"}`
		hs, err := signer.Sign(signing.Message{ID: id, Timestamp: time.Now(), Body: []byte(body)})
		if err != nil {
			t.Fatal(err)
		}
		h := map[string]string{}
		for _, f := range hs {
			h[f.Name] = f.Value
		}
		return h, body
	}
	fire := func(path string) map[int]int {
		statuses := map[int]int{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range burst {
			h, body := request(fmt.Sprintf("msg_burst_%d", i))
			wg.Go(func() {
				<-start
				s := post(t, base+path, h, body)
				mu.Lock()
				statuses[s]++
				mu.Unlock()
			})
		}
		close(start)
		wg.Wait()
		return statuses
	}
	if got := fire("/standard-webhooks"); got[http.StatusOK] != burst {
		t.Errorf("compliant route under a burst of %d: statuses %v, want all 200", burst, got)
	}
	got := fire("/standard-webhooks/429-under-load")
	if got[http.StatusTooManyRequests] == 0 || got[http.StatusOK] < limit || got[http.StatusOK]+got[http.StatusTooManyRequests] != burst {
		t.Errorf("429 route under a burst of %d with a limit of %d: statuses %v, want at least %d 200s and some 429s, nothing else", burst, limit, got, limit)
	}
	for i := range limit + 1 {
		h, body := request(fmt.Sprintf("msg_alone_%d", i))
		if s := post(t, base+"/standard-webhooks/429-under-load", h, body); s != http.StatusOK {
			t.Errorf("429 route, one request at a time: status %d, want 200", s)
		}
	}
}

// TestNodeRoutesServed: server.js serves exactly the routes Routes lists.
func TestNodeRoutesServed(t *testing.T) {
	node.Require(t)
	base := node.StartT(t, node.Config{Secret: newSecret(t)})
	var served []string
	getJSON(t, base+"/routes", http.StatusOK, &served)
	var listed []string
	for _, r := range node.Routes() {
		listed = append(listed, r.Path)
	}
	if !slices.Equal(served, listed) {
		t.Errorf("server.js serves %v, Routes lists %v", served, listed)
	}
}

// TestRoutesDocumented: README.md documents every route, and every route
// but the compliant one of each provider names its flaw.
func TestRoutesDocumented(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	compliant := map[signing.Provider]int{}
	for _, r := range node.Routes() {
		if !strings.Contains(string(b), "| `"+r.Path+"` |") {
			t.Errorf("README.md has no row for %s", r.Path)
		}
		if r.Compliant() {
			compliant[r.Provider]++
		}
	}
	for _, p := range signing.Providers() {
		if compliant[p] != 1 {
			t.Errorf("%s has %d compliant routes, want 1", p, compliant[p])
		}
	}
}

// TestStartNeedsSecret: no server starts without a secret.
func TestStartNeedsSecret(t *testing.T) {
	if _, err := node.Start(t.Context(), node.Config{}); err == nil {
		t.Fatal("Start without a secret: no error")
	}
}
