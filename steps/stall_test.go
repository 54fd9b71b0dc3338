package steps

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// TestStallModeFollowsTheServer: RC-19's fix is the one for the kind of
// server the receiver's answers named (Server, else X-Powered-By); an
// unknown or unnamed one gets the answer's mode, whose fix is the general
// one. The name is the receiver's own text: only printable ASCII of it is
// repeated, and a bounded length.
func TestStallModeFollowsTheServer(t *testing.T) {
	for _, c := range []struct {
		server, powered string
		want            string
	}{
		{"uvicorn", "", ModeStallASGI},
		{"Hypercorn/0.17", "", ModeStallASGI},
		{"gunicorn", "", ModeStallWSGI},
		{"Werkzeug/3.0.1 Python/3.12.1", "", ModeStallWSGI},
		{"", "Express", ModeStallNode},
		{"", "Next.js", ModeStallNode},
		{"nginx/1.25", "", ModeTimeout},
		{"", "", ModeTimeout},
	} {
		h := http.Header{}
		if c.server != "" {
			h.Set("Server", c.server)
		}
		if c.powered != "" {
			h.Set("X-Powered-By", c.powered)
		}
		ledger := NewLedger()
		ledger.noteServer(&webhook.Delivery{Attempts: []webhook.Attempt{{StatusCode: 200, ResponseHeaders: h}}})
		st := &conformanceScenario{cfg: &Conformance{Ledger: ledger}, heldID: "slow-id"}
		st.last = []*webhook.Delivery{stalled("other-1"), {
			Notification: webhook.Notification{Kind: webhook.KindTranscript, TranscriptID: "other-2"},
			Attempts:     []webhook.Attempt{{StatusCode: 200, Duration: time.Millisecond}},
		}}
		err := st.expectAcknowledgedWhileHeld()
		require.Error(t, err, c)
		assert.Equal(t, c.want, FailureMode(err), c)
		assert.Contains(t, err.Error(), "1 of 2 notifications delivered while the receiver's fetch of transcript slow-id was held")
		if name := c.server + c.powered; name != "" {
			assert.Contains(t, err.Error(), "the receiver ("+name+") stops answering every request while one fetch waits")
		}
	}

	// Acknowledged in time, all of them: no finding.
	st := &conformanceScenario{cfg: &Conformance{}, heldID: "slow-id"}
	st.last = []*webhook.Delivery{{Notification: webhook.Notification{Kind: webhook.KindTranscript, TranscriptID: "a"},
		Attempts: []webhook.Attempt{{StatusCode: 204, Duration: time.Millisecond}}}}
	assert.NoError(t, st.expectAcknowledgedWhileHeld())

	ledger := NewLedger()
	hostile := http.Header{"Server": {"\x1b[2Juvicorn\r\nforged: line" + string(make([]byte, 200))}}
	ledger.noteServer(&webhook.Delivery{Attempts: []webhook.Attempt{{StatusCode: 500, ResponseHeaders: hostile}}})
	assert.Equal(t, "[2Juvicornforged: line", ledger.Server(), "no control characters, bounded")
}

// stalled is a notification whose first attempt timed out.
func stalled(id string) *webhook.Delivery {
	return &webhook.Delivery{
		Notification: webhook.Notification{Kind: webhook.KindTranscript, TranscriptID: id},
		Attempts:     []webhook.Attempt{{Failure: webhook.ErrTimeout, Duration: 10 * time.Second}},
	}
}

// TestWithoutAPIHintSpeaksTheCallersWords: the hint that a receiver which
// fetches before answering needs the emulated API names the flag for the
// CLI and Target's fields for the Go API.
func TestWithoutAPIHintSpeaksTheCallersWords(t *testing.T) {
	for v, want := range map[Vocabulary][2]string{
		CLIFlags: {"run with --api", "Target.APIKey"},
		GoFields: {"set Target.APIKey", "--api"},
	} {
		st := &conformanceScenario{cfg: &Conformance{Vocabulary: v}}
		st.last = []*webhook.Delivery{stalled("no-api")}
		err := st.expectAcknowledged()
		require.Error(t, err)
		assert.Contains(t, err.Error(), want[0])
		assert.NotContains(t, err.Error(), want[1])
	}
}
