package steps

// Vocabulary is how the suite's messages name a setting of the run: by
// the flag of `hookcheck run` or by the field of hookcheck.Target, so that
// a not-applicable reason tells each reader what to set. Whoever builds
// the run picks it (Conformance.Vocabulary); the zero value speaks to Go
// callers.
type Vocabulary int

const (
	// GoFields names hookcheck.Target's fields: "set Target.Allowlist".
	GoFields Vocabulary = iota
	// CLIFlags names the CLI's flags: "set --allowlist header".
	CLIFlags
)

// Say returns cli when v is CLIFlags, goAPI otherwise.
func (v Vocabulary) Say(cli, goAPI string) string {
	if v == CLIFlags {
		return cli
	}
	return goAPI
}
