package repro_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	hookcheck "github.com/hookcheck/hookcheck"
	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/reports/repro"
	"github.com/hookcheck/hookcheck/simulator/api"
	"github.com/hookcheck/hookcheck/simulator/receiver"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

const secret = `s3cr3t 'value'/with+$symbols`

// recorder is a reference receiver that answers 200 and keeps requests.
func recorder(t *testing.T) (*httptest.Server, *receiver.Inbox) {
	t.Helper()
	b, err := receiver.Lookup("status")
	require.NoError(t, err)
	inbox := receiver.NewInbox()
	srv := httptest.NewServer(b.New(receiver.Config{Inbox: inbox}, receiver.Params{Status: 200}))
	t.Cleanup(srv.Close)
	return srv, inbox
}

func needCurl(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed: the generated curl commands cannot be run here")
	}
}

// runCurl runs a generated command in sh with the auth value in the
// environment, as a user would paste it, in a report directory that holds
// the body file if the reproduction has one.
func runCurl(t *testing.T, r repro.Reproduction, d *webhook.Delivery, command string) {
	t.Helper()
	dir := t.TempDir()
	if r.BodyFile != "" {
		body, err := repro.Body(d)
		require.NoError(t, err)
		require.NoError(t, os.MkdirAll(filepath.Join(dir, repro.BodyDir), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, filepath.FromSlash(r.BodyFile)), body, 0o600))
	}
	cmd := exec.Command("sh", "-c", command)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), repro.EnvAuthHeaderValue+"="+secret)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s\n%s", command, out)
}

// requireSameRequest checks that what curl sent is, byte for byte, the
// request the record shows: method, path, query, headers, body.
func requireSameRequest(t *testing.T, d *webhook.Delivery, got receiver.Request) {
	t.Helper()
	u, err := url.Parse(d.Request.URL)
	require.NoError(t, err)
	assert.Equal(t, d.Request.Method, got.Method)
	assert.Equal(t, u.RequestURI(), got.RequestURI, "path and query byte for byte (D-9)")
	assert.Equal(t, d.Request.Body, string(got.Body), "the body byte for byte")
	// The server canonicalises header names; the record keeps the auth
	// header's name as the user spelled it (D-8).
	want := http.Header{}
	for k, vs := range d.Request.Headers {
		want[http.CanonicalHeaderKey(k)] = vs
	}
	if name := d.Policy.AuthHeaderName; name != "" {
		want.Set(name, secret)
	}
	if len(d.Request.Body) == 0 && want.Get("Content-Length") == "0" && got.Header.Get("Content-Length") == "" {
		want.Del("Content-Length")
	}
	assert.Equal(t, want, got.Header, "the headers of the record, no more, no fewer")
}

func TestCurlRepeatsTheRequestByteForByte(t *testing.T) {
	needCurl(t)
	target, _ := recorder(t)
	replay, inbox := recorder(t)
	transcript, err := webhook.TranscriptReady("", webhook.StatusCompleted)
	require.NoError(t, err)
	session, err := webhook.StreamingSession("", webhook.Session{Duration: 2 * time.Minute, Seed: 3, Speakers: 2})
	require.NoError(t, err)
	cases := []struct {
		name   string
		n      webhook.Notification
		query  string
		method string
		auth   bool
	}{
		{"transcript with auth and an odd query", transcript, "?customer_id=12%7e34&q=a+b&empty=&x=%2F&arr[]=1", "", true},
		{"redacted audio", webhook.RedactedAudioReady("https://cdn.example/a.wav?sig=a%2Bb&x='y'"), "", "", false},
		{"streaming session", session, "?s=1", "", true},
		{"malformed body with quotes and newlines", webhook.RawBody([]byte("{'bad': \"json\"\n\x00\xff}"), "application/json"), "", "", false},
		{"other method", transcript, "", http.MethodPut, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := webhook.DefaultPolicy()
			p.MaxAttempts = 1
			if c.auth {
				p.Auth = &webhook.AuthHeader{Name: "X-AAI-Secret", Value: secret}
			}
			if c.method != "" {
				p.Method = c.method
			}
			s, err := webhook.NewSender(p, webhook.Options{})
			require.NoError(t, err)
			defer s.Close()
			d, err := s.Deliver(context.Background(), target.URL+"/hook"+c.query, c.n, webhook.Observer{})
			require.NoError(t, err)
			rs := repro.ForDelivery(d)
			require.Len(t, rs, 1)
			assert.NotContains(t, rs[0].Curl, secret, "the secret is never in a command")
			// Send the curl command to the replay recorder instead.
			cmdText := strings.Replace(rs[0].Curl, target.URL, replay.URL, 1)
			d.Request.URL = strings.Replace(d.Request.URL, target.URL, replay.URL, 1)
			before := inbox.Len()
			runCurl(t, rs[0], d, cmdText)
			reqs := inbox.Requests()
			require.Len(t, reqs, before+1)
			requireSameRequest(t, d, reqs[before])
		})
	}
}

func TestSendCommand(t *testing.T) {
	n, err := webhook.TranscriptReady("t-1", webhook.StatusError)
	require.NoError(t, err)
	p := webhook.DefaultPolicy()
	p.Pace, p.UserAgent = webhook.Accelerated, "Custom/1"
	p.Auth = &webhook.AuthHeader{Name: "X-S", Value: secret}
	d := &webhook.Delivery{ID: "d-1", Notification: n, Policy: p.Summary(),
		Request: webhook.Request{Method: "POST", URL: "http://127.0.0.1:1/h?a=1&b=2", Headers: http.Header{"User-Agent": {"Custom/1"}}}}
	send, note := repro.Send(d)
	assert.Empty(t, note)
	assert.Equal(t, "hookcheck send --target 'http://127.0.0.1:1/h?a=1&b=2' --transcript-id t-1 --status error --fast --user-agent Custom/1 --auth-header-name X-S", send)
	d.Notification = webhook.RawBody([]byte("x"), "text/plain")
	send, note = repro.Send(d)
	assert.Empty(t, send)
	assert.Contains(t, note, "curl")
}

// TestEveryFailureOfABrokenReceiverHasAWorkingReproduction runs the suite
// against a reference receiver that answers 500 to everything, then runs
// the curl command of every attempt of every failed scenario against a
// recording receiver: each must send exactly the request the report shows.
func TestEveryFailureOfABrokenReceiverHasAWorkingReproduction(t *testing.T) {
	needCurl(t)
	b, err := receiver.Lookup("status")
	require.NoError(t, err)
	broken := httptest.NewServer(b.New(receiver.Config{}, receiver.Params{Status: 500}))
	defer broken.Close()
	replay, inbox := recorder(t)
	p := webhook.DefaultPolicy()
	p.RetryInterval = time.Millisecond
	res, err := hookcheck.Check(context.Background(), hookcheck.Target{
		URL: broken.URL + "/webhook?customer_id=1234", Policy: &p,
		AuthHeaderName: "X-AAI-Secret", AuthHeaderValue: secret,
		Tags: "@RC-01,@RC-02,@RC-05,@RC-06,@RC-07,@RC-08,@RC-09,@RC-13",
	})
	require.NoError(t, err)
	failed := 0
	for _, s := range res.Scenarios {
		if s.Status != reports.Failed {
			assert.Empty(t, s.Reproductions, "only failures carry reproductions")
			continue
		}
		failed++
		require.NotEmpty(t, s.Reproductions, "failed scenario %q has a reproduction", s.Name)
		byID := map[string]*webhook.Delivery{}
		for _, d := range s.Deliveries {
			byID[d.ID] = d
		}
		for _, r := range s.Reproductions {
			d := byID[r.Delivery]
			require.NotNil(t, d, "reproduction of delivery %s", r.Delivery)
			require.LessOrEqual(t, r.Attempt, max(len(d.Attempts), 1))
			assert.NotContains(t, r.Curl, secret)
			if r.Attempt > 1 {
				continue // every attempt repeats the same request
			}
			dc := *d
			dc.Request.URL = strings.Replace(d.Request.URL, broken.URL, replay.URL, 1)
			before := inbox.Len()
			runCurl(t, r, d, strings.Replace(r.Curl, broken.URL, replay.URL, 1))
			reqs := inbox.Requests()
			require.Len(t, reqs, before+1, s.Name)
			t.Run(s.Name+"/"+r.Delivery+"/"+strconv.Itoa(r.Attempt), func(t *testing.T) { requireSameRequest(t, &dc, reqs[before]) })
		}
	}
	assert.Positive(t, failed, "the broken receiver fails scenarios")
}

// TestLongBodyIsInAFileNeverCut: a body over InlineBodyMax is read by curl
// from a file of the report directory, whole; a short one stays inline. A
// session webhook whose record keeps only the start of its body gets it
// back byte for byte, and a record whose body cannot be regenerated as
// sent is refused rather than reproduced wrongly.
func TestLongBodyIsInAFileNeverCut(t *testing.T) {
	target, _ := recorder(t)
	p := webhook.DefaultPolicy()
	p.MaxAttempts = 1
	s, err := webhook.NewSender(p, webhook.Options{})
	require.NoError(t, err)
	defer s.Close()
	deliver := func(n webhook.Notification) *webhook.Delivery {
		d, err := s.Deliver(context.Background(), target.URL+"/hook", n, webhook.Observer{})
		require.NoError(t, err)
		return d
	}

	short, err := webhook.TranscriptReady("", webhook.StatusCompleted)
	require.NoError(t, err)
	rs := repro.ForDelivery(deliver(short))
	require.Len(t, rs, 1)
	assert.Empty(t, rs[0].BodyFile)
	assert.Contains(t, rs[0].Curl, "--data-binary '{\"transcript_id\"")

	n, err := webhook.StreamingSession("", webhook.Session{Duration: 3 * time.Hour, Seed: 7})
	require.NoError(t, err)
	d := deliver(n)
	sent := []byte(d.Request.Body)
	require.Greater(t, len(sent), 2<<20, "a 3-hour session is megabytes (S-5)")
	d.SummarisePayload(webhook.DefaultKeptBodyBytes) // as the suite records it
	require.True(t, d.Payload.Truncated())
	rs = repro.ForDelivery(d)
	require.Len(t, rs, 1)
	r := rs[0]
	assert.Equal(t, "repro/"+d.ID+".json", r.BodyFile)
	assert.Equal(t, len(sent), r.BodyBytes)
	sum := sha256.Sum256(sent)
	assert.Equal(t, hex.EncodeToString(sum[:]), r.BodySHA256)
	assert.True(t, strings.HasSuffix(r.Curl, "--data-binary @repro/"+d.ID+".json"), r.Curl)
	assert.Less(t, len(r.Curl), 1<<10, "no body inline")
	body, err := repro.Body(d)
	require.NoError(t, err)
	assert.Equal(t, sent, body, "the whole body, byte for byte")

	d.Notification.Session.Seed++ // a record that does not describe what was sent
	_, err = repro.Body(d)
	assert.ErrorContains(t, err, "not the bytes sent")
}

// TestServeAPICommands: an API-fault reproduction serves the API on the
// run's address with the fault; when the failing delivery is not the
// faulted one (one slow fetch while other notifications arrive, RC-19's
// shape), its transcript is seeded too and the faulted notification is
// sent in the background first. Without a fault there is nothing to add.
func TestServeAPICommands(t *testing.T) {
	delivery := func(id, status string) *webhook.Delivery {
		n, err := webhook.TranscriptReady(id, status)
		require.NoError(t, err)
		return &webhook.Delivery{ID: "d-" + id, Notification: n, Policy: webhook.DefaultPolicy().Summary(),
			Request: webhook.Request{Method: http.MethodPost, URL: "http://127.0.0.1:1/hook",
				Headers: http.Header{"User-Agent": {webhook.DefaultPolicy().UserAgent}}}}
	}
	slow, other := delivery("slow", webhook.StatusCompleted), delivery("other", webhook.StatusError)
	faults := []repro.APIFault{repro.FaultOf("slow", "http://127.0.0.1:8091", api.Fault{Delay: 15 * time.Second})}

	assert.Empty(t, repro.ServeAPI(nil, slow, nil))
	own := repro.ServeAPI(faults, slow, []*webhook.Delivery{slow})
	assert.Contains(t, own, "\nhookcheck serve-api --listen 127.0.0.1:8091 --fault slow:delay=15s &")
	assert.NotContains(t, own, "hookcheck send", "the failing delivery is the faulted one: send follows the API")

	meanwhile := repro.ServeAPI(faults, other, []*webhook.Delivery{slow, other})
	assert.Contains(t, meanwhile, "\nhookcheck serve-api --listen 127.0.0.1:8091 --fault slow:delay=15s --seed-transcript other:error &\n")
	assert.Contains(t, meanwhile, "\nhookcheck send --target http://127.0.0.1:1/hook --transcript-id slow --status completed &")
	assert.Less(t, strings.Index(meanwhile, "serve-api"), strings.Index(meanwhile, "hookcheck send"))
}
