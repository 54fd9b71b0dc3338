package main

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/spf13/cobra"

	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/reports/cucumber"
	"github.com/hookcheck/hookcheck/reports/junit"
	"github.com/hookcheck/hookcheck/reports/render"
)

type reportFlags struct {
	in, html, summary, junit, cucumber string
}

func newReportCmd(a *app) *cobra.Command {
	var f reportFlags
	cmd := &cobra.Command{
		Use:   "report --in results.json --html FILE --summary FILE",
		Short: "Re-render the HTML report and CI outputs from a results.json",
		Long: `report reads the results.json that 'hookcheck run' wrote and renders it again:
the self-contained HTML report (--html), the Markdown summary for
$GITHUB_STEP_SUMMARY or a PR comment (--summary), JUnit XML (--junit) and
Cucumber JSON (--cucumber). Nothing is re-run; secret header values stay masked.

Exit code: 0 written, 1 a file could not be written, 2 usage error or bad input.`,
		Example: `  hookcheck report --in hookcheck-report/results.json --html report.html --summary summary.md
  hookcheck report --in results.json --summary "$GITHUB_STEP_SUMMARY" --junit junit.xml`,
		Args: cobra.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error { return runReport(a, &f) },
	}
	fs := cmd.Flags()
	fs.StringVar(&f.in, "in", "", "results.json to render (required)")
	fs.StringVar(&f.html, "html", "", "write the HTML report to FILE")
	fs.StringVar(&f.summary, "summary", "", "write the Markdown summary to FILE")
	fs.StringVar(&f.junit, "junit", "", "write JUnit XML to FILE")
	fs.StringVar(&f.cucumber, "cucumber", "", "write Cucumber JSON to FILE")
	return cmd
}

func runReport(a *app, f *reportFlags) error {
	if f.in == "" {
		return usagef("--in is required")
	}
	if f.html == "" && f.summary == "" && f.junit == "" && f.cucumber == "" {
		return usagef("nothing to write: give --html, --summary, --junit or --cucumber")
	}
	res, err := reports.ReadFile(f.in)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return usagef("--in: %v", err)
		}
		return usageError{fmt.Errorf("--in: %w", err)}
	}
	if err := render.Render(res, f.html, f.summary); err != nil {
		return err
	}
	masked := res.Masked()
	if f.junit != "" {
		if err := render.WriteFile(f.junit, masked, junit.Write); err != nil {
			return err
		}
	}
	if f.cucumber != "" {
		if err := render.WriteFile(f.cucumber, masked, cucumber.Write); err != nil {
			return err
		}
	}
	for _, p := range []string{f.html, f.summary, f.junit, f.cucumber} {
		if p != "" {
			fmt.Fprintf(a.out, "wrote %s\n", p)
		}
	}
	fmt.Fprintf(a.out, "%s: %s\n", res.Verdict.Title(), res.Advice())
	return nil
}
