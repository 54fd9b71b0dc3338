// Package load is hookcheck's load generator: notifications arrive on an
// open model (the schedule never waits for the receiver) at a constant
// rate, on a ramp, or in climbing steps that look for the highest rate a
// receiver holds, and every notification gets AssemblyAI's full delivery
// schedule from simulator/webhook: a 10 s deadline (D-3), up to 10
// attempts 10 s apart (D-4, P-2) and no retry after a 4xx (D-5, P-6). A
// receiver that slows past the deadline therefore gets its slow
// notifications again 10 s later, and the retries add to the offered load:
// the storm a closed-model load tool cannot show.
//
// What a run keeps is bounded: per second, counters and three answer-time
// percentiles from a fixed-size histogram; per pending delivery, the
// engine's compact journal (no answer bodies beyond the engine's shared,
// interned ones), dropped when the delivery ends; per lost notification,
// its id and why, up to a fixed count.
package load
