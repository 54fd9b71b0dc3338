package api_test

import (
	"bufio"
	"context"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	aai "github.com/AssemblyAI/assemblyai-go-sdk"

	"github.com/hookcheck/hookcheck/simulator/api"
)

// BenchmarkSDKSubmit1000 submits 1,000 transcripts concurrently through the
// official SDK, each with a webhook to a loopback receiver, and waits until
// every one has been delivered once. It reports submissions per second,
// the time from the first submission to the last delivery, and the
// process's peak RSS (VmHWM).
func BenchmarkSDKSubmit1000(b *testing.B) {
	const n = 1000
	const delay = 10 * time.Millisecond
	rc := newReceiver(b, nil)
	e := newEmulator(b, api.Config{ProcessingDelay: delay})
	c := sdkClient(e.URL, testKey)
	var submitSecs, lastSecs float64
	rounds := 0
	for b.Loop() {
		before := rc.len()
		start := time.Now()
		var wg sync.WaitGroup
		var errs sync.Map
		for i := range n {
			wg.Go(func() {
				_, err := c.Transcripts.SubmitFromURL(context.Background(), "https://example.test/bench.mp3",
					&aai.TranscriptOptionalParams{WebhookURL: aai.String(rc.URL)})
				if err != nil {
					errs.Store(i, err)
				}
			})
		}
		wg.Wait()
		submitted := time.Since(start)
		errs.Range(func(_, v any) bool { b.Fatal(v); return false })
		for rc.len() < before+n {
			time.Sleep(time.Millisecond)
		}
		submitSecs += submitted.Seconds()
		lastSecs += time.Since(start).Seconds()
		rounds++
	}
	for _, h := range rc.got() {
		if id, _ := h.Body["transcript_id"].(string); rc.count(id) != 1 {
			b.Fatalf("transcript %s delivered %d times", id, rc.count(id))
		}
	}
	b.ReportMetric(float64(n*rounds)/submitSecs, "submissions/s")
	b.ReportMetric(lastSecs/float64(rounds)*1000, "ms-to-last-delivery")
	b.ReportMetric(peakRSSMiB(), "peak-RSS-MiB")
}

// peakRSSMiB reads VmHWM from /proc/self/status; 0 where there is none.
func peakRSSMiB() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}
