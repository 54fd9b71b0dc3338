package capture_test

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/capture"
)

// fullDisk writes half of each line and fails while full is set, as a
// write to a full disk does.
type fullDisk struct {
	mu   sync.Mutex
	b    bytes.Buffer
	full bool
}

func (d *fullDisk) Write(p []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.full {
		n, _ := d.b.Write(p[:len(p)/2])
		return n, errors.New("no space left on device")
	}
	return d.b.Write(p)
}

func (d *fullDisk) setFull(v bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.full = v
}

// lockedBuffer is a buffer the test may read while the recorder writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Bytes returns a copy of what was written so far.
func (l *lockedBuffer) Bytes() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return bytes.Clone(l.b.Bytes())
}

// TestWriteErrorsAreSaidAtOnce: a failed write is on the console before
// the request is answered (503); the next writes try again, and the file
// stays readable: the torn lines are skipped with a warning.
func TestWriteErrorsAreSaidAtOnce(t *testing.T) {
	disk := &fullDisk{}
	console := &lockedBuffer{}
	rc, err := capture.NewRecorder(capture.Config{Out: disk, Errors: console})
	require.NoError(t, err)
	srv := httptest.NewServer(rc)
	defer srv.Close()
	post := func(id string) int {
		resp, err := http.Post(srv.URL, "application/json", strings.NewReader(`{"transcript_id":"`+id+`","status":"completed"}`)) //nolint:noctx // a test
		require.NoError(t, err)
		_ = resp.Body.Close()
		return resp.StatusCode
	}
	assert.Equal(t, http.StatusOK, post("a"))
	disk.setFull(true)
	assert.Equal(t, http.StatusServiceUnavailable, post("b"))
	assert.Contains(t, console.String(), "write capture: no space left on device", "said before the answer")
	assert.Equal(t, http.StatusServiceUnavailable, post("c"))
	assert.Equal(t, 1, strings.Count(console.String(), "no space left"), "once per failing streak")
	disk.setFull(false)
	assert.Equal(t, http.StatusOK, post("d"))
	assert.Contains(t, console.String(), "capture file written again, after 2 request(s) answered 503")
	require.Error(t, rc.Err())

	var warnings []string
	ds, err := capture.ReadWith(bytes.NewReader(disk.b.Bytes()), capture.ReadOptions{Warn: func(line int, why string) {
		warnings = append(warnings, fmt.Sprintf("%d: %s", line, why))
	}})
	require.NoError(t, err, "the file stays readable:\n%s", disk.b.String())
	require.Len(t, ds, 2)
	assert.Equal(t, "transcript_id:a", ds[0].Key)
	assert.Equal(t, "transcript_id:d", ds[1].Key)
	assert.EqualValues(t, 2, ds[1].Attempts[0].Seq, "the unwritten requests took no number")
	assert.Equal(t, []string{
		"2: a torn record (cut short while written, e.g. by a full disk): skipped",
		"3: a torn record (cut short while written, e.g. by a full disk): skipped",
	}, warnings)
}

// TestReadSkipsTornLastLine: a file whose last line was cut while written
// reads, with a warning for that line.
func TestReadSkipsTornLastLine(t *testing.T) {
	file := `{"seq":1,"key":"transcript_id:a","attempt":1}` + "\n" + `{"seq":2,"key":"transcript_id:b","att`
	var warned []int
	ds, err := capture.ReadWith(strings.NewReader(file), capture.ReadOptions{Warn: func(line int, _ string) { warned = append(warned, line) }})
	require.NoError(t, err)
	require.Len(t, ds, 1)
	assert.Equal(t, []int{2}, warned)

	_, err = capture.Read(strings.NewReader(file + "\n" + `{"seq":3}` + "\n" + "not json\n"))
	require.ErrorContains(t, err, "line 4", "a bad line that is not torn is still an error")
}

// TestScanSkipsLongLine: a line over the limit is skipped with a warning,
// read to its end but never held, and the lines after it are read.
func TestScanSkipsLongLine(t *testing.T) {
	long := `{"seq":2,"body":"` + strings.Repeat("x", 1<<20) + `"}`
	file := `{"seq":1,"key":"a"}` + "\n" + long + "\n" + `{"seq":3,"key":"b"}` + "\n"
	var seqs []int64
	var warnings []string
	err := capture.Scan(strings.NewReader(file), capture.ReadOptions{MaxLineBytes: 4 << 10, Warn: func(line int, why string) {
		warnings = append(warnings, fmt.Sprintf("%d: %s", line, why))
	}}, func(_ int, r capture.Record) error { seqs = append(seqs, r.Seq); return nil })
	require.NoError(t, err)
	assert.Equal(t, []int64{1, 3}, seqs)
	assert.Equal(t, []string{"2: longer than 4096 bytes: skipped"}, warnings)

	// Under the default limit, the same line is read.
	seqs = nil
	require.NoError(t, capture.Scan(strings.NewReader(file), capture.ReadOptions{},
		func(_ int, r capture.Record) error { seqs = append(seqs, r.Seq); return nil }))
	assert.Equal(t, []int64{1, 2, 3}, seqs)
}

// TestDifferMatchesDiff: the streaming Differ finds what Diff finds.
func TestDifferMatchesDiff(t *testing.T) {
	h := http.Header{"User-Agent": {"Other/1"}}
	d := capture.Delivery{Key: "transcript_id:x", Attempts: []capture.Record{
		{Key: "transcript_id:x", Attempt: 1, Method: "POST", Header: h, Body: `{"transcript_id":"x","status":"completed"}`, Status: 500},
		{Key: "transcript_id:x", Attempt: 2, Method: "PUT", Header: h, Body: `{"transcript_id":"y","status":"completed"}`, Status: 200},
	}}
	e := capture.Expect{Policy: fastPolicy()}
	df := capture.NewDiffer(e)
	df.Add(capture.Record{Key: "transcript_id:z", Attempt: 1, Method: "POST", Body: "{}", Status: 200})
	for _, a := range d.Attempts {
		df.Add(a)
	}
	got := df.Result()
	require.Len(t, got, 2)
	assert.Equal(t, "transcript_id:x", got[1].Key)
	assert.Equal(t, 2, got[1].Attempts)
	want := capture.Diff(d, e)
	require.NotEmpty(t, want)
	assert.Equal(t, want, got[1].Differences)
	rules := map[string]bool{}
	for _, x := range want {
		rules[x.Rule] = true
	}
	assert.True(t, rules["D-1"] && rules["D-12"] && rules["D-4"], "%v", want)
}
