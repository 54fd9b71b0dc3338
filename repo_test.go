package hookcheck_test

import (
	"bufio"
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// outsidePaths are the ways a file can name a path that is not in this
// repository: the project's planning folders beside the checkout. They are
// built from pieces so that this file does not match itself.
var outsidePaths = []string{"shar" + "ed/", "../" + "seeds"}

// TestNoPathOutsideRepository keeps the repository standing alone: code,
// features and docs cite docs/spec.md and its rule ids, never a file
// that a clone of this repository does not have.
func TestNoPathOutsideRepository(t *testing.T) {
	files := trackedFiles(t)
	if len(files) < 10 {
		t.Fatalf("found only %d files to read; is the test run from the module root?", len(files))
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			continue // deleted in the work tree but still tracked
		}
		if bytes.IndexByte(b, 0) >= 0 {
			continue // binary
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
		for line := 1; sc.Scan(); line++ {
			for _, p := range outsidePaths {
				if strings.Contains(sc.Text(), p) {
					t.Errorf("%s:%d names %q, a path outside the repository; cite docs/spec.md instead", name, line, p)
				}
			}
		}
	}
}

func TestOutsidePathsAreFound(t *testing.T) {
	// The check above must be able to fail: each pattern matches a line
	// written the way the old citations were.
	for _, line := range []string{
		"// rules of " + "shar" + "ed/spec/assemblyai-webhooks.md",
		"source: `" + "../" + "seeds/webhooks.txt`",
	} {
		found := false
		for _, p := range outsidePaths {
			found = found || strings.Contains(line, p)
		}
		if !found {
			t.Errorf("no pattern matches %q", line)
		}
	}
}

// trackedFiles lists the files under version control, or, where git is
// not at hand (a source archive), every file below the module root but
// build output and reports.
func trackedFiles(t *testing.T) []string {
	t.Helper()
	if out, err := exec.Command("git", "ls-files", "-z").Output(); err == nil && len(out) > 0 {
		return strings.Split(strings.TrimRight(string(out), "\x00"), "\x00")
	}
	var files []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "bin", "hookcheck-report", "dist":
				return filepath.SkipDir
			}
			return nil
		}
		files = append(files, path)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}
