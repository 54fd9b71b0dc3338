package hookcheck

import (
	"fmt"
	"regexp"
	"runtime"
	"strings"
	"time"
)

// A synctest bubble ends only when every goroutine started in it has
// ended: a handler whose background goroutines outlive the run (a worker
// waiting on a queue, a ticker) would make synctest panic ("deadlock: main
// bubble goroutine has exited but blocked goroutines remain") or, blocked
// on something made outside the bubble, hang the test. So once the run has
// closed the handler, hookcheck.Test waits for them in virtual time and
// fails with what they are and what to do: implement io.Closer.

// leakGrace is how long, in the bubble's virtual time (free), the
// goroutines a handler started may take to end once the run closed it:
// work the handler delays by a timer finishes meanwhile.
const leakGrace = time.Minute

// leakStep is how far virtual time moves between two looks.
const leakStep = time.Second

// maxSpins bounds the looks at goroutines that are neither ended nor
// durably blocked (running, or blocked on something outside the bubble),
// which virtual time cannot move: a few milliseconds each at most.
const maxSpins = 2000

// goroutine is one goroutine of a bubble as its stack trace shows it.
type goroutine struct {
	state     string // "chan receive", "select", "sleep", …
	durable   bool   // durably blocked: only the bubble can wake it
	running   bool
	createdBy string // the function whose go statement started it
	at        string // its first frame outside the standard library
}

// leftovers is what awaitGoroutines found still alive.
type leftovers struct {
	goroutines []goroutine
	// stuck: some are blocked on something from outside the bubble, which
	// nothing in it will ever wake.
	stuck bool
}

// awaitGoroutines waits, in the calling goroutine's bubble, for every
// other goroutine of the bubble to end, and returns those still alive
// after leakGrace of virtual time (or, for those virtual time cannot
// wake, after maxSpins looks); nil when none is.
func awaitGoroutines() *leftovers {
	deadline := time.Now().Add(leakGrace)
	for spins := 0; ; {
		gs := bubbleGoroutines()
		if len(gs) == 0 {
			return nil
		}
		durable := true
		for _, g := range gs {
			durable = durable && g.durable
		}
		switch {
		case durable && !time.Now().Before(deadline):
			return &leftovers{goroutines: gs}
		case durable:
			time.Sleep(leakStep) // virtual: wakes the timers due meanwhile
			spins = 0
		case spins < maxSpins:
			spins++
			runtime.Gosched()
		default:
			return &leftovers{goroutines: gs, stuck: true}
		}
	}
}

// message says what is left and what to do about it; closer says the
// handler is an io.Closer, whose Close the run called.
func (l *leftovers) message(closer bool) string {
	var b strings.Builder
	n := len(l.goroutines)
	fmt.Fprintf(&b, "the handler left %d goroutine%s running after the run ended", n, plural(n))
	if l.stuck {
		b.WriteString(", blocked on something made outside the test's synctest bubble (e.g. a channel created before hookcheck.Test: create it in Target.NewHandler)")
	} else {
		fmt.Fprintf(&b, " and %s more of virtual time", leakGrace)
	}
	b.WriteString(" (")
	for i, g := range l.goroutines {
		if i == 3 {
			fmt.Fprintf(&b, "; and %d more", n-i)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "started by %s, %s in %s", g.createdBy, g.state, g.at)
	}
	b.WriteString("): ")
	if closer {
		b.WriteString("the handler is an io.Closer and hookcheck called Close as the run ended, but Close must also stop that background work and wait for it to end")
	} else {
		b.WriteString("implement io.Closer on the handler to stop its background work and wait for it to end; hookcheck calls Close as the run ends")
	}
	b.WriteString(", because the synctest bubble hookcheck.Test runs the handler in cannot end while a goroutine started in it is alive")
	return b.String()
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

var (
	// bubbleOf finds the bubble in a goroutine header: "goroutine 7
	// [chan receive (durable), 2 minutes, synctest bubble 1]:".
	bubbleOf = regexp.MustCompile(`, synctest bubble (\d+)[\] ]`)
	// headerOf splits a header into id and status list.
	headerOf = regexp.MustCompile(`^goroutine (\d+) \[([^\]]*)\]:$`)
)

// bubbleGoroutines returns the goroutines of the caller's bubble but the
// caller, the bubble's root and testing's own.
func bubbleGoroutines() []goroutine {
	buf := make([]byte, 64<<10)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	blocks := strings.Split(string(buf), "\n\n")
	self := bubbleOf.FindStringSubmatch(strings.SplitN(blocks[0], "\n", 2)[0]) // the caller comes first
	if self == nil {
		return nil // not in a bubble
	}
	var gs []goroutine
	for _, block := range blocks[1:] {
		lines := strings.Split(strings.TrimSpace(block), "\n")
		h := headerOf.FindStringSubmatch(lines[0])
		if h == nil {
			continue
		}
		if m := bubbleOf.FindStringSubmatch(lines[0]); m == nil || m[1] != self[1] {
			continue
		}
		if strings.HasPrefix(h[2], "synctest.Run") || strings.Contains(block, "testingSynctestTest(") {
			continue // the goroutine running the bubble, and the bubble's main
		}
		gs = append(gs, parseGoroutine(h[2], lines[1:]))
	}
	return gs
}

// parseGoroutine reads a goroutine's status list and frames.
func parseGoroutine(status string, frames []string) goroutine {
	state := strings.SplitN(status, ", ", 2)[0]
	g := goroutine{durable: strings.Contains(state, "(durable)")}
	g.state = strings.TrimSpace(strings.NewReplacer("(durable)", "", "(leaked)", "", "(scan)", "").Replace(state))
	switch g.state {
	case "running", "runnable", "syscall", "preempted":
		g.running = true
	}
	for _, line := range frames {
		if strings.HasPrefix(line, "\t") {
			continue // a frame's file:line
		}
		if fn, ok := strings.CutPrefix(line, "created by "); ok {
			g.createdBy, _, _ = strings.Cut(fn, " in goroutine ")
			continue
		}
		fn := line
		if i := strings.LastIndex(fn, "("); i > 0 {
			fn = fn[:i]
		}
		if g.at == "" || (isStd(g.at) && !isStd(fn)) {
			g.at = fn
		}
	}
	return g
}

// isStd says fn is a function of the standard library: the first element
// of its import path has no dot ("net/http.(*conn).serve").
func isStd(fn string) bool {
	path := fn
	if i := strings.LastIndex(path, "/"); i >= 0 {
		path = path[:i] + strings.SplitN(path[i:], ".", 2)[0]
	} else {
		path = strings.SplitN(path, ".", 2)[0]
	}
	first := strings.SplitN(path, "/", 2)[0]
	return !strings.Contains(first, ".") && path != "main"
}
