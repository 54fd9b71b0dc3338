package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	hookcheckapi "github.com/hookcheck/hookcheck"
	"github.com/hookcheck/hookcheck/reports"
)

// rerunDefault is --rerun-failed's value without one: the results.json
// of the previous run in --out.
const rerunDefault = "<out>/results.json"

// maxRerunBytes bounds the results file --rerun-failed reads: it is
// input, and a run's file with every delivery stays far below this.
const maxRerunBytes = 512 << 20

// errNothingToRerun ends a --rerun-failed run whose earlier run failed
// nothing: there is nothing to run, which is no error (exit 0).
var errNothingToRerun = errors.New("nothing to rerun")

// applyRerun reads the earlier run's results named by --rerun-failed,
// fully, before this run writes over it in --out, and restricts t to the
// scenarios that failed there. It returns errNothingToRerun, after saying
// so, when none did.
func applyRerun(a *app, f *runFlags, t *hookcheckapi.Target) error {
	if f.rerunFailed == "" {
		return nil
	}
	path := f.rerunFailed
	if path == rerunDefault {
		path = filepath.Join(f.out, "results.json")
	}
	res, err := readResultsBounded(path)
	if err != nil {
		return usagef("--rerun-failed: %v", err)
	}
	refs := res.FailedScenarios()
	if len(refs) == 0 {
		fmt.Fprintf(a.out, "nothing failed in %s: nothing to rerun\n", path)
		return errNothingToRerun
	}
	t.Rerun, t.RerunOf = refs, path
	return nil
}

// readResultsBounded reads a results.json of at most maxRerunBytes.
func readResultsBounded(path string) (*reports.Result, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, maxRerunBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(data) > maxRerunBytes {
		return nil, fmt.Errorf("%s: larger than %d MiB: not a results.json", path, maxRerunBytes>>20)
	}
	res, err := reports.Read(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return res, nil
}
