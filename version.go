package hookcheck

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// releaseVersion, when not empty, is the version of a release build, set by
// the linker:
//
//	go build -ldflags "-X github.com/hookcheck/hookcheck.releaseVersion=0.2.0" ./cmd/hookcheck
//
// It is a variable only because -X can set nothing else; nothing assigns
// it at run time. Without it the version comes from the module's build
// info, so a `go install …@v0.2.0` binary knows its version unaided.
var releaseVersion string

// develVersion is what a build without a module version reports, as the
// go command itself says for a main module built from a checkout.
const develVersion = "(devel)"

// Build describes the running hookcheck binary: what `hookcheck version`
// prints and what every report records.
type Build struct {
	// Version is the release version (-X override), else the main
	// module's version from the build info, else "(devel)".
	Version string
	// Commit is the VCS revision the binary was built from, shortened to
	// 7 characters; empty when the build info has none (go test, go run
	// outside a checkout).
	Commit string
	// Modified says the working tree had uncommitted changes.
	Modified bool
	// GoVersion is the Go release that built the binary.
	GoVersion string
	// Platform is GOOS/GOARCH.
	Platform string
}

// ReadBuild reads the running binary's build information.
func ReadBuild() Build {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		info = nil
	}
	return buildFrom(info, releaseVersion)
}

// Version is hookcheck's version, as reports show it (ReadBuild().Version).
func Version() string { return ReadBuild().Version }

// buildFrom derives a Build from the build info (nil when unavailable)
// and the -X override; separate from ReadBuild so tests can feed it.
func buildFrom(info *debug.BuildInfo, override string) Build {
	b := Build{Version: develVersion, GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if info != nil {
		if v := info.Main.Version; v != "" {
			b.Version = v
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				b.Commit = s.Value
			case "vcs.modified":
				b.Modified = s.Value == "true"
			}
		}
	}
	if override != "" {
		b.Version = override
	}
	if len(b.Commit) > 7 {
		b.Commit = b.Commit[:7]
	}
	return b
}

// String is the one-line description `hookcheck version` prints, e.g.
// "hookcheck 0.2.0 (commit abc1234, go1.26.8 linux/amd64)".
func (b Build) String() string {
	detail := b.GoVersion + " " + b.Platform
	if b.Commit != "" {
		commit := b.Commit
		if b.Modified {
			commit += "-dirty"
		}
		detail = "commit " + commit + ", " + detail
	}
	return fmt.Sprintf("hookcheck %s (%s)", b.Version, detail)
}
