package markdown

import (
	"bufio"
	"fmt"
	"strings"

	"github.com/hookcheck/hookcheck/reports"
)

// maxCommandBytes keeps a summary readable: a longer curl command (a long
// streaming session's body inline) stays in results.json.
const maxCommandBytes = 8 << 10

// writeReproductions gives each failed scenario the commands that repeat
// its first request (issue 13), folded so the summary stays short.
func writeReproductions(b *bufio.Writer, r *reports.Result) {
	var items []string
	for _, s := range r.Scenarios {
		rp, ok := s.FirstReproduction()
		if !ok {
			continue
		}
		var sb strings.Builder
		fmt.Fprintf(&sb, "**%s** (%s)\n\n", escape(s.Name), escape(strings.Join(s.Requirements, ", ")))
		if rp.API != "" {
			fmt.Fprintf(&sb, "First recreate AssemblyAI's API fault and point the receiver at it:\n\n%s\n", fence(rp.API))
		}
		if rp.Send != "" {
			fmt.Fprintf(&sb, "%s\n", fence(rp.Send))
		} else {
			fmt.Fprintf(&sb, "No `hookcheck send` command: %s.\n\n", escape(rp.SendNote))
		}
		if len(rp.Curl) <= maxCommandBytes {
			if rp.BodyFile != "" {
				fmt.Fprintf(&sb, "The body (%d bytes, SHA-256 `%s`) is in `%s`: run curl in this report's directory.\n\n",
					rp.BodyBytes, rp.BodySHA256, rp.BodyFile)
			}
			fmt.Fprintf(&sb, "%s\n", fence(rp.Curl))
		} else {
			fmt.Fprintf(&sb, "The curl command (%d bytes) is in `results.json`.\n\n", len(rp.Curl))
		}
		items = append(items, sb.String())
	}
	if len(items) == 0 {
		return
	}
	fmt.Fprintf(b, "<details><summary>Reproduce each failure (%d): the exact request, auth value from $HOOKCHECK_AUTH_HEADER_VALUE</summary>\n\n%s</details>\n\n",
		len(items), strings.Join(items, ""))
}

// fence renders s as a shell code block that s cannot close.
func fence(s string) string {
	f := "```"
	for strings.Contains(s, f) {
		f += "`"
	}
	return f + "sh\n" + s + "\n" + f + "\n"
}
