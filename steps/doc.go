// Package steps is hookcheck's Gherkin step library for godog. Each type
// owns one concern, lists its steps as Definitions (pattern, example, what
// it does) and registers them with RegisterSteps; all per-scenario state
// lives in the context.Context godog threads through the steps, so
// scenarios can run concurrently.
//
//   - Conformance: checks a team's receiver (features/receiver): real
//     deliveries under AssemblyAI's policy, and probes (forged, malformed,
//     other methods) that show how it refuses what it must refuse. A
//     scenario whose precondition the user did not configure is not
//     applicable, never passed.
//   - Simulator: the simulator's fidelity suite (features/simulator): it
//     starts reference receivers on an in-memory network, delivers with the
//     engine and checks the schedule against the spec's rules. Its timings
//     are exact because the suite runs in a testing/synctest bubble.
//
// Each Definition points at a short named method of the scenario's state,
// so a step reads as one line in the table and its code is found by name;
// the methods live in files by role (preconditions.go, deliveries.go,
// probes.go, expectations.go; simulator_*.go for the Simulator).
//
// Package steps/suite runs feature files with these steps into a
// reports.Result. docs/steps.md lists every step with an example.
package steps
