package capture

import (
	"bytes"
	"crypto/sha256"
	"fmt"
)

// Bounds of what a Differ keeps of a delivery's first body, to say where a
// retry's body first differs from it without holding either body.
const (
	// bodyHeadBytes is how much of the first body is kept byte for byte:
	// a difference there is named to the byte.
	bodyHeadBytes = 1 << 10
	// bodyBlocks is how many equal parts a longer first body is cut into,
	// each kept as a digest: a difference beyond the head is named to
	// its part.
	bodyBlocks = 64
)

// blockSum is the digest kept of one part of a body.
type blockSum [8]byte

func sumBlock(b []byte) blockSum {
	s := sha256.Sum256(b)
	return blockSum(s[:8])
}

// bodyPrint is what a retry's body is compared with: of the first
// attempt's body, its length as sent, the digest of the bytes kept, the
// first bodyHeadBytes of them and, beyond those, a digest per part. Its
// size is bounded whatever the body's.
type bodyPrint struct {
	sent   int64 // length as sent (Record.BodyBytes, or the kept length)
	kept   int   // length kept by the capture
	sum    [sha256.Size]byte
	head   []byte
	block  int // bytes per part; 0 when head holds every kept byte
	blocks []blockSum
}

// sentLen is a's body length as sent: BodyBytes, or the kept length when
// the record does not say.
func sentLen(a Record, kept []byte) int64 {
	return max(a.BodyBytes, int64(len(kept)))
}

func newBodyPrint(a Record) bodyPrint {
	b := a.BodyBytesRaw()
	p := bodyPrint{sent: sentLen(a, b), kept: len(b), sum: sha256.Sum256(b), head: bytes.Clone(b[:min(len(b), bodyHeadBytes)])}
	if len(b) > bodyHeadBytes {
		p.block = (len(b) + bodyBlocks - 1) / bodyBlocks
		for start := 0; start < len(b); start += p.block {
			p.blocks = append(p.blocks, sumBlock(b[start:min(start+p.block, len(b))]))
		}
	}
	return p
}

// bodyOffset is where a body first differs from a bodyPrint's: at byte
// Lo exactly when Lo == Hi, else at one of the bytes Lo..Hi.
type bodyOffset struct{ Lo, Hi int64 }

func (o bodyOffset) String() string {
	if o.Lo == o.Hi {
		return fmt.Sprintf("first differing byte at offset %d", o.Lo)
	}
	return fmt.Sprintf("first differing byte at an offset from %d to %d", o.Lo, o.Hi)
}

// firstDiff says where body b (sent bytes long) first differs from p's,
// and false when it does not: the same bytes kept, the same length sent.
// An offset equal to the shorter length means one body is the start of
// the other.
func (p *bodyPrint) firstDiff(b []byte, sent int64) (bodyOffset, bool) {
	exact := func(n int) (bodyOffset, bool) { return bodyOffset{int64(n), int64(n)}, true }
	if len(b) == p.kept && sha256.Sum256(b) == p.sum {
		if sent == p.sent {
			return bodyOffset{}, false
		}
		// The same kept bytes, cut by the capture, then other lengths.
		lo := int64(p.kept)
		return bodyOffset{lo, max(lo, min(sent, p.sent))}, true
	}
	n := min(len(p.head), len(b))
	for i := range n {
		if p.head[i] != b[i] {
			return exact(i)
		}
	}
	if p.block == 0 || len(b) <= len(p.head) {
		return exact(n) // one is the start of the other
	}
	for i, s := range p.blocks {
		start := i * p.block
		end := min(start+p.block, p.kept)
		if sumBlock(b[start:min(end, len(b))]) != s {
			lo, hi := max(start, len(p.head)), min(end-1, len(b))
			if lo > hi {
				return exact(len(b))
			}
			return bodyOffset{int64(lo), int64(hi)}, true
		}
		if end > len(b) {
			break
		}
	}
	// Every kept byte of the first body starts b: b is longer.
	return exact(p.kept)
}
