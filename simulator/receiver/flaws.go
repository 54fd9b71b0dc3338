package receiver

import (
	"errors"
	"fmt"
)

// A one-flaw receiver makes one mistake; a team's receiver often makes
// several, and a fix text prescribes changes to them (acknowledge first,
// retry the fetch). NewFlawed builds the compliant receiver with any set
// of flaws, so that a test can apply a fix text's changes one flaw at a
// time and rerun the suite on what is left.

// ErrUnknownFlaw is wrapped by NewFlawed's error for a name that is no
// flaw: not a behaviour, or a blunt one that is not the compliant receiver
// with a flaw.
var ErrUnknownFlaw = errors.New("unknown receiver flaw")

// NewFlawed returns the compliant receiver with every flaw named: the name
// of a behaviour of Behaviours that is the compliant receiver with one
// flaw or one setting changed (e.g. "fetch-before-ack",
// "conflict-on-redelivery", "wrong-path", "us-only-allowlist",
// "fetch-no-retry"). No flaw gives the compliant receiver. p sets the flaws'
// numeric options, as for the behaviours.
func NewFlawed(cfg Config, p Params, flaws ...string) (*Receiver, error) {
	more := map[flaw]bool{}
	for _, name := range flaws {
		b, err := Lookup(name)
		if err != nil {
			return nil, fmt.Errorf("%w %q: %w", ErrUnknownFlaw, name, err)
		}
		one, ok := b.New(cfg, p).(*Receiver)
		if !ok {
			return nil, fmt.Errorf("%w %q: a blunt behaviour, not the compliant receiver with a flaw", ErrUnknownFlaw, name)
		}
		_ = one.Close() // it never served: only its flaw and settings are kept
		if one.flaw != flawNone {
			more[one.flaw] = true
		}
		cfg = one.cfg // with the settings the behaviour changes (path, allowlist, body limit)
	}
	rc := newReceiver(cfg, p, flawNone)
	rc.more = more
	return rc, nil
}

// has reports whether the receiver has flaw f.
func (rc *Receiver) has(f flaw) bool { return rc.flaw == f || rc.more[f] }
