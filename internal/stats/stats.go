// Package stats holds the statistics and the duration formats that the
// step library's failure messages and the reports share. A failure
// message and the chart beside it must state the same p95, in the same
// words, so there is one percentile definition and one human format.
package stats

import "time"

// NearestRank returns the 0-based index of the p-th percentile among n
// sorted samples, by the nearest-rank definition: the smallest sample with
// at least p% of the samples at or below it, that is the one of rank
// ⌈p·n/100⌉ (from 1). It is always a sample, never an interpolation, so
// the figure a report states is a time that was measured. p is clamped
// to 0..100; with n 0 it returns -1.
//
// With 50 samples the p95 is the 48th (index 47): 47.5 rounded up.
func NearestRank(n, p int) int {
	if n <= 0 {
		return -1
	}
	p = min(max(p, 0), 100)
	rank := (p*n + 99) / 100 // ⌈p·n/100⌉ in integers
	return max(rank, 1) - 1
}

// Percentile returns the nearest-rank p-th percentile of sorted (see
// NearestRank); 0 when there is no sample.
func Percentile(sorted []time.Duration, p int) time.Duration {
	i := NearestRank(len(sorted), p)
	if i < 0 {
		return 0
	}
	return sorted[i]
}

// Milliseconds returns d in milliseconds to the microsecond, the unit and
// precision of every duration in hookcheck's JSON records.
func Milliseconds(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// FromMilliseconds is the inverse of Milliseconds: a record's float
// milliseconds as a Duration.
func FromMilliseconds(ms float64) time.Duration { return time.Duration(ms * float64(time.Millisecond)) }
