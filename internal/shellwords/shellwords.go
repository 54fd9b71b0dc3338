// Package shellwords splits a shell command line into its words the way
// sh does for the commands hookcheck writes (reports/repro): single
// quotes, double quotes with $VAR expanded, backslash escapes and
// line continuations. Tests use it to run a reproduction's command
// without a shell.
package shellwords

import (
	"fmt"
	"strings"
)

// Split returns the words of command. Inside double quotes, expand maps
// the text (e.g. os.ExpandEnv); nil leaves it as it is. An unterminated
// quote is an error.
func Split(command string, expand func(string) string) ([]string, error) {
	if expand == nil {
		expand = func(s string) string { return s }
	}
	var words []string
	var cur strings.Builder
	in := false
	for i := 0; i < len(command); i++ {
		c := command[i]
		switch {
		case c == '\\' && i+1 < len(command) && command[i+1] == '\n':
			i++
		case c == ' ' || c == '\n' || c == '\t':
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		case c == '\'' || c == '"':
			end := strings.IndexByte(command[i+1:], c)
			if end < 0 {
				return nil, fmt.Errorf("unterminated %c quote in %q", c, command)
			}
			text := command[i+1 : i+1+end]
			if c == '"' {
				text = expand(text)
			}
			cur.WriteString(text)
			i += end + 1
			in = true
		case c == '\\' && i+1 < len(command):
			i++
			cur.WriteByte(command[i])
			in = true
		default:
			cur.WriteByte(c)
			in = true
		}
	}
	if in {
		words = append(words, cur.String())
	}
	return words, nil
}
