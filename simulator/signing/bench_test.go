package signing_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/hookcheck/hookcheck/internal/secret"
	"github.com/hookcheck/hookcheck/simulator/signing"
)

// BenchmarkSign is the signing cost of one delivery attempt, per provider
// and body size: 80 B (an AssemblyAI notification, D-2), 1 KiB, 64 KiB.
// Figures in BENCHMARKS.md.
func BenchmarkSign(b *testing.B) {
	for _, p := range signing.Providers() {
		s, err := signing.NewSigner(p, secretsOf[p][0])
		if err != nil {
			b.Fatal(err)
		}
		for _, n := range []int{80, 1 << 10, 64 << 10} {
			m := signing.Message{ID: "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", Timestamp: now, Body: bytes.Repeat([]byte("a"), n)}
			b.Run(fmt.Sprintf("%s/%dB", p, n), func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(n))
				for b.Loop() {
					if _, err := s.Sign(m); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkVerify is the cost of verifying one 1 KiB request.
func BenchmarkVerify(b *testing.B) {
	for _, p := range signing.Providers() {
		s, _ := signing.NewSigner(p, secretsOf[p][0])
		v, err := signing.NewVerifier(p, signing.VerifyOptions{Secrets: []secret.Secret{secretsOf[p][0]}})
		if err != nil {
			b.Fatal(err)
		}
		m := signing.Message{ID: "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", Timestamp: now, Body: bytes.Repeat([]byte("a"), 1<<10)}
		hs, _ := s.Sign(m)
		h := hs.Header()
		b.Run(string(p), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := v.Verify(h, m.Body, now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
