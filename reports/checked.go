package reports

import "slices"

// Job is one of the receiver's jobs that a run can check. A receiver has
// three: acknowledge AssemblyAI's requests as it must (every run checks
// that), fetch the transcript a notification announces (only with the
// emulated API), and do the work for what it acknowledged (only with a
// verify URL, or with the fetch taken as proof). A verdict speaks for the
// jobs it checked and no further.
type Job string

// The jobs, in the order a receiver does them.
const (
	// JobDelivery: AssemblyAI's requests are answered as they must be
	// (RC-01..RC-14, RC-20..RC-23).
	JobDelivery Job = "delivery"
	// JobFetch: the announced transcript is fetched from AssemblyAI's
	// API (RC-15..RC-17, RC-19: requirements with the condition "api").
	JobFetch Job = "fetch"
	// JobProcessing: every acknowledged notification was processed
	// (RC-18), or a redelivered event processed once (SIG-09): the
	// condition "verify".
	JobProcessing Job = "processing"
)

// jobOf is the job a requirement checks, by its condition.
func jobOf(q Requirement) Job {
	switch q.Condition {
	case "api":
		return JobFetch
	case "verify":
		return JobProcessing
	}
	return JobDelivery
}

// CheckedJobs returns the jobs that at least one of reqs checked (passed
// or failed), in the order of the constants; never nil.
func CheckedJobs(reqs []Requirement) []Job {
	seen := map[Job]bool{}
	for _, q := range reqs {
		if q.Status == Passed || q.Status == Failed {
			seen[jobOf(q)] = true
		}
	}
	out := []Job{}
	for _, j := range []Job{JobDelivery, JobFetch, JobProcessing} {
		if seen[j] {
			out = append(out, j)
		}
	}
	return out
}

// Jobs returns the jobs the run checked: Checked, or for a results.json
// older than v4 (which has none) what its requirements say.
func (r *Result) Jobs() []Job {
	if r.Checked != nil {
		return r.Checked
	}
	return CheckedJobs(r.Requirements)
}

// Checks reports whether the run checked job j.
func (r *Result) Checks(j Job) bool { return slices.Contains(r.Jobs(), j) }

// scopeText says, for a verdict, which jobs it covers: "for delivery",
// "for delivery and fetching the transcript", "for delivery, fetching and
// processing".
func (r *Result) scopeText() string {
	switch fetch, proc := r.Checks(JobFetch), r.Checks(JobProcessing); {
	case fetch && proc:
		return "for delivery, fetching and processing"
	case proc:
		return "for delivery and processing"
	case fetch:
		return "for delivery and fetching the transcript"
	}
	return "for delivery"
}

// notCheckedText is "processing not checked (run with --api or
// --verify-url)", or "" when the run checked processing: a verdict
// without it says nothing of what the receiver does after it answers.
func (r *Result) notCheckedText() string {
	if r.Checks(JobProcessing) {
		return ""
	}
	return "processing not checked" + r.howToCheck()
}

// howToCheck names the settings that would check processing, when the
// catalogue has a requirement for it: " (run with --api or --verify-url)".
func (r *Result) howToCheck() string {
	var can bool
	for _, q := range r.Requirements {
		can = can || jobOf(q) != JobDelivery
	}
	switch {
	case !can:
		// A run whose requirements have none (streaming only): no
		// setting would check it.
		return ""
	case r.Environment.Provider != nil:
		// Another provider's run has no emulated API: its receiver's own
		// count is the only evidence (SIG-09).
		return " (run with --verify-url)"
	case r.Checks(JobFetch):
		return " (run with --verify-url or --verify api-fetch)"
	case r.Environment.API != "":
		// The API was served, yet nothing checked the fetch: the
		// selection left it out (a partial run names what).
		return ""
	}
	return " (run with --api or --verify-url)"
}

// notCheckedSentence is the Advice's last sentence when the run did not
// check processing: " Processing was not checked: … (run with --api or
// --verify-url)."; "" otherwise.
func (r *Result) notCheckedSentence() string {
	if r.Checks(JobProcessing) {
		return ""
	}
	return " Processing was not checked: a 2xx proves the receiver answers, not that it does the work for what it acknowledged" + r.howToCheck() + "."
}
