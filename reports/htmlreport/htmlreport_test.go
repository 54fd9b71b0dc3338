package htmlreport_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/go-faker/faker/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	"github.com/hookcheck/hookcheck/internal/fixture"
	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/reports/htmlreport"
	"github.com/hookcheck/hookcheck/simulator/receiver"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

func render(t *testing.T, r *reports.Result, o htmlreport.Options) (string, *html.Node) {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, htmlreport.WriteOptions(&b, r, o))
	doc, err := html.Parse(strings.NewReader(b.String()))
	require.NoError(t, err)
	return b.String(), doc
}

func everything() htmlreport.Options {
	o := htmlreport.DefaultOptions()
	o.FullPerScenario, o.FullTotal = 1<<20, 1<<20
	return o
}

func TestStructure(t *testing.T) {
	res := fixture.Default(t)
	_, doc := render(t, res, everything())

	banner := find(doc, hasClass("banner"))
	require.Len(t, banner, 1)
	assert.True(t, hasClass("not_conformant")(banner[0]))
	h1 := find(banner[0], tag("h1"))
	require.Len(t, h1, 1)
	assert.Contains(t, text(h1[0]), "Not conformant")
	assert.Contains(t, text(banner[0]), "4 failed", "MUST counts in the banner")

	// Above the matrix: each failed MUST with its remediation.
	fixes := find(doc, func(n *html.Node) bool { return hasClass("fixes")(n) && hasClass("must")(n) })
	require.Len(t, fixes, 1)
	for _, q := range res.FailedMust() {
		assert.Contains(t, text(fixes[0]), q.ID)
		assert.Contains(t, text(fixes[0]), q.Remediation)
	}

	rows := find(doc, func(n *html.Node) bool { return tag("tr")(n) && hasClass("req")(n) })
	require.Len(t, rows, len(res.Requirements), "one matrix row per requirement")
	for i, q := range res.Requirements {
		assert.Equal(t, "req-"+q.ID, attr(rows[i], "id"))
		assert.Contains(t, text(rows[i]), q.Title)
		assert.Contains(t, text(rows[i]), q.Status.Label())
		for _, rule := range q.Rules {
			assert.Contains(t, text(rows[i]), rule)
		}
		if q.Status == reports.Failed {
			assert.Contains(t, text(rows[i]), q.Remediation)
		}
	}

	timelines := find(doc, func(n *html.Node) bool { return tag("svg")(n) && hasClass("tl")(n) })
	assert.Len(t, timelines, res.DeliveryCount(), "one SVG timeline per delivery")
	for _, tl := range timelines {
		assert.Equal(t, "img", attr(tl, "role"))
		assert.NotEmpty(t, attr(tl, "aria-label"), "timelines are labelled")
		assert.NotEmpty(t, find(tl, tag("title")))
	}
	charts := find(doc, func(n *html.Node) bool { return tag("figure")(n) && hasClass("chart")(n) })
	assert.Len(t, charts, 2, "latency and burst scenarios get a chart")
	assert.Contains(t, text(charts[0]), "p95")

	scenarios := find(doc, func(n *html.Node) bool { return tag("details")(n) && hasClass("scenario")(n) })
	assert.Len(t, scenarios, len(res.Scenarios))
	env := find(doc, hasClass("env"))
	require.Len(t, env, 1)
	for _, want := range []string{"hookcheck version", "faithful", "Seed", "Go version", "Source address"} {
		assert.Contains(t, text(env[0]), want)
	}
	requireSelfContained(t, doc)
}

// requireSelfContained checks there is no script and nothing fetched.
func requireSelfContained(t *testing.T, doc *html.Node) {
	t.Helper()
	assert.Empty(t, find(doc, tag("script")), "no <script>")
	for _, n := range find(doc, func(*html.Node) bool { return true }) {
		for _, a := range n.Attr {
			switch strings.ToLower(a.Key) {
			case "src", "href", "srcset", "xlink:href", "action", "poster", "data":
				assert.NotContains(t, strings.ToLower(a.Val), "http", "<%s %s=%q>", n.Data, a.Key, a.Val)
				assert.True(t, a.Key != "href" || strings.HasPrefix(a.Val, "#"), "only in-page links: %q", a.Val)
			case "style":
				assert.NotContains(t, a.Val, "url(")
			}
			assert.False(t, strings.HasPrefix(strings.ToLower(a.Key), "on"), "no event handler attribute %s", a.Key)
		}
		if tag("style")(n) {
			assert.NotContains(t, text(n), "url(", "no url() in CSS")
			assert.NotContains(t, text(n), "@import")
		}
		if tag("link")(n) || tag("iframe")(n) || tag("img")(n) || tag("object")(n) {
			t.Errorf("external resource element <%s>", n.Data)
		}
	}
}

func TestDefaultOptionsSummariseButDropNoDelivery(t *testing.T) {
	res := fixture.Default(t) // a burst of 50
	out, doc := render(t, res, htmlreport.DefaultOptions())
	timelines := find(doc, func(n *html.Node) bool { return tag("svg")(n) && hasClass("tl")(n) })
	rows := find(doc, func(n *html.Node) bool { return tag("table")(n) && hasClass("rows")(n) })
	summarised := 0
	for _, t := range rows {
		summarised += len(find(t, tag("tr"))) - 1 // header row
	}
	assert.Equal(t, res.DeliveryCount(), len(timelines)+summarised, "every delivery is shown, in full or in a row")
	assert.Positive(t, summarised)
	for _, sc := range res.Scenarios {
		for _, d := range sc.Deliveries {
			assert.Contains(t, out, ">"+d.ID+"<")
		}
	}
}

// hostileFeature is a feature file whose names carry markup: the real
// suite runs it, so the markup reaches the report the way a user's own
// feature files would bring it.
const hostileFeature = `@RC-01 @must
Feature: Hostile <script>alert(1)</script>

  Scenario: A receiver answers <script>alert(1)</script>
    When AssemblyAI delivers a "completed" transcript notification
    Then the receiver acknowledges it with a 2xx within the deadline
`

func TestHostileReceiverIsEscaped(t *testing.T) {
	const evil = `<script>alert(1)</script>`
	hostile := func(receiver.Config) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.Header().Set("X-Evil", evil)
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = io.WriteString(w, evil+`<img src="http://attacker.example/x.png" onerror="alert(2)">`)
		})
	}
	res := fixture.RunHandler(t, hostile, fixture.Options{FullSchedules: true,
		Features: fstest.MapFS{"hostile.feature": {Data: []byte(hostileFeature)}},
		Query:    "?x=" + evil,
	})
	require.Len(t, res.Scenarios, 1)
	require.Len(t, res.Scenarios[0].Deliveries, 1)
	assert.Len(t, res.Scenarios[0].Deliveries[0].Attempts, 10, "500 is retried")
	res.Scenarios[0].Steps[1].Error += "\n" + evil
	out, doc := render(t, res, everything())

	assert.NotContains(t, out, evil)
	assert.NotContains(t, out, `<img`)
	assert.Contains(t, out, "&lt;script&gt;alert(1)&lt;/script&gt;")
	requireSelfContained(t, doc)
	assert.Empty(t, find(doc, tag("img")))
}

func TestSecretHeaderValuesNeverPrinted(t *testing.T) {
	canary := "canary-" + faker.Password()
	res := fixture.Run(t, fixture.Typical, fixture.Options{Auth: true, AuthValue: webhook.Secret(canary)})
	// A careless model: the secret left in evidence under another spelling.
	d := res.Scenarios[0].Deliveries[0]
	d.Request.Headers["x-webhook-secret"] = []string{canary}
	h := d.Attempts[0].ResponseHeaders.Clone() // shared with other attempts: change a copy
	h.Set("X-Webhook-Secret", canary)
	d.Attempts[0].ResponseHeaders = h
	out, _ := render(t, res, everything())
	assert.NotContains(t, out, canary)
	assert.Contains(t, out, webhook.Mask)
	assert.Equal(t, []string{canary}, d.Request.Headers["x-webhook-secret"], "the result itself is not changed") //nolint:staticcheck // SA1008: a non-canonical key on purpose
}

func TestSizeBudgets(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, htmlreport.Write(&b, fixture.Default(t)))
	assert.Less(t, b.Len(), 300<<10, "default report under 300 KB")
	b.Reset()
	big := fixture.Large(t)
	require.GreaterOrEqual(t, big.DeliveryCount(), 1000)
	require.NoError(t, htmlreport.Write(&b, big))
	assert.Less(t, b.Len(), 5<<20, "1,000-delivery report under 5 MB")
}

func TestIncompleteAndConformantBanners(t *testing.T) {
	// Safe to register only when processing was checked (RC-18).
	o := fixture.Conformant
	o.VerifyAPIFetch = true
	res := fixture.Run(t, "compliant", o)
	require.Equal(t, reports.Conformant, res.Verdict)
	out, _ := render(t, res, htmlreport.DefaultOptions())
	assert.Contains(t, out, `class="banner conformant"`)
	assert.Contains(t, out, "Safe to register")
	assert.NotContains(t, out, "What must change")
	out, _ = render(t, fixture.Run(t, "compliant", fixture.Conformant), htmlreport.DefaultOptions())
	assert.Contains(t, out, `class="banner conformant"`)
	assert.NotContains(t, out, "Safe to register")
	assert.Contains(t, out, "Processing was not checked")

	res = fixture.Run(t, fixture.Typical, fixture.Options{StopAfter: 6})
	require.Equal(t, reports.Incomplete, res.Verdict)
	out, doc := render(t, res, htmlreport.DefaultOptions())
	assert.Contains(t, out, `class="banner incomplete"`)
	assert.Contains(t, out, "interrupted (SIGINT)")
	scenarios := find(doc, func(n *html.Node) bool { return tag("details")(n) && hasClass("scenario")(n) })
	assert.Len(t, scenarios, len(res.Scenarios), "skipped scenarios are listed too")
}

// chartGeometry returns each chart's bars and the y of its axis.
func chartGeometry(t *testing.T, doc *html.Node) (axes []float64, bars [][]*html.Node) {
	t.Helper()
	for _, fig := range find(doc, func(n *html.Node) bool { return tag("figure")(n) && hasClass("chart")(n) }) {
		axis := find(fig, func(n *html.Node) bool { return tag("line")(n) && hasClass("axis")(n) })
		require.Len(t, axis, 1)
		y, err := strconv.ParseFloat(attr(axis[0], "y1"), 64)
		require.NoError(t, err)
		axes = append(axes, y)
		bars = append(bars, find(fig, tag("rect")))
	}
	return axes, bars
}

func TestChartsOfRealRuns(t *testing.T) {
	// The typical receiver answers within 1.2 s or at once with 429: the
	// axis is drawn to its own scale, the deadline is labelled off scale,
	// and an instant 429 still shows as a red bar standing on the axis.
	_, doc := render(t, fixture.Default(t), everything())
	axes, bars := chartGeometry(t, doc)
	require.Len(t, axes, 2)
	red := 0
	for i := range axes {
		require.NotEmpty(t, bars[i])
		for _, b := range bars[i] {
			y, _ := strconv.ParseFloat(attr(b, "y"), 64)
			h, _ := strconv.ParseFloat(attr(b, "height"), 64)
			assert.GreaterOrEqual(t, h, 2.0, "every attempt is visible")
			assert.InDelta(t, axes[i], y+h, 0.11, "bars stand on the axis")
			if hasClass("s4")(b) {
				red++
			}
		}
	}
	assert.Equal(t, 40, red, "the burst's 40 rejections are drawn")
	charts := find(doc, func(n *html.Node) bool { return tag("figure")(n) && hasClass("chart")(n) })
	for _, c := range charts {
		assert.Empty(t, find(c, func(n *html.Node) bool { return tag("line")(n) && hasClass("deadline")(n) }), "10 s is off a 2 s axis")
		assert.Contains(t, text(c), "deadline 10 s")
	}

	// A receiver that never answers: every attempt reaches the deadline,
	// which is then on the axis.
	_, doc = render(t, fixture.Run(t, "hang", fixture.Options{Tags: "@RC-11", Burst: 20, FullSchedules: true}), everything())
	charts = find(doc, func(n *html.Node) bool { return tag("figure")(n) && hasClass("chart")(n) })
	require.Len(t, charts, 1)
	assert.Len(t, find(charts[0], func(n *html.Node) bool { return tag("line")(n) && hasClass("deadline")(n) }), 1)
	assert.Len(t, find(charts[0], func(n *html.Node) bool { return tag("rect")(n) && hasClass("timeout")(n) }), 20,
		"the first attempts are drawn")
	assert.Contains(t, text(charts[0]), "20 reached the 10 s deadline")
	assert.Contains(t, text(charts[0]), "180 retries")
}

// TestChartSeparatesRetries: a receiver that answers each delivery's
// first attempt 500 at once and hangs on every retry (full schedules).
// The checks read first attempts, so the chart states their p50 and p95
// (31 ms, as the failure line beside it says) and shows the retries' 10 s
// apart, never mixed into the p50.
func TestChartSeparatesRetries(t *testing.T) {
	fast, slow := 31*time.Millisecond, 15*time.Second
	handler := func(receiver.Config) http.Handler {
		var mu sync.Mutex
		seen := map[string]bool{}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			var n struct {
				TranscriptID string `json:"transcript_id"`
			}
			_ = json.Unmarshal(body, &n)
			mu.Lock()
			retry := seen[n.TranscriptID]
			seen[n.TranscriptID] = true
			mu.Unlock()
			wait := fast
			if retry {
				wait = slow
			}
			// Not time.Sleep: a hung retry ends with its request, as
			// the synctest bubble requires.
			select {
			case <-time.After(wait):
			case <-r.Context().Done():
				return
			}
			w.WriteHeader(http.StatusInternalServerError)
		})
	}
	res := fixture.RunHandler(t, handler, fixture.Options{Tags: "@RC-11", Burst: 10, FullSchedules: true})
	_, doc := render(t, res, everything())
	charts := find(doc, func(n *html.Node) bool { return tag("figure")(n) && hasClass("chart")(n) })
	require.Len(t, charts, 1)
	got := text(charts[0])
	assert.Contains(t, got, "10 first attempts")
	assert.Contains(t, got, "p50 31 ms")
	assert.Contains(t, got, "p95 31 ms")
	assert.Contains(t, got, "max 31 ms")
	var marks []string
	for _, m := range find(charts[0], func(n *html.Node) bool { return tag("text")(n) && hasClass("ml")(n) }) {
		marks = append(marks, text(m))
	}
	assert.Equal(t, []string{"deadline 10 s ↑", "max 31 ms", "p95 31 ms", "p50 31 ms"}, marks,
		"no retry in the first attempts' marks")
	assert.Contains(t, got, "90 retries (not drawn, not read by the checks): p50 10 s, max 10 s; 90 reached the deadline")
	assert.Len(t, find(charts[0], func(n *html.Node) bool { return tag("rect")(n) && hasClass("s5")(n) }), 10,
		"one bar per first attempt")
	assert.Empty(t, find(charts[0], func(n *html.Node) bool { return tag("rect")(n) && hasClass("timeout")(n) }),
		"no retry drawn among them")
}

func TestTimelineOfTenTimeouts(t *testing.T) {
	res := fixture.Default(t)
	_, doc := render(t, res, everything())
	var hang *html.Node
	for _, tl := range find(doc, func(n *html.Node) bool { return tag("svg")(n) && hasClass("tl")(n) }) {
		if len(find(tl, func(n *html.Node) bool { return tag("rect")(n) && hasClass("timeout")(n) })) == 10 {
			hang = tl
		}
	}
	require.NotNil(t, hang, "RC-02's delivery: ten timeouts")
	assert.Contains(t, attr(hang, "aria-label"), "3 min 10 s")
	ticks := find(hang, func(n *html.Node) bool { return tag("g")(n) && hasClass("tick")(n) })
	require.Len(t, ticks, 1)
	assert.Contains(t, text(ticks[0]), "180 s", "the axis spans the 190 s schedule")
	labels := 0
	for _, g := range find(hang, tag("g")) {
		for _, c := range find(g, tag("text")) {
			if strings.HasPrefix(text(c), "#") {
				labels++
			}
		}
	}
	assert.Equal(t, 10, labels, "every attempt is labelled")
}

// TestAPICallsOnTheTimeline: the receiver's calls to the emulated API are
// marks on the delivery's time axis, green when it got its transcript and
// red when it did not (here: a wrong key, 401), and listed below it.
func TestAPICallsOnTheTimeline(t *testing.T) {
	o := fixture.Conformant
	o.Tags = "@RC-17"
	for behaviour, want := range map[string]string{"compliant": "cok", "fetch-wrong-key": "cbad"} {
		res := fixture.Run(t, behaviour, o)
		_, doc := render(t, res, everything())
		marks := find(doc, func(n *html.Node) bool { return tag("circle")(n) && hasClass(want)(n) })
		assert.NotEmpty(t, marks, "%s: a %s call mark", behaviour, want)
		lists := find(doc, func(n *html.Node) bool { return tag("ul")(n) && hasClass("calls")(n) })
		require.NotEmpty(t, lists, behaviour)
		assert.Contains(t, text(lists[0]), "GET /v2/transcript/")
	}
}

// TestInFlightCallOnTheTimeline: a call still waiting for the API when its
// scenario ended (fetch-before-ack's fetch, held 15 s by RC-15's slow API)
// is a mark of its own: a dashed line to the end of its wait and an open
// ring, not a dot coloured by an answer it never got; its line in the
// list says it is still waiting. Answered calls get no such mark.
func TestInFlightCallOnTheTimeline(t *testing.T) {
	o := fixture.Conformant
	o.Tags = "@RC-15"
	_, doc := render(t, fixture.Run(t, "fetch-before-ack", o), everything())
	rings := find(doc, func(n *html.Node) bool { return tag("circle")(n) && hasClass("cwait")(n) })
	require.Len(t, rings, 1)
	assert.Empty(t, find(rings[0].Parent, func(n *html.Node) bool {
		return tag("circle")(n) && (hasClass("cok")(n) || hasClass("cbad")(n))
	}))
	assert.NotEmpty(t, find(rings[0].Parent, func(n *html.Node) bool { return tag("line")(n) && hasClass("inflight")(n) }))
	assert.Contains(t, text(rings[0].Parent), "no answer yet, still waiting after 10.1 s")
	lists := find(doc, func(n *html.Node) bool { return tag("ul")(n) && hasClass("calls")(n) })
	require.NotEmpty(t, lists)
	assert.Contains(t, text(lists[0]), "still waiting after")

	o.Tags = "@RC-17"
	_, doc = render(t, fixture.Run(t, "compliant", o), everything())
	assert.Empty(t, find(doc, func(n *html.Node) bool { return tag("circle")(n) && hasClass("cwait")(n) }))
}

// TestPossiblySameCauseKeepsItsFix: generic-500 without the API answers
// RC-01 and the redacted-audio notification with the same 500. RC-07 is
// possibly the same cause: its fix is listed after RC-01's with a link to
// it, while a requirement blocked by RC-01 shows no fix of its own.
func TestPossiblySameCauseKeepsItsFix(t *testing.T) {
	o := fixture.Conformant
	o.API = false
	res := fixture.Run(t, "generic-500", o)
	q07, _ := res.Requirement("RC-07")
	require.Equal(t, "RC-01", q07.SameCause())
	q02, _ := res.Requirement("RC-02")
	require.Equal(t, "RC-01", q02.Blocker())
	_, doc := render(t, res, htmlreport.DefaultOptions())
	fixes := find(doc, func(n *html.Node) bool { return hasClass("fixes")(n) && hasClass("must")(n) })
	require.Len(t, fixes, 1)
	items := find(fixes[0], hasClass("fix"))
	require.GreaterOrEqual(t, len(items), 2)
	assert.Contains(t, text(items[0]), "RC-01")
	assert.Contains(t, text(items[1]), "RC-07")
	assert.Contains(t, text(items[1]), "Possibly the same cause as RC-01")
	assert.Contains(t, text(items[1]), q07.Remediation, "its own fix")
	for _, it := range items {
		if strings.Contains(text(it), "RC-02") {
			assert.NotContains(t, text(it), q02.Remediation, "a blocked requirement has no fix of its own")
			assert.Contains(t, text(it), "Fix RC-01 first")
		}
	}
}
