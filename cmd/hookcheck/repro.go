package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/hookcheck/hookcheck/reports"
)

// maxConsoleCommand keeps the progress readable: longer curl commands (a
// long session's body inline) are in results.json.
const maxConsoleCommand = 4 << 10

// printReproduction prints the commands that repeat a failed scenario's
// first request (issue 13), indented under its progress line.
func printReproduction(w io.Writer, s reports.Scenario) {
	rp, ok := s.FirstReproduction()
	if !ok {
		return
	}
	indent := func(c string) string { return "          " + strings.ReplaceAll(c, "\n", "\n          ") }
	if rp.Send != "" {
		fmt.Fprintf(w, "        reproduce with hookcheck:\n%s\n", indent(rp.Send))
	}
	if len(rp.Curl) <= maxConsoleCommand {
		fmt.Fprintf(w, "        reproduce with curl (auth value from $%s):\n%s\n", envAuthHeaderValue, indent(rp.Curl))
	} else {
		fmt.Fprintf(w, "        reproduce with curl: the command (%d bytes) is in results.json\n", len(rp.Curl))
	}
}
