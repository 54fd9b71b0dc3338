package load

import (
	"math/bits"
	"time"
)

// Histogram geometry: durations in microseconds, histSub buckets per
// power of two (a relative error under 1/histSub), up to 2^histOctaves µs
// (about 36 min); longer durations land in the last bucket.
const (
	histSubBits = 3
	histSub     = 1 << histSubBits
	histOctaves = 31
	histBuckets = (histOctaves + 1) * histSub
)

// Histogram counts durations in fixed log-linear buckets: constant size
// (about 2 KiB) whatever it counts, percentiles within 12.5 %, always
// rounded up to a bucket's upper bound so that a stated p95 is never
// below the true one. The zero value is empty and ready.
type Histogram struct {
	counts [histBuckets]uint64
	n      uint64
	max    time.Duration
}

// bucket returns the index of d.
func bucket(d time.Duration) int {
	us := uint64(max(d.Microseconds(), 0))
	if us < histSub {
		return int(us)
	}
	exp := bits.Len64(us) - 1 // us in [2^exp, 2^(exp+1))
	sub := (us >> (exp - histSubBits)) & (histSub - 1)
	i := (exp-histSubBits+1)*histSub + int(sub)
	return min(i, histBuckets-1)
}

// upper returns the largest duration bucket i holds.
func upper(i int) time.Duration {
	if i < histSub {
		return time.Duration(i) * time.Microsecond
	}
	exp := i/histSub + histSubBits - 1
	sub := uint64(i % histSub)
	lo := uint64(1)<<exp | sub<<(exp-histSubBits)
	return time.Duration(lo+(uint64(1)<<(exp-histSubBits))-1) * time.Microsecond //nolint:gosec // below 2^32 µs
}

// Add counts d.
func (h *Histogram) Add(d time.Duration) {
	h.counts[bucket(d)]++
	h.n++
	h.max = max(h.max, d)
}

// Merge adds o's counts to h.
func (h *Histogram) Merge(o *Histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.max = max(h.max, o.max)
}

// Count returns how many durations were added.
func (h *Histogram) Count() uint64 { return h.n }

// Max returns the longest duration added.
func (h *Histogram) Max() time.Duration { return h.max }

// Percentile returns the nearest-rank p-th percentile (0 < p ≤ 100) as
// its bucket's upper bound, never above Max; 0 when empty.
func (h *Histogram) Percentile(p float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(p/100*float64(h.n) + 0.999999)
	rank = min(max(rank, 1), h.n)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return min(upper(i), h.max)
		}
	}
	return h.max
}
