package packaging_test

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/reports"
)

// runAction runs action.yml on a fake Linux runner with inputs and the
// fake release, and returns the failed step and the output.
func runAction(t *testing.T, inputs, env map[string]string) (*runner, string, string) {
	t.Helper()
	a := readAction(t)
	rel := newRelease(t, "0.2.0", "hookcheck_linux_amd64.tar.gz", false)
	r := newRunner(t, "Linux", "X64", inputs)
	r.env["HOOKCHECK_RELEASES"] = rel.URL
	for k, v := range env {
		r.env[k] = v
	}
	failed, out := r.run(a)
	return r, failed, out
}

func TestActionPassesTheAPIKeyThroughTheEnvironment(t *testing.T) {
	r, failed, out := runAction(t, map[string]string{"target": "http://127.0.0.1:3000/hook", "api": "127.0.0.1:8090", "api-key": "k3y with space"}, nil)
	assert.Equal(t, "run", failed, out)
	assert.Equal(t, "run\n--out\nhookcheck-report\n--target\nhttp://127.0.0.1:3000/hook\n--api\n127.0.0.1:8090\n--fast\n", r.read("args"))
	assert.NotContains(t, r.read("args"), "k3y", "the API key is never an argument")
	assert.Equal(t, "k3y with space", r.read("api-key"), "the API key reaches hookcheck as HOOKCHECK_API_KEY")

	r, _, out = runAction(t, nil, nil)
	assert.Empty(t, r.read("api-key"), "no api-key input, no key: %s", out)

	r, _, out = runAction(t, map[string]string{"api": "127.0.0.1:8090"}, map[string]string{"HOOKCHECK_API_KEY": "from-the-job"})
	assert.Equal(t, "from-the-job", r.read("api-key"), "an empty input keeps the job's HOOKCHECK_API_KEY: %s", out)
}

func TestActionArgs(t *testing.T) {
	const head = "run\n--out\nhookcheck-report\n--fast\n"
	for _, tc := range []struct{ name, args, want string }{
		{"one per line, spaces kept", "--tags\n@must && ~@serial\n--full-schedules\n", "--tags\n@must && ~@serial\n--full-schedules\n"},
		{"one per line, quotes taken as written", "--header\nX-Note: \"it's\"\n", "--header\nX-Note: \"it's\"\n"},
		{"one per line, blanks, CRLF and indentation dropped", "\r\n  --tags  \r\n\t@must && ~@serial\r\n\n", "--tags\n@must && ~@serial\n"},
		{"one line, split on whitespace as before", "--full-schedules  --max-duration 5m", "--full-schedules\n--max-duration\n5m\n"},
		{"one line, double quotes keep a word", `--tags "@must && ~@serial" --full-schedules`, "--tags\n@must && ~@serial\n--full-schedules\n"},
		{"one line, single quotes keep a word", `--tags '@must && not @slow'`, "--tags\n@must && not @slow\n"},
		{"one line, nothing expanded", `--out-note '$HOME' $(id) *`, "--out-note\n$HOME\n$(id)\n*\n"},
		{"one line, an empty quoted word kept", `--note "" --x`, "--note\n\n--x\n"},
		{"blank", "  \t ", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, failed, out := runAction(t, map[string]string{"args": tc.args}, nil)
			assert.Equal(t, "run", failed, out)
			assert.Equal(t, head+tc.want, r.read("args"))
		})
	}
	t.Run("one line, an unmatched quote fails before hookcheck runs", func(t *testing.T) {
		r, failed, out := runAction(t, map[string]string{"args": `--tags "@must && ~@serial`}, nil)
		assert.Equal(t, "run", failed)
		assert.Contains(t, out, "::error::hookcheck: cannot split the args input")
		assert.NoFileExists(t, r.log+"/args", "hookcheck never ran")
		assert.Equal(t, map[string]string{}, r.outputs["run"])
	})
}

// verdicts reads the reports.Verdict constants from reports/result.go, so
// a verdict added there must be documented in action.yml and docs/ci.md.
func verdicts(t *testing.T) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "../../reports/result.go", nil, 0)
	require.NoError(t, err)
	var vs []string
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vspec, ok := s.(*ast.ValueSpec)
			if id, isIdent := vspec.Type.(*ast.Ident); !ok || !isIdent || id.Name != "Verdict" {
				continue
			}
			for _, v := range vspec.Values {
				lit, ok := v.(*ast.BasicLit)
				require.True(t, ok)
				s, err := strconv.Unquote(lit.Value)
				require.NoError(t, err)
				vs = append(vs, s)
			}
		}
	}
	require.Len(t, vs, 4, "reports.Verdict constants")
	return vs
}

func TestActionVerdictOutputCoversEveryVerdict(t *testing.T) {
	a := readAction(t)
	docs, err := os.ReadFile("../../docs/ci.md")
	require.NoError(t, err)
	for _, v := range verdicts(t) {
		t.Run(v, func(t *testing.T) {
			assert.Contains(t, a.Outputs["verdict"].Description, v, "action.yml documents the verdict")
			assert.True(t, strings.Contains(string(docs), "`"+v+"`"), "docs/ci.md documents the verdict `%s`", v)
			// results.json as hookcheck writes it, with this verdict.
			results := filepath.Join(t.TempDir(), "results.json")
			var buf bytes.Buffer
			require.NoError(t, (&reports.Result{Verdict: reports.Verdict(v)}).Write(&buf))
			require.NoError(t, os.WriteFile(results, buf.Bytes(), 0o600))
			r, failed, out := runAction(t, nil, map[string]string{"FAKE_RESULTS": results})
			assert.Equal(t, "run", failed, out)
			assert.Equal(t, v, r.outputs["run"]["verdict"])
		})
	}
}
