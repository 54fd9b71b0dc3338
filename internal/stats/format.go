package stats

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// FormatDuration formats d for people, with two or three significant
// digits and a spaced unit: "0 ms", "0.40 ms", "4.5 ms", "12 ms", "9.95 s",
// "12.5 s", "3 min 10 s", "2 h 5 min". Failure messages and every report
// use it, so one time reads the same everywhere.
func FormatDuration(d time.Duration) string {
	switch {
	case d == 0:
		return "0 ms"
	case d < time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000)
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000)
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	case d < 10*time.Second:
		return trimZeros(fmt.Sprintf("%.2f", d.Seconds())) + " s"
	case d < time.Minute:
		return trimZeros(fmt.Sprintf("%.1f", d.Seconds())) + " s"
	}
	m := int(d / time.Minute)
	s := int(math.Round((d % time.Minute).Seconds()))
	if s == 60 {
		m, s = m+1, 0
	}
	if m >= 60 {
		return fmt.Sprintf("%d h %d min", m/60, m%60)
	}
	return fmt.Sprintf("%d min %d s", m, s)
}

// trimZeros drops a fraction of zeros: "10.0" → "10", "1.50" → "1.5".
func trimZeros(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
}

// FormatBytes formats a size for people with a binary unit: "512 B",
// "14 KiB", "2.6 MiB", as body limits (100 KB, 1 MB) are usually set.
func FormatBytes(n int) string {
	const k = 1024
	switch {
	case n < k:
		return fmt.Sprintf("%d B", n)
	case n < 10*k:
		return trimZeros(fmt.Sprintf("%.1f", float64(n)/k)) + " KiB"
	case n < k*k:
		return fmt.Sprintf("%d KiB", (n+k/2)/k)
	}
	return trimZeros(fmt.Sprintf("%.1f", float64(n)/(k*k))) + " MiB"
}
