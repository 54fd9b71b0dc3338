package receiver_test

import (
	"net/http"
	"testing"
	"testing/synctest"

	"github.com/go-faker/faker/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/api"
	"github.com/hookcheck/hookcheck/simulator/receiver"
)

// TestNewFlawedCombinesFlaws: each flaw named acts as in its one-flaw
// receiver, several at once; fetch-once makes its background fetch once
// where the compliant receiver retries until it gets the transcript.
func TestNewFlawedCombinesFlaws(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		id := faker.UUIDHyphenated()
		e := newEnv(t)
		srv := withAPI(t, e, id, api.StatusCompleted, api.Fault{Status: 500, Times: 1})
		rc, err := receiver.NewFlawed(e.cfg, receiver.Params{}, "fetch-no-retry", "conflict-on-redelivery")
		require.NoError(t, err)
		codes := statuses(rc, e.delivery(hookPath, transcript(id, "completed")), e.delivery(hookPath, transcript(id, "completed")))
		synctest.Wait()
		assert.Equal(t, []int{200, 409}, codes, "conflict-on-redelivery")
		assert.Equal(t, []int{500}, callStatuses(srv.Calls(id)), "fetch-once never retries")
		require.NoError(t, rc.Close())
	})
	synctest.Test(t, func(t *testing.T) {
		id := faker.UUIDHyphenated()
		e := newEnv(t)
		srv := withAPI(t, e, id, api.StatusCompleted, api.Fault{Status: 500, Times: 1})
		rc, err := receiver.NewFlawed(e.cfg, receiver.Params{})
		require.NoError(t, err)
		assert.Equal(t, []int{200}, statuses(rc, e.delivery(hookPath, transcript(id, "completed"))))
		synctest.Wait()
		assert.Equal(t, []int{500, 200}, callStatuses(srv.Calls(id)), "no flaw: the compliant receiver retries")
		require.NoError(t, rc.Close())
	})
}

// TestNewFlawedKnowsTheOneFlawReceivers: every behaviour built from the
// compliant receiver is a flaw NewFlawed can add, and it answers as the
// behaviour does; a blunt behaviour or a name that is no behaviour is
// refused.
func TestNewFlawedKnowsTheOneFlawReceivers(t *testing.T) {
	e := newEnv(t)
	reqs := func() []*http.Request {
		id := faker.UUIDHyphenated() // the receivers share e's inbox
		return []*http.Request{
			e.delivery(hookPath+"?a=1", `{"transcript_id":"`+id+`","status":"completed","extra":1}`),
			e.delivery(hookPath, transcript(id, "error")),
			e.delivery(hookPath, `{"status":"completed"}`),
			e.delivery(hookPath, `{"status":"redacted_audio_ready","redacted_audio_url":"https://x.test/a"}`),
		}
	}
	accepted := 0
	for _, b := range receiver.Behaviours() {
		rc, err := receiver.NewFlawed(e.cfg, receiver.Params{}, b.Name)
		if err != nil {
			assert.ErrorIs(t, err, receiver.ErrUnknownFlaw, b.Name)
			continue
		}
		accepted++
		assert.Equal(t, statuses(b.New(e.cfg, receiver.Params{}), reqs()...), statuses(rc, reqs()...), b.Name)
	}
	assert.GreaterOrEqual(t, accepted, 24, "every one-flaw receiver")
	for _, name := range []string{"status", "hang", "no-such-flaw"} {
		_, err := receiver.NewFlawed(e.cfg, receiver.Params{}, name)
		assert.ErrorIs(t, err, receiver.ErrUnknownFlaw, name)
	}
}
