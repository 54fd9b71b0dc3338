package steps

import (
	"errors"
	"net/http"

	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// One requirement can fail in several ways that each need their own fix:
// RC-01 with a timeout (work before answering) or a 404 (the wrong path),
// RC-18 with a transcript never fetched or a fetch never retried. A failed
// check says which way it failed with a failure mode; the requirement
// catalogue (features/requirements.json, "remediations") maps a mode to its
// fix, and the report shows the fix of what was observed.

// The failure modes of a delivery's first answer, from AnswerMode.
const (
	ModeTimeout  = "timeout"   // no answer within the deadline
	ModeNoAnswer = "no-answer" // the connection failed or broke
	Mode2xx      = "2xx"       // accepted what it should refuse
	Mode3xx      = "3xx"
	Mode404      = "404"
	ModeRefused  = "401-403" // refused by an auth or source check
	Mode413      = "413"
	Mode429      = "429"
	Mode4xx      = "4xx" // any other 4xx
	Mode5xx      = "5xx"
)

// The failure modes of the checks of the receiver's whole job.
const (
	// ModeAPIStatus: the receiver answered a 4xx while the API failed
	// (RC-16).
	ModeAPIStatus = "api-error-as-4xx"
	// ModeNotRetried: a fetch failed and was never followed by a
	// successful one (RC-16, RC-18).
	ModeNotRetried = "fetch-not-retried"
	// ModeWrongKey: every fetch was made with a wrong API key (RC-17).
	ModeWrongKey = "wrong-key"
	// ModeNeverFetched: the receiver never fetched the transcript
	// (RC-17, RC-18).
	ModeNeverFetched = "never-fetched"
	// ModeNoAPICall: the receiver made no call to the emulated API at all
	// (RC-17): it may call AssemblyAI's real API directly.
	ModeNoAPICall = "no-api-call"
	// ModeLost: the receiver processed some acknowledged notifications
	// and lost others (RC-18).
	ModeLost = "lost"
	// ModeNotProcessed: the receiver's application confirmed none of the
	// notifications it acknowledged (RC-18).
	ModeNotProcessed = "not-processed"
)

// modeError is a failed check's error with its failure mode.
type modeError struct {
	mode string
	err  error
}

func (e *modeError) Error() string { return e.err.Error() }
func (e *modeError) Unwrap() error { return e.err }

// withMode gives err the failure mode mode; a nil err stays nil.
func withMode(mode string, err error) error {
	if err == nil || mode == "" {
		return err
	}
	return &modeError{mode: mode, err: err}
}

// FailureMode returns the failure mode a failed step's error carries (the
// outermost one), or "" when it carries none.
func FailureMode(err error) string {
	var m *modeError
	if errors.As(err, &m) {
		return m.mode
	}
	return ""
}

// AnswerMode classifies an attempt's answer as a failure mode.
func AnswerMode(a webhook.Attempt) string {
	switch c := a.StatusCode; {
	case !a.Answered() && a.Failure == webhook.ErrTimeout:
		return ModeTimeout
	case !a.Answered():
		return ModeNoAnswer
	case c >= 200 && c < 300:
		return Mode2xx
	case c >= 300 && c < 400:
		return Mode3xx
	case c == http.StatusNotFound:
		return Mode404
	case c == http.StatusUnauthorized || c == http.StatusForbidden:
		return ModeRefused
	case c == http.StatusRequestEntityTooLarge:
		return Mode413
	case c == http.StatusTooManyRequests:
		return Mode429
	case c >= 400 && c < 500:
		return Mode4xx
	}
	return Mode5xx
}

// deliveryMode is the failure mode of a delivery a check failed: its
// first answer, or for a redirect check the first redirect.
func deliveryMode(d *webhook.Delivery) string {
	for _, a := range d.Attempts {
		if a.StatusCode >= 300 && a.StatusCode < 400 {
			return Mode3xx
		}
	}
	return AnswerMode(d.Attempts[0])
}
