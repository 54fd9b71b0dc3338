package webhook_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/go-faker/faker/v4"
	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/clock"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// These tests replace the transport with httpmock: no socket is opened,
// so each transport error can be produced exactly and its P-4 class
// checked, and the schedule can run in a synctest bubble.

const mockTarget = "http://receiver.invalid/hooks/aai"

func mockSender(t *testing.T, p webhook.Policy, c clock.Clock) (*webhook.Sender, *httpmock.MockTransport) {
	t.Helper()
	mt := httpmock.NewMockTransport()
	s, err := webhook.NewSender(p, webhook.Options{Transport: mt, Clock: c})
	require.NoError(t, err)
	t.Cleanup(s.Close)
	return s, mt
}

func fakerNotification(t *testing.T) webhook.Notification {
	t.Helper()
	n, err := webhook.TranscriptReady(faker.UUIDHyphenated(), webhook.StatusCompleted)
	require.NoError(t, err)
	return n
}

func TestTransportErrorClasses(t *testing.T) { // P-4
	opErr := func(op string, err error) error {
		return &net.OpError{Op: op, Net: "tcp", Err: os.NewSyscallError(op, err)}
	}
	for _, tc := range []struct {
		name string
		err  error
		want webhook.ErrorClass
	}{
		{"refused", opErr("connect", syscall.ECONNREFUSED), webhook.ErrRefused},
		{"reset", opErr("read", syscall.ECONNRESET), webhook.ErrReset},
		{"broken pipe", opErr("write", syscall.EPIPE), webhook.ErrReset},
		{"eof", io.EOF, webhook.ErrReset},
		{"unexpected eof", fmt.Errorf("net/http: HTTP/1.x transport connection broken: %w", io.ErrUnexpectedEOF), webhook.ErrReset},
		{"dns not found", &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "receiver.invalid", IsNotFound: true}}, webhook.ErrDNS},
		{"dns timeout", &net.DNSError{Err: "i/o timeout", Name: "receiver.invalid", IsTimeout: true}, webhook.ErrDNS},
		{"unknown authority", &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}, webhook.ErrTLS},
		{"wrong host", x509.HostnameError{Certificate: &x509.Certificate{}, Host: "receiver.invalid"}, webhook.ErrTLS},
		{"expired", x509.CertificateInvalidError{Cert: &x509.Certificate{}, Reason: x509.Expired}, webhook.ErrTLS},
		{"not tls", tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}, webhook.ErrTLS},
		{"alert", fmt.Errorf("remote error: %w", tls.AlertError(40)), webhook.ErrTLS},
		{"malformed response", fmt.Errorf("net/http: HTTP/1.x transport connection broken: %w",
			errors.New(`malformed HTTP response "\x00\x01"`)), webhook.ErrProtocol},
		{"too many headers", errors.New("net/http: server response headers exceeded 65536 bytes; aborted"), webhook.ErrProtocol},
		{"i/o deadline", opErr("read", os.ErrDeadlineExceeded), webhook.ErrTimeout},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := webhook.DefaultPolicy()
			p.MaxAttempts = 1
			s, mt := mockSender(t, p, nil)
			mt.RegisterResponder(http.MethodPost, mockTarget, httpmock.NewErrorResponder(tc.err))
			d, err := s.Deliver(context.Background(), mockTarget, fakerNotification(t), webhook.Observer{})
			require.NoError(t, err)
			require.Len(t, d.Attempts, 1)
			a := d.Attempts[0]
			assert.Equal(t, tc.want, a.Failure, "detail: %s", a.Detail)
			assert.False(t, a.Answered())
			assert.NotEmpty(t, a.Detail)
			assert.Equal(t, webhook.Exhausted, d.Outcome, "P-4 failures are retryable failures")
			assert.Nil(t, d.WebhookStatusCode, "P-5")
			assert.Equal(t, 1, mt.GetTotalCallCount())
		})
	}
}

// The full D-4 schedule against a receiver that always answers 500, in a
// synctest bubble's virtual time: each wait is exactly RetryInterval from
// the end of one attempt to the start of the next (P-2), and no attempt
// starts a nanosecond early. httpmock answers in the calling goroutine, so
// the bubble sees every wait of the engine as durable.
func TestVirtualTimeDrivesTheFullScheduleWithExactSpacing(t *testing.T) { // D-4, P-2
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		p := webhook.DefaultPolicy()
		secret := faker.Password()
		p.Auth = &webhook.AuthHeader{Name: "X-Hook-Secret", Value: webhook.Secret(secret)}
		s, mt := mockSender(t, p, nil)
		mt.RegisterResponder(http.MethodPost, mockTarget, func(req *http.Request) (*http.Response, error) {
			if req.Header.Get("X-Hook-Secret") != secret { // D-8
				return httpmock.NewStringResponse(http.StatusUnauthorized, ""), nil
			}
			return httpmock.NewStringResponse(http.StatusInternalServerError, "boom"), nil
		})

		attempts := make(chan webhook.Attempt, p.MaxAttempts)
		result := make(chan *webhook.Delivery, 1)
		go func() {
			d, err := s.Deliver(context.Background(), mockTarget, fakerNotification(t), webhook.Observer{
				OnAttempt: func(_ *webhook.Delivery, a webhook.Attempt) { attempts <- a },
			})
			assert.NoError(t, err)
			result <- d
		}()

		for i := 1; i <= p.MaxAttempts; i++ {
			synctest.Wait()
			var a webhook.Attempt
			select {
			case a = <-attempts:
			default:
				t.Fatalf("attempt %d did not come on time", i)
			}
			require.Equal(t, i, a.Number)
			require.Equal(t, 500, a.StatusCode)
			require.Equal(t, start.Add(time.Duration(i-1)*p.RetryInterval), a.StartedAt, "attempt %d starts on the P-2 grid", i)
			if i == p.MaxAttempts {
				assert.Zero(t, a.WaitAfter)
				break
			}
			require.Equal(t, p.RetryInterval, a.WaitAfter)
			time.Sleep(p.RetryInterval - time.Nanosecond)
			synctest.Wait()
			select {
			case a := <-attempts:
				t.Fatalf("attempt %d started a nanosecond early", a.Number)
			default:
			}
			time.Sleep(time.Nanosecond)
		}
		synctest.Wait()
		d := <-result
		assert.Equal(t, webhook.Exhausted, d.Outcome)
		assert.Len(t, d.Attempts, 10)
		assert.Equal(t, seconds(0, 10, 20, 30, 40, 50, 60, 70, 80, 90), starts(d))
		assert.Equal(t, 90*time.Second, d.EndedAt.Sub(d.StartedAt))
		assert.Equal(t, 10, mt.GetTotalCallCount())
		assert.Equal(t, "boom", d.LastAttempt().ResponseBody)
	})
}
