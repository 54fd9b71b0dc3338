package packaging_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	line int
	cmd  string // upper case
	args string
}

// known are the Dockerfile instructions; anything else is a typo that
// docker build would reject.
var known = map[string]bool{
	"FROM": true, "RUN": true, "CMD": true, "LABEL": true, "EXPOSE": true, "ENV": true, "ADD": true,
	"COPY": true, "ENTRYPOINT": true, "VOLUME": true, "USER": true, "WORKDIR": true, "ARG": true,
	"ONBUILD": true, "STOPSIGNAL": true, "HEALTHCHECK": true, "SHELL": true,
}

// parseDockerfile splits a Dockerfile into instructions the way docker's
// parser does for these files: comments and blank lines dropped, lines
// ending in a backslash continued. hadolint is not packaged in Debian
// and no Dockerfile linter installs with go install, so this test is the
// check `make lint` defers to when hadolint is absent.
func parseDockerfile(t *testing.T, path string) []instruction {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var out []instruction
	var cur *instruction
	for i, raw := range strings.Split(string(data), "\n") {
		line := strings.TrimSpace(raw)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cont := strings.HasSuffix(line, "\\")
		line = strings.TrimSpace(strings.TrimSuffix(line, "\\"))
		if cur == nil {
			cmd, args, _ := strings.Cut(line, " ")
			require.True(t, known[strings.ToUpper(cmd)], "%s:%d: unknown instruction %q", path, i+1, cmd)
			cur = &instruction{line: i + 1, cmd: strings.ToUpper(cmd), args: strings.TrimSpace(args)}
		} else {
			cur.args += " " + line
		}
		if !cont {
			out = append(out, *cur)
			cur = nil
		}
	}
	require.Nil(t, cur, "%s ends in a continuation", path)
	return out
}

// stages returns each stage's instructions, by FROM.
func stages(ins []instruction) [][]instruction {
	var out [][]instruction
	for _, in := range ins {
		if in.cmd == "FROM" {
			out = append(out, nil)
		}
		if len(out) > 0 {
			out[len(out)-1] = append(out[len(out)-1], in)
		}
	}
	return out
}

func args(stage []instruction, cmd string) []string {
	var out []string
	for _, in := range stage {
		if in.cmd == cmd {
			out = append(out, in.args)
		}
	}
	return out
}

// checkFinalStage checks what both images promise: hookcheck as the exec
// form entrypoint, a numeric non-root user, /work as the directory
// reports go to, and the OCI labels.
func checkFinalStage(t *testing.T, final []instruction) {
	t.Helper()
	ep := args(final, "ENTRYPOINT")
	require.Len(t, ep, 1)
	var entry []string
	require.NoError(t, json.Unmarshal([]byte(ep[0]), &entry), "ENTRYPOINT in exec form, so signals reach hookcheck")
	assert.Equal(t, []string{"hookcheck"}, entry)
	assert.Equal(t, []string{"65532:65532"}, args(final, "USER"), "non-root, numeric so no passwd file is needed")
	assert.Equal(t, []string{"/work"}, args(final, "WORKDIR"))
	labels := strings.Join(args(final, "LABEL"), " ")
	for _, l := range []string{"title", "description", "source", "documentation", "version"} {
		assert.Contains(t, labels, "org.opencontainers.image."+l+"=")
	}
}

func TestDockerfileBuildsAStaticBinaryOnDistroless(t *testing.T) {
	st := stages(parseDockerfile(t, "../../Dockerfile"))
	require.Len(t, st, 2, "a build stage and a final stage")
	build := strings.Join(args(st[0], "RUN"), " ")
	for _, want := range []string{"CGO_ENABLED=0", "-trimpath", "-X github.com/hookcheck/hookcheck.releaseVersion=${VERSION}", "./cmd/hookcheck"} {
		assert.Contains(t, build, want)
	}
	assert.True(t, strings.HasSuffix(args(st[0], "FROM")[0], " AS build"))
	assert.Equal(t, []string{"gcr.io/distroless/static-debian12:nonroot"}, args(st[1], "FROM"), "CA certificates and nothing else")
	assert.Equal(t, []string{"--from=build /out/hookcheck /usr/local/bin/hookcheck"}, args(st[1], "COPY"))
	checkFinalStage(t, st[1])

	ignore, err := os.ReadFile("../../.dockerignore")
	require.NoError(t, err)
	for _, p := range []string{".git", "bin", "hookcheck-report"} {
		assert.Contains(t, strings.Fields(string(ignore)), p, ".dockerignore keeps %s out of the context", p)
	}
}

func TestReleaseDockerfileWrapsTheBuiltBinaryOnScratch(t *testing.T) {
	st := stages(parseDockerfile(t, "../../Dockerfile.release"))
	require.Len(t, st, 1)
	assert.Equal(t, []string{"scratch"}, args(st[0], "FROM"), "nothing to pull: buildah builds it offline")
	assert.Equal(t, []string{"ca-certificates.crt /etc/ssl/certs/ca-certificates.crt", "hookcheck /usr/local/bin/hookcheck"},
		args(st[0], "COPY"))
	checkFinalStage(t, st[0])
}
