package receiver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// DefaultMaxBodyBytes bounds a notification body. A transcript
// notification is under 200 bytes (D-2, D-11), but a streaming session's
// webhook carries every word of the session (S-5): a 3-hour session, the
// longest (S-6), is about 2.5 MiB, 3 MiB with speaker labels. 8 MiB accepts
// every session with room to spare and still bounds what one request can
// make the receiver hold.
const DefaultMaxBodyBytes = 8 << 20

// Config is what a receiver's owner sets up. The zero value is a working
// compliant receiver on every path, without authentication or allowlist.
type Config struct {
	// Path is the only path served when non-empty; others get 404. It is
	// the path of the webhook_url registered with AssemblyAI.
	Path string
	// AuthHeaderName turns on the D-8 header check when non-empty.
	AuthHeaderName string
	// AuthHeaderValue is the expected value. webhook.Secret keeps it out of
	// logs and printed configs.
	AuthHeaderValue webhook.Secret
	// Allowlist checks the delivery's source address (D-7, P-7); nil turns
	// the check off.
	Allowlist *Allowlist
	// MaxBodyBytes bounds the body; larger bodies get 413. Zero means
	// DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Inbox receives a record of every request; nil gives the receiver an
	// inbox of its own.
	Inbox *Inbox
	// Now stamps inbox records; nil means time.Now. It is never used to
	// wait, so a fake clock cannot stall a handler.
	Now func() time.Time
	// Sleep waits d or until ctx is done, whichever is first, returning
	// ctx's error in the latter case. Nil waits with a time.Timer, which
	// testing/synctest makes virtual.
	Sleep func(ctx context.Context, d time.Duration) error
	// Logger receives one line per request; nil discards. Header values
	// are never logged, so the auth secret cannot leak.
	Logger *slog.Logger
	// SigningSecret is the secret the signed-webhook receivers (sw-*)
	// verify with, e.g. whsec_… for Standard Webhooks; others ignore it.
	SigningSecret webhook.Secret
	// API, when set, is the AssemblyAI API the receiver fetches each
	// notified transcript from after acknowledging it; nil fetches
	// nothing (and the fetching behaviours act as compliant).
	API *API
}

// Validate reports every setting that cannot work.
func (c Config) Validate() error {
	var errs []error
	if c.Path != "" && !strings.HasPrefix(c.Path, "/") {
		errs = append(errs, fmt.Errorf("path %q must start with /", c.Path))
	}
	if c.AuthHeaderName != "" {
		if err := webhook.ValidateHeaderName(c.AuthHeaderName); err != nil {
			errs = append(errs, fmt.Errorf("auth header: %w", err))
		}
		if c.AuthHeaderValue == "" {
			errs = append(errs, fmt.Errorf("auth header %q has no value", c.AuthHeaderName))
		}
	} else if c.AuthHeaderValue != "" {
		errs = append(errs, errors.New("auth header value is set but the header name is empty"))
	}
	if c.Allowlist != nil {
		if err := c.Allowlist.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("allowlist: %w", err))
		}
	}
	if c.API != nil {
		if u, err := url.Parse(c.API.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("API base URL %q must be an absolute http or https URL", c.API.BaseURL))
		}
	}
	if c.MaxBodyBytes < 0 {
		errs = append(errs, fmt.Errorf("max body bytes must not be negative, got %d", c.MaxBodyBytes))
	}
	return errors.Join(errs...)
}

// withDefaults fills in every nil or zero field that has a default.
func (c Config) withDefaults() Config {
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.Inbox == nil {
		c.Inbox = &Inbox{}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Sleep == nil {
		c.Sleep = sleep
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// sleep waits d with a timer so that testing/synctest can make it virtual,
// and gives up as soon as ctx is done (the client went away).
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}
