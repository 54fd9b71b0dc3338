package webhook_test

import (
	"context"
	"net/http/httptest"
	"runtime"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/hookcheck/hookcheck/simulator/hostile"
	"github.com/hookcheck/hookcheck/simulator/receiver"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// These tests deliver over REAL loopback TCP to the receivers of package
// hostile (and, for the redirect loop, receiver's "redirect"), with a short policy, and check that the engine survives each:
// every attempt ends within the deadline plus a small slack (D-3, P-1), is
// given the right P-4 class, keeps at most MaxBodyBytes of any body (P-1),
// and leaves no goroutine behind.

const (
	hostileTimeout = 300 * time.Millisecond
	// slack is what an attempt may overrun its deadline by on a busy
	// 2-core machine: closing the connection and returning.
	slack = 250 * time.Millisecond
)

func shortPolicy() webhook.Policy {
	p := webhook.DefaultPolicy()
	p.Timeout = hostileTimeout
	p.MaxAttempts = 2
	p.RetryInterval = 10 * time.Millisecond
	return p
}

// deliverTo starts kind, delivers one notification to it under p and
// returns the record, the wall time the delivery took, and the growth of
// the live heap across it.
func deliverTo(t *testing.T, kind hostile.Kind, p webhook.Policy) (d *webhook.Delivery, took time.Duration, heapGrowth int64) {
	t.Helper()
	return deliverToWith(t, kind, p, hostile.Options{Interval: 20 * time.Millisecond})
}

func deliverToWith(t *testing.T, kind hostile.Kind, p webhook.Policy, o hostile.Options) (d *webhook.Delivery, took time.Duration, heapGrowth int64) {
	t.Helper()
	// Registered first, so it runs last: after the server and the sender
	// have been closed by the cleanups below.
	t.Cleanup(func() { goleak.VerifyNone(t) })
	srv, err := hostile.Start(t.Context(), kind, o)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, srv.Close()) })
	s, err := webhook.NewSender(p, webhook.Options{})
	require.NoError(t, err)
	t.Cleanup(s.Close)

	before := liveHeap()
	begin := time.Now()
	d, err = s.Deliver(context.Background(), srv.URL+"/hook?customer_id=1", completed(t), webhook.Observer{})
	took = time.Since(begin)
	require.NoError(t, err)
	runtime.KeepAlive(d)
	heapGrowth = int64(liveHeap()) - int64(before)
	t.Logf("%s: outcome %s in %s, heap growth %d B", kind, d.Outcome, took.Round(time.Millisecond), heapGrowth)
	for _, a := range d.Attempts {
		t.Logf("  attempt %d: status %d error %q (%s) in %s, body %d B truncated=%v",
			a.Number, a.StatusCode, a.Failure, a.Detail, a.Duration.Round(time.Millisecond), len(a.ResponseBody), a.BodyTruncated)
		assert.LessOrEqual(t, a.Duration, p.Timeout+slack, "attempt %d overran its deadline (D-3)", a.Number)
		assert.LessOrEqual(t, int64(len(a.ResponseBody)), p.MaxBodyBytes, "P-1: body kept is capped")
	}
	// The whole schedule: every attempt within its deadline, plus the waits.
	bound := time.Duration(p.MaxAttempts)*(p.Timeout+slack) + time.Duration(p.MaxAttempts-1)*p.Wait()
	assert.LessOrEqual(t, took, bound, "delivery must end within MaxAttempts deadlines")
	return d, took, heapGrowth
}

func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// requireAllFailWith checks a delivery that got no HTTP answer at all.
func requireAllFailWith(t *testing.T, d *webhook.Delivery, class webhook.ErrorClass, p webhook.Policy) {
	t.Helper()
	assert.Equal(t, webhook.Exhausted, d.Outcome, "P-4: retried, then given up (D-6)")
	require.Len(t, d.Attempts, p.MaxAttempts)
	for _, a := range d.Attempts {
		assert.Equal(t, class, a.Failure, "attempt %d: %s", a.Number, a.Detail)
		assert.False(t, a.Answered())
	}
	assert.Nil(t, d.WebhookStatusCode, "P-5: no attempt got an HTTP answer")
}

func TestHostileBlackholeTimesOut(t *testing.T) { // D-3, P-4
	p := shortPolicy()
	d, _, _ := deliverTo(t, hostile.Blackhole, p)
	requireAllFailWith(t, d, webhook.ErrTimeout, p)
	for _, a := range d.Attempts {
		assert.GreaterOrEqual(t, a.Duration, p.Timeout, "not before the deadline")
	}
}

func TestHostileTrickledStatusLineTimesOut(t *testing.T) { // P-1: the deadline covers the whole head
	p := shortPolicy()
	d, _, _ := deliverTo(t, hostile.TrickleStatus, p)
	requireAllFailWith(t, d, webhook.ErrTimeout, p)
}

func TestHostileTrickledHeadersTimeOut(t *testing.T) { // P-1
	// A fast enough trickle finishes the status line and keeps sending
	// header bytes: still no complete head before the deadline.
	p := shortPolicy()
	// 28 bytes of status line and header name at 5 ms each take 140 ms.
	d, _, _ := deliverToWith(t, hostile.TrickleStatus, p, hostile.Options{Interval: 5 * time.Millisecond})
	requireAllFailWith(t, d, webhook.ErrTimeout, p)
}

func TestHostileEndlessHeadersAreCapped(t *testing.T) {
	p := shortPolicy()
	d, _, growth := deliverTo(t, hostile.EndlessHeaders, p)
	requireAllFailWith(t, d, webhook.ErrProtocol, p)
	assert.Contains(t, d.Attempts[0].Detail, "headers exceeded")
	assert.Less(t, growth, int64(2<<20), "memory stays bounded")
}

func TestHostileEndlessBodyIsCapped(t *testing.T) { // P-1
	p := shortPolicy()
	d, _, growth := deliverTo(t, hostile.EndlessBody, p)
	assert.Equal(t, webhook.Delivered, d.Outcome, "the status is what counts (P-1)")
	require.Len(t, d.Attempts, 1)
	a := d.Attempts[0]
	assert.Equal(t, 200, a.StatusCode)
	assert.True(t, a.BodyTruncated)
	assert.Len(t, a.ResponseBody, webhook.DefaultMaxBodyBytes)
	// The record holds 64 KiB of body; anything much beyond is a leak of
	// the endless stream.
	assert.Less(t, growth, int64(1<<20), "memory stays bounded")
}

func TestHostileEndlessBodyWithSmallCap(t *testing.T) { // P-1
	p := shortPolicy()
	p.MaxBodyBytes = 100
	d, _, _ := deliverTo(t, hostile.EndlessBody, p)
	a := d.Attempts[0]
	assert.Len(t, a.ResponseBody, 100)
	assert.True(t, a.BodyTruncated)
}

func TestHostileTrickledBodyStopsAtTheDeadline(t *testing.T) { // P-1
	p := shortPolicy()
	d, took, _ := deliverTo(t, hostile.TrickleBody, p)
	assert.Equal(t, webhook.Delivered, d.Outcome)
	a := d.Attempts[0]
	assert.Equal(t, 200, a.StatusCode)
	assert.True(t, a.BodyTruncated, "the body did not end before the deadline")
	assert.NotEmpty(t, a.ResponseBody)
	assert.GreaterOrEqual(t, took, p.Timeout-50*time.Millisecond)
}

func TestHostileResetMidAnswer(t *testing.T) { // P-4
	p := shortPolicy()
	d, took, _ := deliverTo(t, hostile.ResetMidAnswer, p)
	requireAllFailWith(t, d, webhook.ErrReset, p)
	assert.Less(t, took, p.Timeout, "a reset ends the attempt at once")
}

func TestHostileNotHTTP(t *testing.T) {
	p := shortPolicy()
	d, _, _ := deliverTo(t, hostile.NotHTTP, p)
	requireAllFailWith(t, d, webhook.ErrProtocol, p)
	assert.Contains(t, d.Attempts[0].Detail, "malformed HTTP")
}

// redirectTarget serves receiver's "redirect" (302 to its own URL) on real
// loopback: a redirect is an HTTP-level misbehaviour, so it lives in
// simulator/receiver, not in hostile.
func redirectTarget(t *testing.T) string {
	t.Helper()
	t.Cleanup(func() { goleak.VerifyNone(t) }) // runs last, after the closes below
	b, err := receiver.Lookup("redirect")
	require.NoError(t, err)
	srv := httptest.NewServer(b.New(receiver.Config{}, receiver.Params{}))
	t.Cleanup(srv.Close)
	return srv.URL + "/hook?customer_id=1"
}

func deliverRedirect(t *testing.T, p webhook.Policy) *webhook.Delivery {
	t.Helper()
	target := redirectTarget(t)
	s, err := webhook.NewSender(p, webhook.Options{})
	require.NoError(t, err)
	t.Cleanup(s.Close)
	d, err := s.Deliver(context.Background(), target, completed(t), webhook.Observer{})
	require.NoError(t, err)
	return d
}

func TestRedirectLoopFollowed(t *testing.T) { // P-3 with following on
	p := shortPolicy()
	p.FollowRedirects = true
	d := deliverRedirect(t, p)
	requireAllFailWith(t, d, webhook.ErrProtocol, p)
	assert.Contains(t, d.Attempts[0].Detail, "redirects")
}

func TestRedirectLoopNotFollowed(t *testing.T) { // P-3
	p := shortPolicy()
	d := deliverRedirect(t, p)
	assert.Equal(t, webhook.Exhausted, d.Outcome, "a 3xx is retried, not a 4xx")
	require.Len(t, d.Attempts, p.MaxAttempts)
	for _, a := range d.Attempts {
		assert.Equal(t, 302, a.StatusCode)
		assert.Equal(t, webhook.NoError, a.Failure)
		assert.Equal(t, "/hook?customer_id=1", a.ResponseHeaders.Get("Location"))
	}
	require.NotNil(t, d.WebhookStatusCode)
	assert.Equal(t, 302, *d.WebhookStatusCode)
}

func TestHostileBadCertificate(t *testing.T) { // P-4
	p := shortPolicy()
	// A handshake ends at once with a verification error; the deadline only
	// has to outlast a loaded machine's (or the race detector's) handshake,
	// else the attempt is a timeout instead of tls.
	p.Timeout = 5 * time.Second
	d, _, _ := deliverTo(t, hostile.BadCertificate, p)
	requireAllFailWith(t, d, webhook.ErrTLS, p)
}

func TestHostileBadCertificateAcceptedWhenVerificationIsOff(t *testing.T) {
	p := shortPolicy()
	p.Timeout = 5 * time.Second // see TestHostileBadCertificate
	p.InsecureSkipVerify = true
	d, _, _ := deliverTo(t, hostile.BadCertificate, p)
	assert.Equal(t, webhook.Delivered, d.Outcome)
}

func TestHostileReceiversWithKeepAlive(t *testing.T) {
	// Reused connections must not change any class or bound.
	p := shortPolicy()
	p.KeepAlive = true
	for _, tc := range []struct {
		kind  hostile.Kind
		class webhook.ErrorClass
	}{
		{hostile.Blackhole, webhook.ErrTimeout},
		{hostile.ResetMidAnswer, webhook.ErrReset},
		{hostile.NotHTTP, webhook.ErrProtocol},
		{hostile.EndlessHeaders, webhook.ErrProtocol},
	} {
		t.Run(string(tc.kind), func(t *testing.T) {
			d, _, _ := deliverTo(t, tc.kind, p)
			requireAllFailWith(t, d, tc.class, p)
		})
	}
}

// On the in-memory network (net.Pipe: no TCP RST, no kernel buffers) every
// kind gets the same P-4 class as on loopback, in virtual time: a reset is a
// plain close there, and classify still calls it connection_reset. The
// suite's and the fidelity features' virtual-time runs rely on this.
func TestHostileKindsOnMemnet(t *testing.T) {
	for _, tc := range []struct {
		kind   hostile.Kind
		class  webhook.ErrorClass // NoError: delivered with 200
		detail string
	}{
		{hostile.Blackhole, webhook.ErrTimeout, ""},
		{hostile.TrickleStatus, webhook.ErrTimeout, ""},
		{hostile.EndlessHeaders, webhook.ErrProtocol, "headers exceeded"},
		{hostile.EndlessBody, webhook.NoError, ""},
		{hostile.TrickleBody, webhook.NoError, ""},
		{hostile.ResetMidAnswer, webhook.ErrReset, ""},
		{hostile.NotHTTP, webhook.ErrProtocol, "malformed HTTP"},
		{hostile.BadCertificate, webhook.ErrTLS, ""},
	} {
		t.Run(string(tc.kind), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p := shortPolicy()
				r := newRig(t, p)
				ln, err := r.net.Listen("")
				require.NoError(t, err)
				srv, err := hostile.Serve(t.Context(), ln, tc.kind, hostile.Options{})
				require.NoError(t, err)
				t.Cleanup(func() { assert.NoError(t, srv.Close()) })
				d := r.deliver(t, srv.URL+"/hook", completed(t))
				if tc.class == webhook.NoError {
					assert.Equal(t, webhook.Delivered, d.Outcome)
					a := d.Attempts[0]
					assert.Equal(t, 200, a.StatusCode)
					assert.True(t, a.BodyTruncated)
					assert.LessOrEqual(t, int64(len(a.ResponseBody)), p.MaxBodyBytes)
					return
				}
				requireAllFailWith(t, d, tc.class, p)
				for _, a := range d.Attempts {
					assert.LessOrEqual(t, a.Duration, p.Timeout, "attempt %d overran its deadline (D-3)", a.Number)
				}
				assert.Contains(t, d.Attempts[0].Detail, tc.detail)
			})
		})
	}
}
