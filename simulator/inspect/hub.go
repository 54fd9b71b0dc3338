package inspect

import (
	"encoding/json"
	"errors"
	"sync"
)

// errTooManyPages: the hub already serves its maximum of pages.
var errTooManyPages = errors.New("too many open pages")

// hub pushes row changes to every open page. A page gets a buffer of
// buffer events; one that falls that far behind (it stopped reading, its
// connection stalled) is dropped, never buffered without bound: its page
// reconnects and reloads the list.
type hub struct {
	mu      sync.Mutex
	clients map[*subscriber]struct{}
	buffer  int
	max     int
	dropped int
}

// subscriber is one open page's stream.
type subscriber struct {
	events chan []byte
	gone   chan struct{} // closed when the hub dropped it
}

func newHub(buffer, max int) *hub {
	return &hub{clients: map[*subscriber]struct{}{}, buffer: buffer, max: max}
}

// subscribe opens a stream, or fails when max pages are open.
func (h *hub) subscribe() (*subscriber, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.clients) >= h.max {
		return nil, errTooManyPages
	}
	s := &subscriber{events: make(chan []byte, h.buffer), gone: make(chan struct{})}
	h.clients[s] = struct{}{}
	return s, nil
}

// unsubscribe closes s's stream; it may be called after a drop.
func (h *hub) unsubscribe(s *subscriber) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.clients[s]; ok {
		delete(h.clients, s)
		close(s.gone)
	}
}

// publish sends r to every stream without waiting: a stream whose buffer
// is full is dropped.
func (h *hub) publish(r Row) {
	b, err := json.Marshal(r)
	if err != nil {
		return // a Row always marshals
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.clients {
		select {
		case s.events <- b:
		default:
			delete(h.clients, s)
			close(s.gone)
			h.dropped++
		}
	}
}

// stats returns the open streams and how many were dropped so far.
func (h *hub) stats() (open, dropped int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.clients), h.dropped
}
