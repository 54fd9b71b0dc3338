package hookcheck_test

import (
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/hookcheck/hookcheck"
)

func TestBuildFromBuildInfo(t *testing.T) {
	platform := runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH
	stamped := &debug.BuildInfo{
		Main: debug.Module{Path: "github.com/hookcheck/hookcheck", Version: "v0.3.1"},
		Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "abc1234def5678"},
			{Key: "vcs.modified", Value: "false"},
		},
	}
	dirty := &debug.BuildInfo{Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123456789abcdef"}, {Key: "vcs.modified", Value: "true"},
	}}
	cases := []struct {
		name     string
		info     *debug.BuildInfo
		override string
		want     string
	}{
		{"module version and commit", stamped, "", "hookcheck v0.3.1 (commit abc1234, " + platform + ")"},
		{"release override wins", stamped, "0.4.0", "hookcheck 0.4.0 (commit abc1234, " + platform + ")"},
		{"checkout with local changes", dirty, "", "hookcheck (devel) (commit 0123456-dirty, " + platform + ")"},
		{"no build info", nil, "", "hookcheck (devel) (" + platform + ")"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, hookcheck.BuildFrom(c.info, c.override).String())
		})
	}
}

func TestVersionIsTheBuildsVersion(t *testing.T) {
	assert.NotEmpty(t, hookcheck.Version())
	assert.Equal(t, hookcheck.ReadBuild().Version, hookcheck.Version())
}
