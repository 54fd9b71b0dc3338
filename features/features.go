// Package features holds hookcheck's Gherkin feature files: the simulator's
// fidelity suite (simulator/) checks hookcheck's own sender against
// AssemblyAI's rules. The files are embedded so the CLI and the Go API can
// run them from any directory.
package features

import "embed"

// Simulator is the fidelity suite: one scenario or outline per rule of
// shared/spec/assemblyai-webhooks.md, tagged with its id.
//
//go:embed simulator/*.feature
var Simulator embed.FS
