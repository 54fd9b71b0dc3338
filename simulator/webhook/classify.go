package webhook

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
)

// classify names the P-4 failure class of a transport error. timedOut says
// whether the attempt's own deadline fired; stopped whether the whole run
// was cancelled.
func classify(err error, timedOut, stopped bool) ErrorClass {
	switch {
	case stopped:
		return ErrAttemptStopped
	case timedOut:
		return ErrTimeout
	}
	var (
		dnsErr     *net.DNSError
		recordErr  tls.RecordHeaderError
		verifyErr  *tls.CertificateVerificationError
		authErr    x509.UnknownAuthorityError
		hostErr    x509.HostnameError
		invalidErr x509.CertificateInvalidError
		alertErr   tls.AlertError
		netErr     net.Error
	)
	switch {
	case errors.As(err, &dnsErr):
		return ErrDNS
	case errors.Is(err, syscall.ECONNREFUSED):
		return ErrRefused
	case errors.As(err, &recordErr), errors.As(err, &verifyErr), errors.As(err, &authErr),
		errors.As(err, &hostErr), errors.As(err, &invalidErr), errors.As(err, &alertErr),
		strings.Contains(err.Error(), "tls: "):
		return ErrTLS
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, syscall.ECONNABORTED), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, io.ErrClosedPipe), errors.Is(err, net.ErrClosed):
		return ErrReset
	case errors.As(err, &netErr) && netErr.Timeout():
		return ErrTimeout
	}
	return ErrProtocol
}
