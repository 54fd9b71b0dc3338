package api

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// ErrShuttingDown is what a submission gets once Shutdown has begun.
var ErrShuttingDown = errors.New("the emulated API is shutting down")

// Server is the emulated AssemblyAI transcript API. It is an http.Handler;
// Run must be running for transcripts to finish and deliveries to go out.
type Server struct {
	cfg       Config
	store     *transcriptStore
	processor *processor
	sender    *webhook.Sender
	engine    *webhook.Engine
	handler   http.Handler
	calls     *callLog
	audio     []byte // the WAV served at every audio URL

	mu        sync.Mutex
	pending   int           // transcripts in processing plus deliveries not yet ended
	closing   bool          // Shutdown has begun: no new submissions
	drained   chan struct{} // closed when closing and pending reaches 0
	isDrained bool
	started   bool // Run has been called
	hardStop  context.CancelFunc
	done      chan struct{} // closed when Run returns
}

// New returns a Server for cfg; call Run to start processing and delivery.
func New(cfg Config) (*Server, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("emulated API config: %w", err)
	}
	sender, err := webhook.NewSender(cfg.Policy, cfg.SenderOptions)
	if err != nil {
		return nil, fmt.Errorf("emulated API: %w", err)
	}
	s := &Server{cfg: cfg, store: newStore(cfg.MaxTranscripts, cfg.MaxStoreBytes), sender: sender,
		engine: webhook.NewEngine(sender, cfg.MaxInFlight),
		audio:  newWAV(), drained: make(chan struct{}), done: make(chan struct{})}
	s.calls = newCallLog(cfg.MaxCalls, s.store.has)
	s.processor = newProcessor(cfg.Clock, s.finishProcessing)
	s.handler = s.routes()
	return s, nil
}

// Deliveries returns every delivery record in the order the deliveries
// began, or only those of transcriptID when it is not empty: what GET
// /hookcheck/v1/deliveries answers, for in-process inspection. The records
// are copies.
func (s *Server) Deliveries(transcriptID string) []DeliveryRecord {
	return s.store.deliveriesOf(transcriptID)
}

// Run processes transcripts and sends their deliveries until Shutdown has
// drained them, or until ctx ends: then attempts in flight are cancelled
// and every delivery not yet ended is recorded as cancelled. Run may be
// called once.
func (s *Server) Run(ctx context.Context) error {
	s.mu.Lock()
	if s.started {
		s.mu.Unlock()
		return errors.New("emulated API: Run called twice")
	}
	s.started = true
	runCtx, cancel := context.WithCancel(ctx)
	s.hardStop = cancel
	s.mu.Unlock()
	defer close(s.done)
	defer cancel()
	defer s.sender.Close()

	procDone := make(chan struct{})
	go func() {
		defer close(procDone)
		s.processor.run(runCtx)
	}()
	engineDone := make(chan error, 1)
	go func() { engineDone <- s.engine.Run(runCtx) }()

	s.cfg.Logger.InfoContext(ctx, "emulated AssemblyAI API running",
		"processing_delay", s.cfg.ProcessingDelay, "policy", s.cfg.Policy.Summary())
	var err error
	select {
	case <-s.drained:
		s.engine.Close() // nothing pending: Run returns at once
		err = <-engineDone
	case err = <-engineDone:
	}
	cancel()
	<-procDone
	if err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("delivery engine: %w", err)
	}
	return nil
}

// Shutdown stops new submissions (they get 503), then waits until every
// transcript in processing has finished and every delivery has ended. When
// ctx ends first, the rest is stopped: attempts in flight are cancelled and
// their deliveries recorded as cancelled, and Shutdown returns ctx's error.
// Reads keep working throughout. Stop the http.Server serving s first, or
// use Serve, which does both in order.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	if !s.closing {
		s.closing = true
		if s.pending == 0 {
			s.closeDrainedLocked()
		}
	}
	started, hardStop := s.started, s.hardStop
	s.mu.Unlock()
	if !started {
		return nil
	}
	select {
	case <-s.done:
		return nil
	case <-ctx.Done():
		hardStop()
		<-s.done
		return fmt.Errorf("emulated API shutdown: %w", ctx.Err())
	}
}

// The timeouts of Serve's http.Server (docs/serve-api.md): a client that
// sends its headers or body slowly, or keeps an idle connection open, is
// cut off instead of holding a connection forever.
const (
	// ReadHeaderTimeout bounds reading a request's headers.
	ReadHeaderTimeout = 10 * time.Second
	// ReadTimeout bounds reading a whole request, an upload included
	// (256 MiB at most, DefaultMaxUploadBytes).
	ReadTimeout = 2 * time.Minute
	// WriteTimeout bounds a request from the end of its headers to the
	// end of its answer.
	WriteTimeout = 2 * time.Minute
	// IdleTimeout closes a keep-alive connection idle this long.
	IdleTimeout = time.Minute
)

// Serve serves s on l and runs it until ctx ends; then it stops accepting
// connections and drains within grace (see Shutdown). Requests in flight
// when ctx ends see their context end, so a GET held back by a Fault's
// delay does not hold the drain up.
func (s *Server) Serve(ctx context.Context, l net.Listener, grace time.Duration) error {
	return s.ServeUntil(ctx, l, grace, nil)
}

// ServeUntil is Serve whose grace period also ends when abort is closed
// (a second Ctrl-C). After it returns, Undelivered lists what the drain
// did not deliver.
func (s *Server) ServeUntil(ctx context.Context, l net.Listener, grace time.Duration, abort <-chan struct{}) error {
	hs := &http.Server{Handler: s, ReadHeaderTimeout: ReadHeaderTimeout, ReadTimeout: ReadTimeout,
		WriteTimeout: WriteTimeout, IdleTimeout: IdleTimeout,
		BaseContext: func(net.Listener) context.Context { return ctx }}
	runErr := make(chan error, 1)
	go func() { runErr <- s.Run(context.WithoutCancel(ctx)) }()
	serveErr := make(chan error, 1)
	go func() { serveErr <- hs.Serve(l) }()
	var err error
	select {
	case <-ctx.Done():
	case err = <-serveErr:
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), grace)
	defer cancel()
	if abort != nil {
		go func() {
			select {
			case <-abort:
				cancel()
			case <-sctx.Done():
			}
		}()
	}
	err = errors.Join(err, ignoreClosed(hs.Shutdown(sctx)), s.Shutdown(sctx), <-runErr)
	return err
}

// Undelivered lists the notifications not delivered so far: deliveries
// that were cancelled or are still running, and transcripts with a
// webhook_url whose delivery has not started. After a shutdown whose
// grace ran out, they are what was lost.
func (s *Server) Undelivered() []Undelivered { return s.store.undelivered() }

func ignoreClosed(err error) error {
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// begin counts a unit of pending work; it fails once Shutdown has begun.
func (s *Server) begin() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return ErrShuttingDown
	}
	s.pending++
	return nil
}

// follow counts a unit of work that continues one still pending (a
// delivery after processing, a second notification after the first), so
// it is accepted even while shutting down.
func (s *Server) follow() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending++
}

// end marks a unit of pending work as done.
func (s *Server) end() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending--
	if s.pending == 0 && s.closing {
		s.closeDrainedLocked()
	}
}

func (s *Server) closeDrainedLocked() {
	if !s.isDrained {
		s.isDrained = true
		close(s.drained)
	}
}
