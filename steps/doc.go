// Package steps is hookcheck's Gherkin step library for godog. Each type
// owns one concern and registers its own steps with RegisterSteps; all
// per-scenario state lives in the context.Context godog threads through the
// steps, so scenarios can run concurrently.
//
//   - Simulator: the simulator's fidelity suite (features/simulator): it
//     starts reference receivers on an in-memory network, delivers with the
//     engine and checks the schedule against the spec's rules. Its timings
//     are exact because the suite runs in a testing/synctest bubble.
//
// See docs/steps.md for every step with an example.
package steps
