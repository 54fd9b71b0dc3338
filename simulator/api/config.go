package api

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/hookcheck/hookcheck/simulator/clock"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// Defaults of a Config's zero fields.
const (
	// DefaultProcessingDelay is how long a transcript takes from queued to
	// completed or error.
	DefaultProcessingDelay = 2 * time.Second
	// DefaultMaxUploadBytes bounds a POST /v2/upload body.
	DefaultMaxUploadBytes = 256 << 20
	// DefaultMaxRequestBytes bounds every other request body.
	DefaultMaxRequestBytes = 1 << 20
	// MaxProcessingDelay bounds a hookcheck=delay: magic value.
	MaxProcessingDelay = 24 * time.Hour
)

// Config sets up a Server. The zero value works: any non-empty API key, a
// 2 s processing delay and AssemblyAI's delivery policy.
type Config struct {
	// APIKey is the key clients must send in Authorization. Empty
	// means any non-empty key is accepted. It is never logged.
	APIKey webhook.Secret
	// ProcessingDelay is how long a transcript takes from queued to
	// completed or error; zero means DefaultProcessingDelay. It can be
	// overridden per transcript with the hookcheck=delay: magic value.
	ProcessingDelay time.Duration
	// MaxUploadBytes bounds an upload; zero means DefaultMaxUploadBytes.
	MaxUploadBytes int64
	// MaxRequestBytes bounds every other request body; zero means
	// DefaultMaxRequestBytes.
	MaxRequestBytes int64
	// Policy is how deliveries are sent and retried; the zero Policy means
	// webhook.DefaultPolicy(). Its Auth must be nil: the auth header comes
	// from each transcript (D-8).
	Policy webhook.Policy
	// SenderOptions tune the delivery transport. A nil Clock or Logger
	// there is taken from this Config.
	SenderOptions webhook.Options
	// MaxInFlight bounds the delivery attempts running at once; zero means
	// webhook.DefaultMaxInFlight.
	MaxInFlight int
	// Clock is the time source; nil means the wall clock.
	Clock clock.Clock
	// Logger receives request and lifecycle logs; nil means none.
	Logger *slog.Logger
	// BaseURL prefixes upload_url, resource_url, page URLs and
	// redacted_audio_url, e.g. "http://127.0.0.1:8080". Empty means
	// "http://" plus the Host of each request.
	BaseURL string
	// MaxCalls bounds each of the call log's two parts, the calls
	// concerning known transcripts and the others (see Server.Calls);
	// zero means DefaultMaxCalls. The oldest calls are dropped first.
	MaxCalls int
	// MaxTranscripts bounds the transcripts kept; zero means
	// DefaultMaxTranscripts. The oldest is evicted first, with its
	// delivery records, and the list's page_details say how many were.
	MaxTranscripts int
	// MaxStoreBytes bounds the bytes the kept transcripts account for
	// (their request fields and a fixed share for the rest, see
	// TranscriptOverheadBytes); zero means DefaultMaxStoreBytes. The
	// oldest is evicted first, as for MaxTranscripts; the newest is
	// always kept.
	MaxStoreBytes int64
	// OnDelivery, when set, is told about every delivery record as it
	// changes: once when the delivery is submitted, after each attempt and
	// when it ends. It gets a copy it may keep, is called from the
	// delivery's goroutine and must not block (a live view, for example,
	// hands the record on without waiting).
	OnDelivery func(DeliveryRecord)
}

// DefaultMaxTranscripts is how many transcripts a Server keeps.
const DefaultMaxTranscripts = 10_000

// DefaultMaxStoreBytes is the byte budget of the kept transcripts.
const DefaultMaxStoreBytes = 256 << 20

// withDefaults returns c with its zero fields filled, or why it cannot work.
func (c Config) withDefaults() (Config, error) {
	var errs []error
	if c.ProcessingDelay == 0 {
		c.ProcessingDelay = DefaultProcessingDelay
	}
	if c.ProcessingDelay < 0 {
		errs = append(errs, fmt.Errorf("processing delay must not be negative, got %s", c.ProcessingDelay))
	}
	if c.MaxUploadBytes == 0 {
		c.MaxUploadBytes = DefaultMaxUploadBytes
	}
	if c.MaxRequestBytes == 0 {
		c.MaxRequestBytes = DefaultMaxRequestBytes
	}
	if c.MaxCalls == 0 {
		c.MaxCalls = DefaultMaxCalls
	}
	if c.MaxTranscripts == 0 {
		c.MaxTranscripts = DefaultMaxTranscripts
	}
	if c.MaxStoreBytes == 0 {
		c.MaxStoreBytes = DefaultMaxStoreBytes
	}
	if c.MaxStoreBytes < 0 {
		errs = append(errs, fmt.Errorf("store byte budget must not be negative, got %d", c.MaxStoreBytes))
	}
	if c.MaxTranscripts < 0 {
		errs = append(errs, fmt.Errorf("transcript bound must not be negative, got %d", c.MaxTranscripts))
	}
	if c.MaxCalls < 0 {
		errs = append(errs, fmt.Errorf("call log bound must not be negative, got %d", c.MaxCalls))
	}
	if c.MaxUploadBytes < 0 || c.MaxRequestBytes < 0 {
		errs = append(errs, errors.New("body limits must not be negative"))
	}
	if c.Policy.Timeout == 0 && c.Policy.MaxAttempts == 0 {
		c.Policy = webhook.DefaultPolicy()
	}
	if c.Policy.Auth != nil {
		errs = append(errs, errors.New("policy auth header must be unset: each transcript sets its own (D-8)"))
	}
	if c.Clock == nil {
		c.Clock = clock.Real{}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.SenderOptions.Clock == nil {
		c.SenderOptions.Clock = c.Clock
	}
	if c.SenderOptions.Logger == nil {
		c.SenderOptions.Logger = c.Logger
	}
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("base URL %q must be an absolute http or https URL", c.BaseURL))
		}
		c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	}
	return c, errors.Join(errs...)
}
