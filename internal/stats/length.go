package stats

import (
	"fmt"
	"time"
)

// FormatLength formats a whole length of time, such as a session's, the
// way people say it: "1 min", "10 min", "1 h", "3 h", "1 h 30 min"; other
// lengths as FormatDuration.
func FormatLength(d time.Duration) string {
	switch {
	case d <= 0 || d%time.Minute != 0:
		return FormatDuration(d)
	case d%time.Hour == 0:
		return fmt.Sprintf("%d h", d/time.Hour)
	case d < time.Hour:
		return fmt.Sprintf("%d min", d/time.Minute)
	}
	return fmt.Sprintf("%d h %d min", d/time.Hour, (d%time.Hour)/time.Minute)
}
