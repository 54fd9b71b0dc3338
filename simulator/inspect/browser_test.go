//go:build browser

// Browser tests: Debian's Chromium, driven over CDP by chromedp, opens the
// inspector. They need a browser, so they are behind the "browser" build
// tag (make test-browser) and skip with a message when there is none.

package inspect_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/internal/browsertest"
	"github.com/hookcheck/hookcheck/simulator/api"
	"github.com/hookcheck/hookcheck/simulator/capture"
	"github.com/hookcheck/hookcheck/simulator/inspect"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// stack is serve-api's emulator, a receiver and the inspector on loopback.
type stack struct {
	in      *inspect.Inspector
	srv     *api.Server
	apiURL  string
	hookURL string
	uiURL   string // with the token
	base    string
	// observed is when each delivery's attempt count was first observed
	// on the server: "id/attempts" → time.
	mu       sync.Mutex
	observed map[string]time.Time
}

const secretValue = "browser-hook-secret-93ad"

// newStack starts the stack. The receiver answers a transcript's first
// attempt 500 on /flaky, always 410 on /gone, always 500 on /down, else
// 200, and fetches the transcript (a call on the detail's timeline).
func newStack(t *testing.T) *stack {
	t.Helper()
	st := &stack{observed: map[string]time.Time{}}
	var (
		mu   sync.Mutex
		seen = map[string]int{}
	)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			TranscriptID string `json:"transcript_id"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		mu.Lock()
		seen[body.TranscriptID]++
		n := seen[body.TranscriptID]
		mu.Unlock()
		switch {
		case r.URL.Path == "/gone":
			w.WriteHeader(http.StatusGone)
			return
		case r.URL.Path == "/down", r.URL.Path == "/flaky" && n == 1:
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		req, _ := http.NewRequest(http.MethodGet, st.apiURL+"/v2/transcript/"+body.TranscriptID, nil)
		req.Header.Set("Authorization", apiKey)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	t.Cleanup(hook.Close)
	st.hookURL = hook.URL

	in, err := inspect.New(inspect.Options{Mode: inspect.ModeAPI})
	require.NoError(t, err)
	st.in = in
	p := webhook.DefaultPolicy()
	p.Pace = webhook.Accelerated
	st.srv, err = api.New(api.Config{APIKey: apiKey, ProcessingDelay: 20 * time.Millisecond, Policy: p,
		OnDelivery: func(r api.DeliveryRecord) {
			key := fmt.Sprintf("%s/%d", r.ID, len(r.Attempts))
			st.mu.Lock()
			if _, ok := st.observed[key]; !ok {
				st.observed[key] = time.Now()
			}
			st.mu.Unlock()
			in.ObserveDelivery(r)
		}})
	require.NoError(t, err)
	in.SetAPI(st.srv)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	st.apiURL = "http://" + l.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = st.srv.Serve(ctx, l, time.Second) }()
	t.Cleanup(func() { cancel(); <-done })

	ul, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ui := &http.Server{Handler: in, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = ui.Serve(ul) }()
	t.Cleanup(func() { _ = ui.Close() })
	st.uiURL = in.URL(ul.Addr())
	st.base = "http://" + ul.Addr().String()
	return st
}

// create submits a transcript whose webhook goes to the receiver's path.
func (st *stack) create(t *testing.T, path string) string {
	t.Helper()
	body := fmt.Sprintf(`{"audio_url":"https://x.test/a.mp3","webhook_url":%q,"webhook_auth_header_name":"X-Hook-Secret","webhook_auth_header_value":%q}`,
		st.hookURL+path, secretValue)
	req, _ := http.NewRequest(http.MethodPost, st.apiURL+"/v2/transcript", strings.NewReader(body))
	req.Header.Set("Authorization", apiKey)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var tr struct{ ID string }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&tr))
	require.NotEmpty(t, tr.ID)
	return tr.ID
}

// watchRows makes the page note when each row version first shows:
// window.__seen["id/attempts"] = Date.now().
const watchRows = `(() => {
  window.__seen = {};
  const note = (el) => { if (!el.dataset || !el.dataset.id) return; const k = el.dataset.id + '/' + el.dataset.attempts; if (!(k in window.__seen)) window.__seen[k] = Date.now(); };
  new MutationObserver((ms) => { for (const m of ms) { if (m.type === 'attributes') note(m.target); for (const n of m.addedNodes || []) note(n); } })
    .observe(document.getElementById('list'), { subtree: true, childList: true, attributes: true, attributeFilter: ['data-id', 'data-attempts'] });
  return true;
})()`

func rowOf(tid string) string {
	return fmt.Sprintf(`[...document.querySelectorAll('#list .row:not([hidden])')].filter((r) => r.children[1].textContent === %q)`, tid)
}

func TestBrowserInspector(t *testing.T) {
	ctx, consoleErrors := browsertest.Start(t)
	st := newStack(t)

	t.Run("a request without the token gets 403", func(t *testing.T) {
		for _, path := range []string{"/", "/api/deliveries", "/api/events", "/static/app.js"} {
			resp, err := http.Get(st.base + path)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, http.StatusForbidden, resp.StatusCode, path)
		}
		var status int
		require.NoError(t, chromedp.Run(ctx, chromedp.Navigate(st.base+"/api/deliveries"),
			chromedp.Evaluate(`fetch('/api/info').then((r) => r.status)`, &status, awaitPromise)))
		assert.Equal(t, http.StatusForbidden, status)
	})
	errsBefore := len(consoleErrors())

	t.Run("the page loads with no console error", func(t *testing.T) {
		var ok bool
		require.NoError(t, chromedp.Run(ctx, chromedp.Navigate(st.uiURL), chromedp.WaitVisible(`#conn.live`),
			chromedp.Evaluate(watchRows, &ok)))
		var loc string
		require.NoError(t, chromedp.Run(ctx, chromedp.Location(&loc)))
		assert.NotContains(t, loc, "token", "the token leaves the address bar")
	})

	var tid string
	t.Run("a delivery appears within 1 s with its attempt count", func(t *testing.T) {
		tid = st.create(t, "/flaky")
		var n int
		require.NoError(t, chromedp.Run(ctx, chromedp.Poll(rowOf(tid)+`.filter((r) => r.dataset.attempts === '2' && r.dataset.status === 'acknowledged').length`, &n,
			chromedp.WithPollingTimeout(10*time.Second))))
		var text string
		require.NoError(t, chromedp.Run(ctx, chromedp.Evaluate(rowOf(tid)+`[0].textContent`, &text)))
		assert.Contains(t, text, "attempt 2 of 10")
		assert.Contains(t, text, "acknowledged")
		lags := st.lags(t, ctx)
		require.NotEmpty(t, lags)
		for _, lag := range lags {
			assert.Less(t, lag, time.Second, "from the server's record to the row on the page")
		}
	})

	t.Run("the detail view shows the masked header", func(t *testing.T) {
		var headers, html string
		require.NoError(t, chromedp.Run(ctx,
			chromedp.Evaluate(rowOf(tid)+`[0].click()`, nil),
			chromedp.WaitVisible(`#d-body svg.tl`),
			chromedp.Evaluate(`document.querySelector('#d-body table.headers').textContent`, &headers),
			chromedp.Evaluate(`document.getElementById('detail').innerHTML`, &html)))
		assert.Contains(t, headers, "X-Hook-Secret"+webhook.Mask)
		assert.NotContains(t, html, secretValue)
		assert.Contains(t, html, `class="call"`, "the receiver's fetch on the timeline")
	})

	t.Run("notify again makes a second delivery", func(t *testing.T) {
		var n int
		require.NoError(t, chromedp.Run(ctx, chromedp.Click(`#a-notify`),
			chromedp.Poll(rowOf(tid)+`.length >= 2 && `+rowOf(tid)+`.length`, &n, chromedp.WithPollingTimeout(10*time.Second))))
		assert.Equal(t, 2, n)
		assert.Len(t, st.srv.Deliveries(tid), 2)
	})

	t.Run("the create form makes a transcript that errors", func(t *testing.T) {
		var out string
		require.NoError(t, chromedp.Run(ctx,
			chromedp.Evaluate(`document.getElementById('create').open = true`, nil),
			chromedp.SetValue(`#c-url`, st.hookURL+"/gone"), chromedp.SetValue(`#c-status`, "error"), chromedp.SetValue(`#c-after`, "50ms"),
			chromedp.Click(`#c-go`),
			chromedp.Poll(`document.getElementById('c-out').textContent.startsWith('created ') && document.getElementById('c-out').textContent`, &out,
				chromedp.WithPollingTimeout(5*time.Second))))
		id := strings.TrimPrefix(out, "created ")
		var n int
		require.NoError(t, chromedp.Run(ctx, chromedp.Poll(rowOf(id)+`.filter((r) => r.dataset.status === 'rejected').length`, &n,
			chromedp.WithPollingTimeout(10*time.Second))))
		assert.Equal(t, 1, n)
	})

	t.Run("capture: a delivery from the sender engine, replayed", func(t *testing.T) { captureTab(t, ctx) })

	if shot := os.Getenv("HOOKCHECK_SCREENSHOT"); shot != "" {
		t.Run("screenshot", func(t *testing.T) { screenshot(t, ctx, st, shot) })
	}
	assert.Empty(t, consoleErrors()[errsBefore:], "console errors")
}

// lags returns, for every row version the page showed, the time from the
// server observing it to the page showing it.
func (st *stack) lags(t *testing.T, ctx context.Context) []time.Duration {
	t.Helper()
	return st.lagsOf(t, ctx, "")
}

// lagsOf is lags of the row versions whose key ends in suffix ("/1": a
// delivery's first attempt).
func (st *stack) lagsOf(t *testing.T, ctx context.Context, suffix string) []time.Duration {
	t.Helper()
	var seen map[string]float64
	require.NoError(t, chromedp.Run(ctx, chromedp.Evaluate(`window.__seen`, &seen)))
	st.mu.Lock()
	defer st.mu.Unlock()
	var out []time.Duration
	for k, ms := range seen {
		at, ok := st.observed[k]
		if !ok || !strings.HasSuffix(k, suffix) {
			continue
		}
		out = append(out, time.UnixMilli(int64(ms)).Sub(at.Truncate(time.Millisecond)))
	}
	return out
}

func awaitPromise(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }

// screenshot fills the list with deliveries of every outcome, opens a
// retried one and writes a PNG of the page to path (docs/inspector.md).
func screenshot(t *testing.T, ctx context.Context, st *stack, path string) {
	for _, p := range []string{"/ok", "/gone", "/down", "/ok", "/flaky", "/ok"} {
		st.create(t, p)
	}
	id := st.create(t, "/flaky")
	var n int
	require.NoError(t, chromedp.Run(ctx,
		chromedp.Poll(rowOf(id)+`.filter((r) => r.dataset.status === 'acknowledged').length`, &n, chromedp.WithPollingTimeout(10*time.Second)),
		chromedp.Poll(`[...document.querySelectorAll('#list .row')].filter((r) => r.dataset.status === 'exhausted').length`, &n, chromedp.WithPollingTimeout(20*time.Second)),
		chromedp.Evaluate(rowOf(id)+`[0].click()`, nil),
		chromedp.WaitVisible(`#d-body svg.tl`)))
	var png []byte
	require.NoError(t, chromedp.Run(ctx, chromedp.EmulateViewport(1400, 820), chromedp.Sleep(300*time.Millisecond), chromedp.CaptureScreenshot(&png)))
	require.NoError(t, os.WriteFile(path, png, 0o644))
}

// captureTab opens a capture inspector in a second tab: the sender engine
// (what 'hookcheck send' runs) delivers to the capture recorder, which
// answers 500 then 200; the row shows attempt 2, the detail the masked
// auth header, and "Replay to…" sends it to the --forward-to target.
func captureTab(t *testing.T, parent context.Context) {
	replayed := make(chan string, 1)
	fwd := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case replayed <- r.URL.Path:
		default:
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer fwd.Close()
	fwdURL, err := url.Parse(fwd.URL + "/webhooks")
	require.NoError(t, err)
	in, err := inspect.New(inspect.Options{Mode: inspect.ModeCapture, ForwardTo: fwdURL})
	require.NoError(t, err)
	rc, err := capture.NewRecorder(capture.Config{Out: io.Discard, Answers: []int{500, 200}, MaskHeaders: []string{"X-Hook-Secret"},
		OnRecord: in.ObserveRecord})
	require.NoError(t, err)
	capSrv := httptest.NewServer(rc)
	defer capSrv.Close()
	ul, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ui := &http.Server{Handler: in, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = ui.Serve(ul) }()
	defer ui.Close()

	ctx, cancel := chromedp.NewContext(parent)
	defer cancel()
	require.NoError(t, chromedp.Run(ctx, chromedp.Navigate(in.URL(ul.Addr())), chromedp.WaitVisible(`#conn.live`)))

	p := webhook.DefaultPolicy()
	p.Pace = webhook.Accelerated
	p.Auth = &webhook.AuthHeader{Name: "X-Hook-Secret", Value: secretValue}
	sender, err := webhook.NewSender(p, webhook.Options{})
	require.NoError(t, err)
	defer sender.Close()
	n, err := webhook.TranscriptReady("", "completed")
	require.NoError(t, err)
	d, err := sender.Deliver(ctx, capSrv.URL+"/hook", n, webhook.Observer{})
	require.NoError(t, err)
	require.Equal(t, webhook.Delivered, d.Outcome)

	var text, headers string
	require.NoError(t, chromedp.Run(ctx,
		chromedp.Poll(rowOf(n.TranscriptID)+`.filter((r) => r.dataset.attempts === '2' && r.dataset.status === 'acknowledged').length`, nil,
			chromedp.WithPollingTimeout(time.Second)),
		chromedp.Evaluate(rowOf(n.TranscriptID)+`[0].textContent`, &text),
		chromedp.Evaluate(rowOf(n.TranscriptID)+`[0].click()`, nil),
		chromedp.WaitVisible(`#d-body svg.tl`),
		chromedp.Evaluate(`document.querySelector('#d-body table.headers').textContent`, &headers)))
	assert.Contains(t, text, "attempt 2 of 10")
	assert.Contains(t, headers, "X-Hook-Secret"+webhook.Mask)
	assert.NotContains(t, headers, secretValue)

	var out string
	require.NoError(t, chromedp.Run(ctx, chromedp.Click(`#a-replay-go`),
		chromedp.Poll(`document.getElementById('a-out').textContent.startsWith('answered') && document.getElementById('a-out').textContent`, &out,
			chromedp.WithPollingTimeout(5*time.Second))))
	assert.Contains(t, out, "answered 200")
	assert.Equal(t, "/webhooks", <-replayed)
}

// fill gives in n finished deliveries, a tenth of them still retrying.
func fill(in *inspect.Inspector, n int) {
	t0 := time.Now()
	for i := range n {
		tid := fmt.Sprintf("%08d-0000-4000-8000-000000000000", i)
		switch {
		case i%10 == 3:
			in.ObserveDelivery(record(tid, "d"+tid, t0, "", 500, 500))
		case i%7 == 1:
			in.ObserveDelivery(record(tid, "d"+tid, t0, webhook.Rejected, 404))
		default:
			in.ObserveDelivery(record(tid, "d"+tid, t0, webhook.Delivered, 200))
		}
	}
}

// servePage serves in on loopback and returns the URL to open.
func servePage(t *testing.T, in *inspect.Inspector) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &http.Server{Handler: in, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return in.URL(l.Addr())
}

// TestBrowserTenThousand: with 10,000 deliveries the page renders only the
// rows in view, pages the rest in as it is scrolled, and filters on the
// server.
func TestBrowserTenThousand(t *testing.T) {
	ctx, consoleErrors := browsertest.Start(t)
	in, err := inspect.New(inspect.Options{Mode: inspect.ModeAPI})
	require.NoError(t, err)
	fill(in, 10_000)
	var rows, count int
	var first, oldest string
	require.NoError(t, chromedp.Run(ctx, chromedp.Navigate(servePage(t, in)), chromedp.WaitVisible(`#list .row`),
		chromedp.Evaluate(`document.querySelectorAll('#list .row').length`, &rows),
		chromedp.Evaluate(`document.querySelector('#list .row .id').textContent`, &first)))
	assert.Less(t, rows, 100, "only the rows in view are in the DOM")
	assert.Equal(t, "00009999-0000-4000-8000-000000000000", first, "newest first")
	require.NoError(t, chromedp.Run(ctx,
		chromedp.Evaluate(`document.getElementById('list').scrollTop = 1e9`, nil),
		chromedp.Poll(`[...document.querySelectorAll('#list .row:not([hidden]) .id')].some((e) => e.textContent.startsWith('00000000-'))`, nil,
			chromedp.WithPollingTimeout(20*time.Second)),
		chromedp.Evaluate(`document.querySelectorAll('#list .row').length`, &rows),
		chromedp.Evaluate(`[...document.querySelectorAll('#list .row:not([hidden]) .id')].map((e) => e.textContent).sort()[0]`, &oldest)))
	assert.Less(t, rows, 100)
	assert.Equal(t, "00000000-0000-4000-8000-000000000000", oldest, "the oldest is reached by scrolling")
	require.NoError(t, chromedp.Run(ctx, chromedp.SetValue(`#f-status`, "retrying"),
		chromedp.Evaluate(`document.getElementById('f-status').dispatchEvent(new Event('change'))`, nil),
		chromedp.Poll(`document.getElementById('count').textContent === '1000 deliveries'`, nil, chromedp.WithPollingTimeout(5*time.Second)),
		chromedp.Evaluate(`document.querySelectorAll('#list .row:not([hidden])[data-status="retrying"]').length`, &count)))
	assert.Positive(t, count)
	var next string
	require.NoError(t, chromedp.Run(ctx, chromedp.Evaluate(`document.querySelector('#list .row:not([hidden])[data-status="retrying"]').children[6].textContent`, &next)))
	assert.Regexp(t, `^in \d+(\.\d)? s$`, next, "a countdown to the next attempt")
	assert.Empty(t, consoleErrors())
}

// TestBrowserBenchmarks measures what BENCHMARKS.md reports; it runs with
// HOOKCHECK_BROWSER_BENCH=1 (make bench-browser).
func TestBrowserBenchmarks(t *testing.T) {
	if os.Getenv("HOOKCHECK_BROWSER_BENCH") == "" {
		t.Skip("set HOOKCHECK_BROWSER_BENCH=1 (make bench-browser) to measure")
	}
	t.Run("delivery to row, 200 deliveries", func(t *testing.T) {
		ctx, _ := browsertest.Start(t)
		st := newStack(t)
		var ok bool
		require.NoError(t, chromedp.Run(ctx, chromedp.Navigate(st.uiURL), chromedp.WaitVisible(`#conn.live`), chromedp.Evaluate(watchRows, &ok)))
		var last string
		for range 200 {
			last = st.create(t, "/ok")
			time.Sleep(10 * time.Millisecond) // deliveries one after another, as a developer makes them
		}
		require.NoError(t, chromedp.Run(ctx, chromedp.Poll(rowOf(last)+`.filter((r) => r.dataset.status === 'acknowledged').length`, nil,
			chromedp.WithPollingTimeout(10*time.Second))))
		lags := st.lagsOf(t, ctx, "/1")
		slices.Sort(lags)
		require.Len(t, lags, 200)
		t.Logf("delivery to row (its first attempt on the page) over %d deliveries: p50 %s, p95 %s, max %s", len(lags), lags[len(lags)/2], lags[len(lags)*95/100], lags[len(lags)-1])
	})
	t.Run("10,000 deliveries: first render, scroll, page heap", func(t *testing.T) {
		ctx, _ := browsertest.Start(t)
		in, err := inspect.New(inspect.Options{Mode: inspect.ModeAPI})
		require.NoError(t, err)
		fill(in, 10_000)
		u := servePage(t, in)
		var firstRows, heap, scroll float64
		require.NoError(t, chromedp.Run(ctx, chromedp.Navigate(u), chromedp.WaitVisible(`#list .row`),
			chromedp.Poll(`performance.getEntriesByName('hookcheck:first-rows').length > 0 && performance.getEntriesByName('hookcheck:first-rows')[0].startTime`, &firstRows),
			chromedp.Evaluate(`(async () => { const t0 = performance.now(); const l = document.getElementById('list');
			  for (let i = 0; i < 50; i++) { l.scrollTop += 5600; await new Promise((r) => requestAnimationFrame(r)); }
			  return (performance.now() - t0) / 50; })()`, &scroll, awaitPromise),
			chromedp.Evaluate(`performance.memory ? performance.memory.usedJSHeapSize : 0`, &heap)))
		t.Logf("first rows on screen %.0f ms after navigation (10,000 deliveries, first page of 200); scrolling: %.1f ms a frame; page JS heap %.1f MiB",
			firstRows, scroll, heap/(1<<20))
	})
	t.Run("page weight", func(t *testing.T) {
		ctx, _ := browsertest.Start(t)
		in, err := inspect.New(inspect.Options{Mode: inspect.ModeAPI})
		require.NoError(t, err)
		var bytes float64
		require.NoError(t, chromedp.Run(ctx, chromedp.Navigate(servePage(t, in)), chromedp.WaitVisible(`#conn.live`),
			chromedp.Evaluate(`[...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
			  .filter((e) => !e.name.includes('/api/')).reduce((s, e) => s + e.decodedBodySize, 0)`, &bytes)))
		t.Logf("page weight (HTML, CSS, JS, icon; uncompressed): %.1f KiB", bytes/1024)
	})
}
