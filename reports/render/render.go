// Package render writes every output of a hookcheck run from its result
// model: results.json, junit.xml, cucumber.json, report.html and
// summary.md. Each file is written to a temporary file in the same
// directory and renamed into place, so a reader never sees half a report.
package render

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/reports/cucumber"
	"github.com/hookcheck/hookcheck/reports/htmlreport"
	"github.com/hookcheck/hookcheck/reports/junit"
	"github.com/hookcheck/hookcheck/reports/markdown"
)

// The file names WriteAll uses.
const (
	ResultsFile  = "results.json"
	junitFile    = "junit.xml"
	cucumberFile = "cucumber.json"
	htmlFile     = "report.html"
	summaryFile  = "summary.md"
)

// Writer renders a result to w; every renderer package's Write is one.
type Writer func(w io.Writer, r *reports.Result) error

// outputs maps each file WriteAll writes to its renderer, in order.
func outputs() []output {
	return []output{
		{ResultsFile, func(w io.Writer, r *reports.Result) error { return r.Write(w) }},
		{junitFile, junit.Write},
		{cucumberFile, cucumber.Write},
		{htmlFile, htmlreport.Write},
		{summaryFile, markdown.Write},
	}
}

// output is one file of a report directory.
type output struct {
	Name  string
	Write Writer
}

// WriteAll writes every output of r into dir, creating dir if needed, and
// returns the paths written. Secret header values are masked in all of
// them, results.json included (see reports.Result.Masked).
func WriteAll(dir string, r *reports.Result) (paths []string, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create report directory: %w", err)
	}
	r = r.Masked()
	for _, o := range outputs() {
		p := filepath.Join(dir, o.Name)
		if err := WriteFile(p, r, o.Write); err != nil {
			return paths, err
		}
		paths = append(paths, p)
	}
	return paths, nil
}

// Render re-renders the HTML report and the Markdown summary of a result
// read back from results.json; an empty path is skipped.
func Render(in *reports.Result, htmlPath, summaryPath string) error {
	if in == nil {
		return errors.New("render: no result")
	}
	in = in.Masked()
	if htmlPath != "" {
		if err := WriteFile(htmlPath, in, htmlreport.Write); err != nil {
			return err
		}
	}
	if summaryPath != "" {
		if err := WriteFile(summaryPath, in, markdown.Write); err != nil {
			return err
		}
	}
	return nil
}

// WriteFile renders r with write into path: into a temporary file in the
// same directory first, renamed over path once complete.
func WriteFile(path string, r *reports.Result, write Writer) (err error) {
	dir, name := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+name+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(f.Name()) // best effort: the write already failed
		}
	}()
	// A renderer that panics on an input nobody foresaw must not leave a
	// temporary file behind: its panic becomes this file's error.
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("write %s: the renderer failed: %v", path, p)
		}
	}()
	if err := write(f, r); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Chmod(0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
