package steps

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// TestAnswerMode: each kind of first answer has the mode whose fix it
// needs.
func TestAnswerMode(t *testing.T) {
	for want, a := range map[string]webhook.Attempt{
		ModeTimeout:  {Failure: webhook.ErrTimeout},
		ModeNoAnswer: {Failure: webhook.ErrReset},
		Mode2xx:      {StatusCode: 204},
		Mode3xx:      {StatusCode: 307},
		Mode404:      {StatusCode: 404},
		ModeRefused:  {StatusCode: 403},
		Mode413:      {StatusCode: 413},
		Mode429:      {StatusCode: 429},
		Mode4xx:      {StatusCode: 409},
		Mode5xx:      {StatusCode: 502},
	} {
		assert.Equal(t, want, AnswerMode(a), "%+v", a)
	}
}

// TestFailureModeIsTheOutermost: a check that knows better than the
// answer (RC-16's 4xx while the API failed) keeps its own mode when
// checkAll adds the answer's.
func TestFailureModeIsTheOutermost(t *testing.T) {
	inner := withMode(ModeAPIStatus, errors.New("got 429"))
	assert.Equal(t, ModeAPIStatus, FailureMode(fmt.Errorf("1 of 2 deliveries failed; the first: %w", inner)))
	d := &webhook.Delivery{Attempts: []webhook.Attempt{{StatusCode: 429}}}
	assert.Equal(t, ModeAPIStatus, FailureMode(checkAll([]*webhook.Delivery{d}, func(*webhook.Delivery) error { return inner })))
	assert.Equal(t, Mode429, FailureMode(checkAll([]*webhook.Delivery{d}, func(*webhook.Delivery) error { return errors.New("no 2xx") })))
	assert.Empty(t, FailureMode(errors.New("plain")))
	assert.NoError(t, withMode(Mode5xx, nil))
}

// TestVerifyMode: RC-18's fix follows what the still-pending transcripts
// got.
func TestVerifyMode(t *testing.T) {
	for _, c := range []struct {
		acknowledged int
		last         map[string]string
		want         string
	}{
		{3, map[string]string{"a": "no fetch", "b": "no fetch", "c": "no fetch"}, ModeNeverFetched},
		{3, map[string]string{"a": "no fetch"}, ModeLost},
		{3, map[string]string{"a": "fetch got 500", "b": "no fetch"}, ModeNotRetried},
		{2, map[string]string{"a": "fetch got 429; verify URL: 404", "b": "fetch got 429; verify URL: 404"}, ModeNotRetried},
		{2, map[string]string{"a": "fetch got 401", "b": "fetch got 401"}, ModeWrongKey},
		{2, map[string]string{"a": "404", "b": "404"}, ModeNotProcessed},
		{2, map[string]string{"a": "404"}, ModeLost},
	} {
		var pending []string
		for id := range c.last {
			pending = append(pending, id)
		}
		assert.Equal(t, c.want, verifyMode(c.acknowledged, pending, c.last), "%v", c.last)
	}
}
