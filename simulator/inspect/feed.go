package inspect

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hookcheck/hookcheck/simulator/api"
	"github.com/hookcheck/hookcheck/simulator/capture"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// ObserveDelivery takes a serve-api delivery record as it changes; give it
// as api.Config.OnDelivery. It never blocks: the row is stored and pushed
// to every open page without waiting for any.
func (in *Inspector) ObserveDelivery(r api.DeliveryRecord) {
	if r.Delivery == nil {
		return
	}
	row := apiRow(r)
	in.model.mu.Lock()
	e, ok := in.model.byID[row.ID]
	if ok && stale(e.row, row) {
		// The submission's first snapshot can arrive after an attempt's.
		in.model.mu.Unlock()
		return
	}
	if !ok {
		e = &entry{}
	}
	row.N = e.row.N
	e.row = row
	out := in.model.upsertLocked(e)
	in.model.mu.Unlock()
	in.hub.publish(out)
}

// stale reports whether next is older news than cur.
func stale(cur, next Row) bool {
	return next.Attempts < cur.Attempts || (cur.Status.Ended() && !next.Status.Ended())
}

// apiRow summarises a serve-api delivery.
func apiRow(r api.DeliveryRecord) Row {
	d := r.Delivery
	row := Row{ID: d.ID, TranscriptID: r.TranscriptID, SessionID: d.Notification.SessionID, Kind: string(d.Notification.Kind),
		Target: webhook.RedactTarget(d.Target), Attempts: len(d.Attempts), MaxAttempts: d.Policy.MaxAttempts,
		StartedAt: d.StartedAt, UpdatedAt: d.StartedAt}
	if row.TranscriptID == "" {
		row.TranscriptID = d.Notification.TranscriptID
	}
	switch d.Outcome {
	case webhook.Delivered:
		row.Status = Acknowledged
	case webhook.Rejected:
		row.Status = Rejected
	case webhook.Exhausted:
		row.Status = Exhausted
	case webhook.Cancelled, webhook.Stopped:
		row.Status = Cancelled
	default:
		row.Status = Pending
	}
	if n := len(d.Attempts); n > 0 {
		a := d.Attempts[n-1]
		row.Answer = shortResult(a)
		row.LatencyMS = ms(a.Duration)
		row.UpdatedAt = a.StartedAt.Add(a.Duration)
		if d.Outcome == "" {
			row.Status = Retrying
			if a.WaitAfter > 0 {
				next := a.StartedAt.Add(a.Duration + a.WaitAfter)
				row.NextAttemptAt = &next
			}
		}
	}
	if !d.EndedAt.IsZero() && d.Outcome != "" {
		row.UpdatedAt = d.EndedAt
	}
	row.Outcome = outcomeWords[row.Status]
	return row
}

// shortResult is an attempt's result in a word: "500", "timeout".
func shortResult(a webhook.Attempt) string {
	if a.Answered() {
		return fmt.Sprint(a.StatusCode)
	}
	if a.Failure == "" {
		return "none"
	}
	return strings.ReplaceAll(string(a.Failure), "_", " ")
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// ObserveRecord takes a captured request once it is written; give it as
// capture.Config.OnRecord. A first attempt starts a row; a later one of
// the same transcript_id or session_id updates the row of its delivery.
// It never blocks.
func (in *Inspector) ObserveRecord(rec capture.Record, secrets []string) {
	size := recordBytes(rec)
	in.model.mu.Lock()
	e := in.model.byKey[rec.Key]
	if rec.Key == "" || rec.Attempt <= 1 || e == nil {
		e = &entry{key: rec.Key, row: Row{ID: fmt.Sprintf("c%d", rec.Seq), StartedAt: rec.Time}}
		if rec.Key != "" {
			in.model.byKey[rec.Key] = e
		}
	}
	e.records = append(e.records, rec)
	for _, s := range secrets {
		if s != "" && s != webhook.Mask && !contains(e.secrets, s) {
			e.secrets = append(e.secrets, s)
		}
	}
	in.model.growLocked(e, size)
	in.captureRow(&e.row, rec)
	out := in.model.upsertLocked(e)
	in.model.mu.Unlock()
	in.hub.publish(out)
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// recordBytes is what a record costs the window, roughly.
func recordBytes(r capture.Record) int64 {
	n := int64(512 + len(r.Body) + len(r.BodyBase64) + len(r.RequestURI) + len(r.Key))
	for k, vs := range r.Header {
		n += int64(len(k))
		for _, v := range vs {
			n += int64(len(v))
		}
	}
	if f := r.Forwarded; f != nil {
		n += int64(len(f.Body) + len(f.BodyBase64) + len(f.URL))
	}
	return n
}

// captureRow applies captured attempt rec to row: AssemblyAI's schedule
// (D-3..D-6) says what comes next.
func (in *Inspector) captureRow(row *Row, rec capture.Record) {
	field, id, _ := strings.Cut(rec.Key, ":")
	switch field {
	case "transcript_id":
		row.TranscriptID = id
	case "session_id":
		row.SessionID = id
	}
	row.Target = "http://" + rec.Host + rec.RequestURI
	row.Attempts, row.MaxAttempts = max(rec.Attempt, 1), in.opts.MaxAttempts
	row.LatencyMS = rec.AnsweredAfterMS
	row.Answer = fmt.Sprint(rec.Status)
	answered := !rec.ClientGone
	if rec.Forwarded != nil && rec.ClientGone {
		row.Answer = "timeout"
	}
	row.UpdatedAt = rec.Time.Add(rec.AnsweredAfter())
	row.NextAttemptAt = nil
	switch {
	case rec.Incomplete:
		row.Status = Incomplete
	case answered && rec.Status >= 200 && rec.Status < 300:
		row.Status = Acknowledged
	case answered && rec.Status >= 400 && rec.Status < 500:
		row.Status = Rejected
	case rec.Attempt >= in.opts.MaxAttempts:
		row.Status = Exhausted
	default:
		row.Status = Retrying
		next := rec.Time.Add(min(rec.AnsweredAfter(), in.opts.Timeout) + in.opts.RetryInterval)
		row.NextAttemptAt = &next
	}
	row.Outcome = outcomeWords[row.Status]
}

// captureDelivery turns the records of a captured delivery into the
// delivery record the report's templates draw: one attempt per request,
// the answer the sender got.
func (in *Inspector) captureDelivery(row Row, recs []capture.Record) *webhook.Delivery {
	d := &webhook.Delivery{ID: row.ID, Target: row.Target, StartedAt: row.StartedAt,
		Policy: webhook.PolicySummary{TimeoutMS: ms(in.opts.Timeout), MaxAttempts: in.opts.MaxAttempts,
			RetryIntervalMS: ms(in.opts.RetryInterval)}}
	d.Notification.TranscriptID, d.Notification.SessionID = row.TranscriptID, row.SessionID
	if len(recs) > 0 {
		first := recs[0]
		d.Request = webhook.Request{Method: first.Method, URL: row.Target, Headers: first.Header, Body: string(first.BodyBytesRaw())}
	}
	for i, r := range recs {
		a := webhook.Attempt{Number: r.Attempt, StartedAt: r.Time, Duration: r.AnsweredAfter(), StatusCode: r.Status,
			ResponseBody: fmt.Sprintf("captured #%d\n", r.Seq), ResponseHeaders: http.Header{"Content-Type": {"text/plain; charset=utf-8"}}}
		if f := r.Forwarded; f != nil {
			a.ResponseHeaders, a.ResponseBody, a.BodyTruncated = f.Header, f.Body, f.BodyTruncated
			if f.Body == "" && len(f.BodyBase64) > 0 {
				a.ResponseBody = fmt.Sprintf("(%d bytes, not UTF-8)", len(f.BodyBase64))
			}
		}
		if r.ClientGone {
			a.StatusCode, a.Failure, a.Detail = 0, webhook.ErrTimeout, "the sender left before the answer"
			a.ResponseHeaders, a.ResponseBody = nil, ""
		}
		if i+1 < len(recs) {
			a.WaitAfter = recs[i+1].Time.Sub(r.Time.Add(r.AnsweredAfter()))
		} else if row.NextAttemptAt != nil {
			a.WaitAfter = row.NextAttemptAt.Sub(r.Time.Add(r.AnsweredAfter()))
		}
		d.Attempts = append(d.Attempts, a)
	}
	switch row.Status {
	case Acknowledged:
		d.Outcome = webhook.Delivered
	case Rejected:
		d.Outcome = webhook.Rejected
	case Exhausted:
		d.Outcome = webhook.Exhausted
	}
	if d.Outcome != "" {
		d.EndedAt = row.UpdatedAt
	}
	return d
}
