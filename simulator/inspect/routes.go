package inspect

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/hookcheck/hookcheck/reports/htmlreport"
	"github.com/hookcheck/hookcheck/simulator/api"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

//go:embed static
var static embed.FS

// maxActionBytes bounds an action's JSON body.
const maxActionBytes = 64 << 10

func (in *Inspector) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", in.serveStatic("static/index.html", "text/html; charset=utf-8"))
	mux.HandleFunc("GET /static/app.js", in.serveStatic("static/app.js", "text/javascript; charset=utf-8"))
	mux.HandleFunc("GET /static/app.css", in.serveStatic("static/app.css", "text/css; charset=utf-8"))
	mux.HandleFunc("GET /static/favicon.svg", in.serveStatic("static/favicon.svg", "image/svg+xml"))
	mux.HandleFunc("GET /static/report.css", serveReportCSS)
	mux.HandleFunc("GET /api/info", in.info)
	mux.HandleFunc("GET /api/deliveries", in.list)
	mux.HandleFunc("GET /api/deliveries/{id}", in.detail)
	mux.HandleFunc("GET /api/events", in.events)
	if in.opts.Mode == ModeAPI {
		mux.HandleFunc("POST /api/deliveries/{id}/notify", in.notify)
		mux.HandleFunc("POST /api/transcripts", in.create)
	} else {
		mux.HandleFunc("POST /api/deliveries/{id}/replay", in.replay)
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, http.StatusNotFound, "no such endpoint: see docs/inspector.md")
	})
	return mux
}

func (in *Inspector) serveStatic(name, ctype string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		b, err := static.ReadFile(name)
		if err != nil {
			writeError(w, http.StatusInternalServerError, "page missing from the binary")
			return
		}
		w.Header().Set("Content-Type", ctype)
		_, _ = w.Write(b)
	}
}

func serveReportCSS(w http.ResponseWriter, _ *http.Request) {
	css, err := htmlreport.Stylesheet()
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	_, _ = w.Write(css)
}

// Info is what GET /api/info answers: what the page shows and can do.
type Info struct {
	Mode          Mode    `json:"mode"`
	ForwardTo     string  `json:"forward_to,omitempty"`
	MaxAttempts   int     `json:"max_attempts"`
	TimeoutMS     float64 `json:"timeout_ms"`
	RetryInterval float64 `json:"retry_interval_ms"`
	MaxRows       int     `json:"max_rows"`
	Now           string  `json:"now"`
}

func (in *Inspector) info(w http.ResponseWriter, _ *http.Request) {
	i := Info{Mode: in.opts.Mode, MaxAttempts: in.opts.MaxAttempts, TimeoutMS: ms(in.opts.Timeout),
		RetryInterval: ms(in.opts.RetryInterval), MaxRows: in.opts.MaxRows, Now: time.Now().UTC().Format(time.RFC3339Nano)}
	if in.opts.ForwardTo != nil {
		i.ForwardTo = webhook.RedactTarget(in.opts.ForwardTo.String())
	}
	writeJSON(w, http.StatusOK, i)
}

// list answers GET /api/deliveries?status=&transcript_id=&session_id=&limit=&before=.
func (in *Inspector) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := Filter{Status: Status(q.Get("status")), TranscriptID: q.Get("transcript_id"), SessionID: q.Get("session_id")}
	limit := DefaultPageSize
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxPageSize {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("limit must be 1..%d", MaxPageSize))
			return
		}
		limit = n
	}
	var before uint64
	if v := q.Get("before"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			writeError(w, http.StatusBadRequest, "before must be a row's n")
			return
		}
		before = n
	}
	writeJSON(w, http.StatusOK, in.model.list(f, before, limit))
}

// Detail is what GET /api/deliveries/{id} answers.
type Detail struct {
	Row Row `json:"row"`
	// Delivery is the delivery record, every secret masked by value.
	Delivery *webhook.Delivery `json:"delivery"`
	// Calls are the receiver's calls to the emulated API about the
	// delivery's transcript since the delivery began (serve-api).
	Calls []api.Call `json:"calls"`
	// HTML is the delivery as report.html shows it: timeline, attempts,
	// request and answers.
	HTML string `json:"html"`
}

func (in *Inspector) detail(w http.ResponseWriter, r *http.Request) {
	d, code, err := in.Detail(r.PathValue("id"))
	if err != nil {
		writeError(w, code, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, d)
}

// errGone: the delivery left the bounded window.
var errGone = errors.New("no such delivery (it may have left the kept window)")

// Detail returns delivery id's detail, or an HTTP status and why not.
func (in *Inspector) Detail(id string) (Detail, int, error) {
	row, recs, secrets, ok := in.model.get(id)
	if !ok {
		return Detail{}, http.StatusNotFound, errGone
	}
	det := Detail{Row: row, Calls: []api.Call{}}
	authName := ""
	if in.opts.Mode == ModeAPI {
		srv := in.api()
		if srv == nil {
			return Detail{}, http.StatusServiceUnavailable, errors.New("the emulated API is not running yet")
		}
		for _, dr := range srv.Deliveries(row.TranscriptID) {
			if dr.ID == id {
				det.Delivery = dr.Delivery
			}
		}
		if det.Delivery == nil {
			return Detail{}, http.StatusNotFound, errGone
		}
		for _, c := range srv.Calls(row.TranscriptID) {
			if !c.At.Before(det.Delivery.StartedAt) {
				det.Calls = append(det.Calls, c)
			}
		}
		secrets = srv.Secrets(row.TranscriptID)
	} else {
		det.Delivery = in.captureDelivery(row, recs)
		if len(recs) > 0 && len(recs[0].Masked) > 0 {
			authName = recs[0].Masked[0]
		}
	}
	if len(secrets) > 0 {
		det.Delivery = webhook.NewRedactor(secrets...).Delivery(det.Delivery)
	}
	var b bytes.Buffer
	if err := htmlreport.WriteDelivery(&b, det.Delivery, det.Calls, htmlreport.FragmentOptions{AuthHeaderName: authName}); err != nil {
		return Detail{}, http.StatusInternalServerError, err
	}
	det.HTML = b.String()
	return det, http.StatusOK, nil
}

// events streams every row change as an SSE "row" event whose data is the
// Row, until the page goes or falls too far behind.
func (in *Inspector) events(w http.ResponseWriter, r *http.Request) {
	sub, err := in.hub.subscribe()
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	defer in.hub.unsubscribe(sub)
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(http.StatusOK)
	write := func(b []byte) bool {
		// A page that stops reading fails this write within the
		// deadline, instead of holding the handler forever.
		_ = rc.SetWriteDeadline(time.Now().Add(in.opts.Heartbeat * 2))
		if _, err := w.Write(b); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !write([]byte("retry: 1000\n: open\n\n")) {
		return
	}
	tick := time.NewTicker(in.opts.Heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-sub.gone:
			return // dropped: the page reconnects and reloads
		case <-tick.C:
			if !write([]byte(": keep-alive\n\n")) {
				return
			}
		case b := <-sub.events:
			msg := make([]byte, 0, len(b)+20)
			msg = append(append(append(msg, "event: row\ndata: "...), b...), "\n\n"...)
			if !write(msg) {
				return
			}
		}
	}
}

// readAction reads an action's JSON body into v; an empty body leaves v
// as it is.
func readAction(r *http.Request, v any) error {
	b, err := io.ReadAll(io.LimitReader(r.Body, maxActionBytes+1))
	if err != nil {
		return fmt.Errorf("read body: %w", err)
	}
	if len(b) > maxActionBytes {
		return errors.New("body too large")
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("body: %w", err)
	}
	return nil
}

type errorBody struct {
	Error string `json:"error"`
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, errorBody{Error: msg})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		code, b = http.StatusInternalServerError, []byte(`{"error":"cannot encode the answer"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = w.Write(append(b, '\n'))
}
