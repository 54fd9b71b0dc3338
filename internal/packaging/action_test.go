package packaging_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// action is the part of action.yml a composite action's runner reads.
type action struct {
	Inputs map[string]struct {
		Default string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Description string `yaml:"description"`
		Value       string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string `yaml:"using"`
		Steps []struct {
			ID    string            `yaml:"id"`
			Shell string            `yaml:"shell"`
			Env   map[string]string `yaml:"env"`
			Run   string            `yaml:"run"`
		} `yaml:"steps"`
	} `yaml:"runs"`
}

func readAction(t *testing.T) action {
	t.Helper()
	data, err := os.ReadFile("../../action.yml")
	require.NoError(t, err)
	var a action
	require.NoError(t, yaml.Unmarshal(data, &a))
	require.Equal(t, "composite", a.Runs.Using)
	return a
}

// fakeHookcheck stands in for the release binary: it records its
// arguments and whether the secrets reached it through the environment,
// then writes a report as `hookcheck run` does (a copy of $FAKE_RESULTS,
// or one whose verdict is not_conformant) and exits 1.
const fakeHookcheck = `#!/bin/sh
if [ "$1" = version ]; then echo "hookcheck 0.2.0 (fake)"; exit 0; fi
printf '%s\n' "$@" > "$FAKE_LOG/args"
printf '%s' "$HOOKCHECK_AUTH_HEADER_VALUE" > "$FAKE_LOG/secret"
printf '%s' "$HOOKCHECK_API_KEY" > "$FAKE_LOG/api-key"
shift
while [ $# -gt 0 ]; do case "$1" in --out) out="$2"; shift ;; esac; shift; done
mkdir -p "$out"
if [ -n "${FAKE_RESULTS:-}" ]; then cp "$FAKE_RESULTS" "$out/results.json"; else
printf '{\n  "schema": "https://hookcheck.dev/schemas/results/v2",\n  "verdict": "not_conformant",\n  "counts": {}\n}\n' > "$out/results.json"; fi
printf '## hookcheck: NOT CONFORMANT\n' > "$out/summary.md"
exit 1
`

// release is a fake GitHub release download server on loopback.
type release struct {
	*httptest.Server
	mu       sync.Mutex
	requests []string
}

// paths returns the paths requested so far, in order.
func (r *release) paths() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.requests)
}

// newRelease serves hookcheck_<os>_<arch>.tar.gz holding fakeHookcheck
// and checksums.txt under latest/download/ and download/v<version>/.
// tamper makes the checksum wrong.
func newRelease(t *testing.T, version, archive string, tamper bool) *release {
	t.Helper()
	var tgz bytes.Buffer
	gz := gzip.NewWriter(&tgz)
	tw := tar.NewWriter(gz)
	require.NoError(t, tw.WriteHeader(&tar.Header{Name: "hookcheck", Mode: 0o755, Size: int64(len(fakeHookcheck))}))
	_, err := tw.Write([]byte(fakeHookcheck))
	require.NoError(t, err)
	require.NoError(t, tw.Close())
	require.NoError(t, gz.Close())
	sum := sha256.Sum256(tgz.Bytes())
	if tamper {
		sum[0] ^= 0xff
	}
	checksums := fmt.Sprintf("%s  %s\n%s  hookcheck_other.tar.gz\n", hex.EncodeToString(sum[:]), archive, strings.Repeat("0", 64))
	r := &release{}
	mux := http.NewServeMux()
	for _, dir := range []string{"/latest/download/", "/download/v" + version + "/"} {
		mux.HandleFunc("GET "+dir+archive, func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(tgz.Bytes()) })
		mux.HandleFunc("GET "+dir+"checksums.txt", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(checksums)) })
	}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.requests = append(r.requests, req.URL.Path)
		r.mu.Unlock()
		mux.ServeHTTP(w, req)
	}))
	t.Cleanup(r.Close)
	return r
}

// runner is a fake GitHub Actions runner for a composite action: the
// files and variables the runner provides, and each step's outputs.
type runner struct {
	t       *testing.T
	dir     string
	env     map[string]string // the job's environment (env.X)
	inputs  map[string]string
	outputs map[string]map[string]string // step id → outputs
	path    []string                     // GITHUB_PATH additions
	log     string                       // FAKE_LOG
}

func newRunner(t *testing.T, osName, arch string, inputs map[string]string) *runner {
	t.Helper()
	requireTools(t)
	dir := t.TempDir()
	r := &runner{t: t, dir: dir, inputs: inputs, outputs: map[string]map[string]string{}, log: filepath.Join(dir, "log")}
	require.NoError(t, os.MkdirAll(r.log, 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "temp"), 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "work"), 0o755))
	r.env = map[string]string{
		"RUNNER_OS": osName, "RUNNER_ARCH": arch, "RUNNER_TEMP": filepath.Join(dir, "temp"),
		"GITHUB_STEP_SUMMARY": filepath.Join(dir, "summary"), "HOME": dir, "FAKE_LOG": r.log,
		// Only the system's tools: no Go toolchain unless a test adds one.
		"PATH": "/usr/bin:/bin",
	}
	require.NoError(t, os.WriteFile(r.env["GITHUB_STEP_SUMMARY"], []byte("# earlier step\n"), 0o644))
	return r
}

var expr = regexp.MustCompile(`\$\{\{\s*([^}]*?)\s*\}\}`)

// eval resolves the expressions action.yml may use in a step's env; any
// other expression fails the test, so the fake runner cannot silently
// differ from the real one.
func (r *runner) eval(a action, s string) string {
	return expr.ReplaceAllStringFunc(s, func(m string) string {
		e := expr.FindStringSubmatch(m)[1]
		switch parts := strings.Split(e, "."); {
		case len(parts) == 2 && parts[0] == "inputs":
			in, ok := a.Inputs[parts[1]]
			require.True(r.t, ok, "action.yml uses undeclared input %q", parts[1])
			if v, ok := r.inputs[parts[1]]; ok {
				return v
			}
			return in.Default
		case len(parts) == 4 && parts[0] == "steps" && parts[2] == "outputs":
			return r.outputs[parts[1]][parts[3]]
		case len(parts) == 2 && parts[0] == "env":
			return r.env[parts[1]]
		}
		r.t.Fatalf("fake runner cannot evaluate ${{ %s }}", e)
		return ""
	})
}

// run runs the action's steps in order as the runner does, stopping at
// the first that fails; it returns that step's id ("" when all passed) and
// the combined output.
func (r *runner) run(a action) (failed, output string) {
	r.t.Helper()
	var out strings.Builder
	for i, st := range a.Runs.Steps {
		require.Equal(r.t, "bash", st.Shell)
		script := filepath.Join(r.dir, fmt.Sprintf("step%d.sh", i))
		require.NoError(r.t, os.WriteFile(script, []byte(st.Run), 0o644))
		outFile := filepath.Join(r.dir, fmt.Sprintf("output%d", i))
		pathFile := filepath.Join(r.dir, fmt.Sprintf("path%d", i))
		env := []string{"GITHUB_OUTPUT=" + outFile, "GITHUB_PATH=" + pathFile}
		for k, v := range r.env {
			if k == "PATH" && len(r.path) > 0 {
				v = strings.Join(r.path, ":") + ":" + v
			}
			env = append(env, k+"="+v)
		}
		for k, v := range st.Env {
			env = append(env, k+"="+r.eval(a, v))
		}
		// What the runner runs for `shell: bash`.
		cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", script)
		cmd.Dir, cmd.Env = filepath.Join(r.dir, "work"), env
		b, err := cmd.CombinedOutput()
		out.Write(b)
		r.outputs[st.ID] = readKV(r.t, outFile)
		if p, err := os.ReadFile(pathFile); err == nil {
			r.path = append(strings.Fields(string(p)), r.path...)
		}
		if err != nil {
			return st.ID, out.String()
		}
	}
	return "", out.String()
}

func readKV(t *testing.T, path string) map[string]string {
	t.Helper()
	kv := map[string]string{}
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return kv
	}
	require.NoError(t, err)
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			kv[k] = v
		}
	}
	return kv
}

func (r *runner) read(name string) string {
	b, err := os.ReadFile(filepath.Join(r.log, name))
	require.NoError(r.t, err)
	return string(b)
}

func TestActionInstallsTheReleaseAndRunsHookcheck(t *testing.T) {
	a := readAction(t)
	rel := newRelease(t, "0.2.0", "hookcheck_linux_amd64.tar.gz", false)
	r := newRunner(t, "Linux", "X64", map[string]string{
		"target": "https://staging.example.com/hook?x=1", "auth-header-name": "X-Webhook-Secret",
		"auth-header-value": "s3cret value", "allowlist": "header", "region": "both", "tags": "@must",
		"strict": "true", "out": "reports/hc",
	})
	r.env["HOOKCHECK_RELEASES"] = rel.URL

	failed, out := r.run(a)
	assert.Equal(t, "run", failed, "a not-conformant run fails the step:\n%s", out)
	assert.Equal(t, []string{"/latest/download/hookcheck_linux_amd64.tar.gz", "/latest/download/checksums.txt"}, rel.paths())
	assert.Contains(t, out, "hookcheck installed from release hookcheck_linux_amd64.tar.gz: hookcheck 0.2.0 (fake)")
	assert.Equal(t, strings.Join([]string{"run", "--out", "reports/hc", "--target", "https://staging.example.com/hook?x=1",
		"--auth-header-name", "X-Webhook-Secret", "--allowlist", "header", "--region", "both", "--tags", "@must",
		"--fast", "--strict"}, "\n")+"\n", r.read("args"))
	assert.NotContains(t, r.read("args"), "s3cret", "the secret is never an argument")
	assert.Equal(t, "s3cret value", r.read("secret"), "the secret reaches hookcheck through the environment")
	assert.Equal(t, map[string]string{"verdict": "not_conformant", "report": "reports/hc", "exit-code": "1"}, r.outputs["run"])
	summary, err := os.ReadFile(r.env["GITHUB_STEP_SUMMARY"])
	require.NoError(t, err)
	assert.Equal(t, "# earlier step\n## hookcheck: NOT CONFORMANT\n", string(summary), "summary.md is appended")
	assert.Equal(t, []string{filepath.Join(r.env["RUNNER_TEMP"], "hookcheck-bin")}, r.path, "hookcheck is on PATH for later steps")
	for name, o := range a.Outputs {
		assert.Regexp(t, `^\$\{\{ steps\.run\.outputs\.`+regexp.QuoteMeta(name)+` \}\}$`, o.Value)
	}
}

func TestActionInstallsAPinnedVersionWithOnlyDefaults(t *testing.T) {
	a := readAction(t)
	rel := newRelease(t, "0.2.0", "hookcheck_linux_arm64.tar.gz", false)
	r := newRunner(t, "Linux", "ARM64", map[string]string{"version": "v0.2.0"})
	r.env["HOOKCHECK_RELEASES"] = rel.URL
	_, out := r.run(a)
	assert.Equal(t, "/download/v0.2.0/hookcheck_linux_arm64.tar.gz", rel.paths()[0], out)
	assert.Equal(t, "run\n--out\nhookcheck-report\n--fast\n", r.read("args"), "an empty input adds no flag")
	assert.Empty(t, r.read("secret"))
}

func TestActionRefusesABinaryWhoseChecksumDiffers(t *testing.T) {
	a := readAction(t)
	rel := newRelease(t, "0.2.0", "hookcheck_linux_amd64.tar.gz", true)
	r := newRunner(t, "Linux", "X64", nil)
	r.env["HOOKCHECK_RELEASES"] = rel.URL
	addFakeGo(t, r)
	failed, out := r.run(a)
	assert.Equal(t, "install", failed)
	assert.Contains(t, out, "::error::hookcheck: checksum of hookcheck_linux_amd64.tar.gz does not match checksums.txt")
	assert.NoFileExists(t, filepath.Join(r.log, "go-args"), "a bad checksum is never papered over with go install")
}

func TestActionFallsBackToGoInstall(t *testing.T) {
	a := readAction(t)
	rel := newRelease(t, "0.2.0", "hookcheck_linux_amd64.tar.gz", false)
	for _, tc := range []struct{ name, os, arch, version, want string }{
		{"no release for the version", "Linux", "X64", "0.3.0", "install github.com/hookcheck/hookcheck/cmd/hookcheck@v0.3.0\n"},
		{"no binary for the architecture", "Linux", "ARM", "latest", "install github.com/hookcheck/hookcheck/cmd/hookcheck@latest\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRunner(t, tc.os, tc.arch, map[string]string{"version": tc.version})
			r.env["HOOKCHECK_RELEASES"] = rel.URL
			addFakeGo(t, r)
			failed, out := r.run(a)
			assert.Equal(t, "run", failed, out)
			assert.Equal(t, tc.want, r.read("go-args"))
			assert.Contains(t, out, "hookcheck installed from go install")
			assert.Equal(t, "not_conformant", r.outputs["run"]["verdict"])
		})
	}
	t.Run("and says so without Go", func(t *testing.T) {
		r := newRunner(t, "Linux", "X64", map[string]string{"version": "0.3.0"})
		r.env["HOOKCHECK_RELEASES"] = rel.URL
		failed, out := r.run(a)
		assert.Equal(t, "install", failed)
		assert.Contains(t, out, "::error::hookcheck: no release binary for Linux/X64 (version 0.3.0) and no Go toolchain")
	})
}

// addFakeGo puts a `go` on the runner's PATH whose `install` records its
// arguments and drops fakeHookcheck into GOBIN.
func addFakeGo(t *testing.T, r *runner) {
	t.Helper()
	bin := filepath.Join(r.dir, "gobin")
	require.NoError(t, os.MkdirAll(bin, 0o755))
	hc := filepath.Join(r.dir, "fake-hookcheck")
	require.NoError(t, os.WriteFile(hc, []byte(fakeHookcheck), 0o755))
	goScript := fmt.Sprintf("#!/bin/sh\nprintf '%%s\\n' \"$*\" > \"$FAKE_LOG/go-args\"\ncp %q \"$GOBIN/hookcheck\"\n", hc)
	require.NoError(t, os.WriteFile(filepath.Join(bin, "go"), []byte(goScript), 0o755))
	r.env["PATH"] = bin + ":" + r.env["PATH"]
}

// TestPlainShellInstallFromTheDocs runs docs/ci.md's install steps, as a
// plain CI step would, against a fake release on loopback: the binary is
// downloaded, its checksum verified, and it runs.
func TestPlainShellInstallFromTheDocs(t *testing.T) {
	if runtime.GOOS != "linux" && runtime.GOOS != "darwin" {
		t.Skip("the plain shell steps are for Linux and macOS")
	}
	data, err := os.ReadFile("../../docs/ci.md")
	require.NoError(t, err)
	_, block, ok := strings.Cut(string(data), "<!-- install:begin -->\n```sh\n")
	require.True(t, ok, "docs/ci.md has the install block")
	script, _, ok := strings.Cut(block, "```\n<!-- install:end -->")
	require.True(t, ok)
	requireTools(t)
	archive := "hookcheck_" + runtime.GOOS + "_" + runtime.GOARCH + ".tar.gz"

	for _, tamper := range []bool{false, true} {
		rel := newRelease(t, "0.2.0", archive, tamper)
		dir := t.TempDir()
		cmd := exec.Command("sh", "-c", script)
		cmd.Dir = dir
		cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + dir, "HOOKCHECK_RELEASES=" + rel.URL, "HOOKCHECK_VERSION=v0.2.0"}
		out, err := cmd.CombinedOutput()
		if tamper {
			require.Error(t, err, "a wrong checksum stops the install:\n%s", out)
			assert.NoFileExists(t, filepath.Join(dir, "hookcheck"))
			continue
		}
		require.NoError(t, err, "%s", out)
		assert.Contains(t, string(out), "hookcheck 0.2.0 (fake)")
		assert.Equal(t, []string{"/download/v0.2.0/" + archive, "/download/v0.2.0/checksums.txt"}, rel.paths())
	}
}

// requireTools skips when the system lacks what a runner (and the docs'
// shell step) has: these tests run the real scripts with PATH=/usr/bin:/bin.
func requireTools(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"bash", "curl", "tar", "sha256sum", "awk", "sed", "mktemp"} {
		if _, err := os.Stat("/usr/bin/" + tool); err != nil {
			if _, err := os.Stat("/bin/" + tool); err != nil {
				t.Skipf("%s not in /usr/bin or /bin: the action's shell cannot run here", tool)
			}
		}
	}
}
