package webhook

import (
	"net/http"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A journal gives back every attempt exactly as the sender recorded it,
// whatever the attempt got, and derives webhook_status_code (P-5).
func TestJournalRebuildsThePlainRecord(t *testing.T) {
	var (
		in      answerInterner
		headers headerInterner
		at      = time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	)
	h500 := headers.intern(http.Header{"Content-Type": {"text/plain"}})
	attempts := []Attempt{
		{Number: 1, StartedAt: at, Duration: time.Second, StatusCode: 500, ResponseHeaders: h500,
			ResponseBody: "down", WaitAfter: 10 * time.Second},
		{Number: 2, StartedAt: at.Add(11 * time.Second), Duration: 10 * time.Second, Failure: ErrTimeout,
			Detail: "no status line", WaitAfter: 10 * time.Second},
		{Number: 3, StartedAt: at.Add(31 * time.Second), StatusCode: 302, WaitAfter: 10 * time.Second},
		{Number: 4, StartedAt: at.Add(41 * time.Second), StatusCode: 503, ResponseHeaders: h500,
			ResponseBody: string(make([]byte, 2*maxInternedString)), BodyTruncated: true},
	}
	j := journal{head: Delivery{ID: "d-1", Target: "http://127.0.0.1/hook", StartedAt: at}}
	assert.Equal(t, []Attempt{}, j.delivery().Attempts, "no attempt yet: an empty list, not null")
	for i := range attempts {
		j.add(&attempts[i], in.intern(&attempts[i]))
	}
	j.end(Exhausted, at.Add(time.Minute))

	d := j.delivery()
	assert.Equal(t, attempts, d.Attempts)
	assert.Equal(t, 503, *d.WebhookStatusCode, "P-5: the last attempt that got an answer")
	assert.Equal(t, Exhausted, d.Outcome)
	assert.Equal(t, at.Add(time.Minute), d.EndedAt)
	assert.Equal(t, "d-1", d.ID)

	d.Attempts[0].StatusCode = 999
	assert.Equal(t, 500, j.delivery().Attempts[0].StatusCode, "each record is the caller's own")
}

func TestAnswersAreShared(t *testing.T) {
	var (
		in      answerInterner
		headers headerInterner
	)
	a := Attempt{StatusCode: 500, ResponseHeaders: headers.intern(http.Header{"X": {"1"}}), ResponseBody: "down"}
	b := a
	b.ResponseHeaders = headers.intern(http.Header{"X": {"1"}})
	assert.Same(t, in.intern(&a), in.intern(&b), "equal answers share one")
	c := a
	c.ResponseBody = "up"
	assert.NotSame(t, in.intern(&a), in.intern(&c))
	assert.Nil(t, in.intern(&Attempt{StatusCode: 204}), "nothing to keep besides the status")
}

// The point of the journal: ten attempts in a 576-byte allocation rather
// than the 1,280 bytes of ten plain Attempts (BENCHMARKS.md §2).
func TestCompactAttemptSize(t *testing.T) {
	require.Equal(t, uintptr(56), unsafe.Sizeof(attemptRec{}))
	// 128 B since Attempt.Redirect: ten still fit the 1,280-byte size
	// class that ten 120-byte ones took.
	require.Equal(t, uintptr(128), unsafe.Sizeof(Attempt{}), "the public record stays as it is")
}
