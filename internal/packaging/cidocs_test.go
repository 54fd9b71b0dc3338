package packaging_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// shBlock is a fenced ```sh block of docs/ci.md and the HTML comment
// line above it, which says whether and where a test runs it.
var shBlock = regexp.MustCompile("(?m)^(.*)\n```sh\n((?s:.*?))^```$")

// runnableBlocks returns docs/ci.md's ```sh blocks marked
// `<!-- runnable: PATH -->`, by PATH; every other ```sh block must say
// why no test runs it, or be the install block TestPlainShellInstallFromTheDocs runs.
func runnableBlocks(t *testing.T) map[string]string {
	t.Helper()
	data, err := os.ReadFile("../../docs/ci.md")
	require.NoError(t, err)
	blocks := map[string]string{}
	for _, m := range shBlock.FindAllStringSubmatch(string(data), -1) {
		marker, body := m[1], m[2]
		switch {
		case strings.HasPrefix(marker, "<!-- runnable: ") && strings.HasSuffix(marker, " -->"):
			blocks[strings.TrimSuffix(strings.TrimPrefix(marker, "<!-- runnable: "), " -->")] = body
		case marker == "<!-- install:begin -->", strings.HasPrefix(marker, "<!-- not run by a test: "):
		default:
			t.Errorf("docs/ci.md: a ```sh block without <!-- runnable: PATH --> or <!-- not run by a test: why -->, after %q", marker)
		}
	}
	return blocks
}

// helperAppEnv makes the test binary a stand-in for the user's app.
const helperAppEnv = "HOOKCHECK_TEST_HELPER_APP"

// TestHelperApp is not a test: run as APP_START by TestCIDocsScripts, it
// is the user's app. It records the AssemblyAI settings it was started
// with and its pid, and answers POST /webhooks/assemblyai with
// $APP_STATUS until it is stopped.
func TestHelperApp(t *testing.T) {
	if os.Getenv(helperAppEnv) != "1" {
		t.Skip("run by TestCIDocsScripts as the app")
	}
	log := os.Getenv("FAKE_LOG")
	settings := fmt.Sprintf("%s %s", os.Getenv("ASSEMBLYAI_BASE_URL"), os.Getenv("ASSEMBLYAI_API_KEY"))
	require.NoError(t, os.WriteFile(filepath.Join(log, "app-settings"), []byte(settings), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(log, "app-pid"), []byte(strconv.Itoa(os.Getpid())), 0o600))
	status, err := strconv.Atoi(os.Getenv("APP_STATUS"))
	require.NoError(t, err)
	l, err := net.Listen("tcp", "127.0.0.1:"+os.Getenv("APP_PORT"))
	require.NoError(t, err)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		code := http.StatusNotFound
		if r.Method == http.MethodPost && r.URL.Path == "/webhooks/assemblyai" {
			code = status
		}
		fmt.Printf("app: %s %s %d\n", r.Method, r.URL.Path, code)
		w.WriteHeader(code)
	})}
	go func() { _ = srv.Serve(l) }()
	<-stop
	require.NoError(t, os.WriteFile(filepath.Join(log, "app-stopped"), nil, 0o600))
	_ = srv.Close()
	os.Exit(0)
}

// fakeRunHookcheck stands in for `hookcheck run` in check-app.sh: it
// records its arguments and key, delivers one notification to --target
// and exits 0 when it got a 200, 1 otherwise.
const fakeRunHookcheck = `#!/bin/sh
printf '%s\n' "$@" > "$FAKE_LOG/hookcheck-args"
printf '%s' "$HOOKCHECK_API_KEY" > "$FAKE_LOG/hookcheck-key"
while [ $# -gt 0 ]; do case "$1" in --target) target="$2"; shift ;; esac; shift; done
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    -d '{"transcript_id":"t-1","status":"completed"}' "$target")
echo "hookcheck (fake): $target answered $code"
[ "$code" = 200 ]
`

// freePort returns a loopback port nothing listens on (for now).
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	_, port, err := net.SplitHostPort(l.Addr().String())
	require.NoError(t, err)
	require.NoError(t, l.Close())
	return port
}

// TestCIDocsScripts runs docs/ci.md's runnable shell blocks as a CI job
// would, with the test binary as the app and a fake hookcheck: the app is
// started with its SDK pointed at --api and the same key, waited for,
// checked and stopped, and the job's exit code is hookcheck's.
func TestCIDocsScripts(t *testing.T) {
	blocks := runnableBlocks(t)
	require.Contains(t, blocks, "ci/wait-for-port.sh")
	require.Contains(t, blocks, "ci/check-app.sh")
	if runtime.GOOS != "linux" && runtime.GOOS != "darwin" {
		t.Skip("the shell blocks are for Linux and macOS")
	}
	requireTools(t)
	self, err := os.Executable()
	require.NoError(t, err)

	job := func(t *testing.T, env ...string) (string, int, string) {
		t.Helper()
		dir := t.TempDir()
		log := filepath.Join(dir, "log")
		require.NoError(t, os.MkdirAll(filepath.Join(dir, "ci"), 0o755))
		require.NoError(t, os.MkdirAll(log, 0o755))
		for path, body := range blocks {
			require.NoError(t, os.WriteFile(filepath.Join(dir, path), []byte(body), 0o755))
		}
		require.NoError(t, os.WriteFile(filepath.Join(dir, "hookcheck"), []byte(fakeRunHookcheck), 0o755))
		cmd := exec.Command("sh", append([]string{"ci/check-app.sh"}, "--tags", "@must && ~@serial")...)
		cmd.Dir = dir
		cmd.Env = append([]string{"PATH=/usr/bin:/bin", "HOME=" + dir, "FAKE_LOG=" + log, helperAppEnv + "=1",
			"APP_START=" + self + " -test.run=^TestHelperApp$", "WAIT_SECONDS=5"}, env...)
		out, err := cmd.CombinedOutput()
		t.Cleanup(func() { // an app the script failed to stop dies with the test
			if pid, err := os.ReadFile(filepath.Join(log, "app-pid")); err == nil {
				if n, err := strconv.Atoi(string(pid)); err == nil {
					if p, err := os.FindProcess(n); err == nil {
						_ = p.Kill()
					}
				}
			}
		})
		code := 0
		if err != nil {
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit, "%s", out)
			code = exit.ExitCode()
		}
		return log, code, string(out)
	}
	stopped := func(t *testing.T, log string) {
		t.Helper()
		assert.FileExists(t, filepath.Join(log, "app-stopped"), "the app was stopped")
		pid, err := os.ReadFile(filepath.Join(log, "app-pid"))
		require.NoError(t, err)
		n, err := strconv.Atoi(string(pid))
		require.NoError(t, err)
		p, err := os.FindProcess(n)
		if err == nil {
			assert.Error(t, p.Signal(syscall.Signal(0)), "the app's process is gone")
		}
	}

	t.Run("a compliant app passes, pointed at --api with the same key", func(t *testing.T) {
		t.Parallel()
		app, api := freePort(t), freePort(t)
		log, code, out := job(t, "APP_PORT="+app, "API_PORT="+api, "APP_STATUS=200", "HOOKCHECK_API_KEY=k-1")
		require.Equal(t, 0, code, out)
		assert.Contains(t, out, "answered 200")
		assert.Equal(t, strings.Join([]string{"run", "--target", "http://127.0.0.1:" + app + "/webhooks/assemblyai",
			"--api", "127.0.0.1:" + api, "--fast", "--tags", "@must && ~@serial"}, "\n")+"\n", readFile(t, log, "hookcheck-args"))
		assert.Equal(t, "k-1", readFile(t, log, "hookcheck-key"))
		assert.Equal(t, "http://127.0.0.1:"+api+" k-1", readFile(t, log, "app-settings"), "the SDK's base URL is --api, its key hookcheck's")
		stopped(t, log)
	})
	t.Run("a failing app fails the job with hookcheck's code and its log", func(t *testing.T) {
		t.Parallel()
		log, code, out := job(t, "APP_PORT="+freePort(t), "API_PORT="+freePort(t), "APP_STATUS=500")
		assert.Equal(t, 1, code, out)
		assert.Contains(t, out, "app: POST /webhooks/assemblyai 500", "the app's log is printed")
		assert.Equal(t, "ci-throwaway-key", readFile(t, log, "hookcheck-key"), "a key by default")
		stopped(t, log)
	})
	t.Run("an app that never listens is a setup error", func(t *testing.T) {
		t.Parallel()
		log, code, out := job(t, "APP_PORT="+freePort(t), "API_PORT="+freePort(t), "APP_START=true", "WAIT_SECONDS=1")
		assert.Equal(t, 2, code, out)
		assert.Contains(t, out, "wait-for-port: nothing answers on 127.0.0.1:")
		assert.NoFileExists(t, filepath.Join(log, "hookcheck-args"), "hookcheck never ran")
	})
}

func readFile(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	require.NoError(t, err)
	return string(b)
}
