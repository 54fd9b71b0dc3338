// Package receiver is the catalogue of HTTP-level reference AssemblyAI
// webhook receivers, as http.Handlers, so the delivery engine and the
// conformance suite have something known to aim at. HTTP-level means they
// speak HTTP correctly and may answer wrongly; receivers that break HTTP,
// TCP or TLS itself (a blackhole, a reset, bytes that are not HTTP, a bad
// certificate) are socket-level and live in simulator/hostile.
// `hookcheck receiver --list` lists both.
//
// The Compliant receiver does everything the spec asks of a receiver
// (docs/spec.md): it answers a valid notification
// (D-2, D-11) with 200 at once (D-3), acknowledges redeliveries without
// repeating their side effect (D-4), rejects what cannot be a delivery with a
// 4xx so it is not retried (D-5), checks the optional auth header (D-8) and
// the source address (D-7, P-7), and keeps query parameters intact (D-9).
//
// Behaviours lists deliberately broken receivers by name: blunt ones for the
// delivery engine's tests (always 500, fail first, delay, hang, redirect) and ones that are the
// compliant receiver with exactly one flaw, so a conformance check can be
// shown to fail on its own.
//
// Every handler records what it received into an Inbox. Waits go through
// the time package (or Config.Sleep) and end with the request's context, so
// the handlers run unchanged inside testing/synctest bubbles.
package receiver
