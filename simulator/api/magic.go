package api

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// MagicParam is the audio_url query parameter that carries magic values.
const MagicParam = "hookcheck"

// Magic values, set in an audio_url's query as hookcheck=VALUE; the
// parameter may repeat.
const (
	// MagicError makes the transcript end with status "error".
	MagicError = "error"
	// MagicDelayPrefix, followed by a Go duration such as 5s or 250ms,
	// overrides the processing delay of the transcript.
	MagicDelayPrefix = "delay:"
)

// DownloadErrorMessage is the error of a transcript failed by MagicError,
// worded as AssemblyAI words a failed download.
const DownloadErrorMessage = "Download error, unable to download %s. Please make sure the file exists and is accessible from the internet."

// Magic is what an audio_url's magic values ask for.
type Magic struct {
	// Fail ends the transcript in error.
	Fail bool
	// Delay overrides the processing delay when HasDelay is set.
	Delay    time.Duration
	HasDelay bool
}

// ParseMagic reads the hookcheck parameters of audioURL. A URL that does
// not parse carries none; an unknown or malformed value is an error, so a
// typo does not silently test the wrong thing.
func ParseMagic(audioURL string) (Magic, error) {
	var m Magic
	u, err := url.Parse(audioURL)
	if err != nil {
		return m, nil
	}
	for _, v := range u.Query()[MagicParam] {
		switch {
		case v == MagicError:
			m.Fail = true
		case strings.HasPrefix(v, MagicDelayPrefix):
			d, err := time.ParseDuration(strings.TrimPrefix(v, MagicDelayPrefix))
			if err != nil || d < 0 || d > MaxProcessingDelay {
				return m, fmt.Errorf("%s=%s: want a duration between 0s and %s, such as 5s", MagicParam, v, MaxProcessingDelay)
			}
			m.Delay, m.HasDelay = d, true
		default:
			return m, fmt.Errorf("unknown %s value %q (want %s or %s<duration>)", MagicParam, v, MagicError, MagicDelayPrefix)
		}
	}
	return m, nil
}
