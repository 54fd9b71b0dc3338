// Package api is hookcheck's emulated AssemblyAI transcript API, the library
// behind `hookcheck serve-api`. A team points AssemblyAI's own SDK (or any
// HTTP client) at it, submits transcripts with a webhook_url, and their
// webhook receiver gets deliveries exactly as AssemblyAI sends them: the
// same body (D-2), headers (D-8, D-12), retry schedule (D-3..D-6, P-1..P-6)
// and source address (D-7, P-7), all from one webhook.Engine.
//
// # Endpoints
//
// Every shape comes from AssemblyAI's OpenAPI description (A-1..A-8):
//
//	POST   /v2/upload              raw bytes → {"upload_url": ...}       
//	POST   /v2/transcript          TranscriptParams → Transcript, 200     
//	GET    /v2/transcript          TranscriptList, newest first           
//	GET    /v2/transcript/{id}     Transcript                             
//	DELETE /v2/transcript/{id}     Transcript, data removed               
//	GET    /hookcheck/v1/deliveries[?transcript_id=]                    (inspection)
//	GET    /hookcheck/v1/calls[?transcript_id=]                         (inspection)
//	GET    /hookcheck/v1/uploads/{id}, /hookcheck/v1/redacted-audio/{id}.wav
//	                               a generated WAV file, no key needed
//
// All of them but the audio URLs need the API key in the Authorization
// header; errors are always {"error": "..."}. Every request is
// kept in a bounded call log (Server.Calls).
//
// # Seeds and faults
//
// Server.Seed makes a finished transcript exist under a chosen id, for a
// caller that sends its own notifications; a Fault (on the seed, or via
// Server.SetFault) makes one transcript's GET slow, failing, or rate
// limited, for a while or a number of times.
//
// # Magic values
//
// An audio_url's query may carry hookcheck parameters, as a payment sandbox
// has magic card numbers:
//
//	hookcheck=error       the transcript ends with status "error"
//	hookcheck=delay:5s    processing takes 5 s instead of Config.ProcessingDelay
//
// With redact_pii_audio, a second notification, redacted_audio_ready (D-11),
// follows the first once its delivery has ended.
//
// # Design
//
// A Server holds a store of transcripts under one mutex. Processing delays
// are kept in a single heap with one clock timer (the processor), so a thousand
// transcripts in flight cost no goroutine each. When a transcript completes
// or fails, its notification goes to the one webhook.Engine; the engine's
// Observer copies each attempt into the store, so webhook_status_code moves
// per P-5 while the retries run, and the inspection endpoint shows every
// record; Config.OnDelivery, when set, gets each record as it changes (the
// live inspector of `serve-api --ui`), whose actions are Server.Renotify
// and Server.Create. Time comes from a clock.Clock so tests can use
// virtual time.
//
// Lifecycle: New builds the server; Run(ctx) runs processing and delivery
// until Shutdown or ctx ends; ServeHTTP can be mounted anywhere. Serve does
// both over a net.Listener and drains on the way out.
package api
