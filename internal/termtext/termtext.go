// Package termtext makes text from the network safe to print on a
// terminal: a transcript_id, a header or a server name carrying ESC[2J,
// an OSC-8 link or CR/LF can otherwise clear the screen, hide a link or
// forge a line.
package termtext

import (
	"unicode"
	"unicode/utf8"
)

// Printable returns s without anything a terminal would act on: C0 and C1
// control characters (ESC, CR, LF, tab, NUL...), DEL, Unicode format
// characters (bidirectional overrides) and bytes that are not UTF-8. What
// an escape sequence leaves (e.g. "[2J") stays as inert text. With n > 0
// the result is cut to at most n bytes, on a character boundary.
func Printable(s string, n int) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		keep := unicode.IsPrint(r) && (r != utf8.RuneError || size > 1)
		if keep && n > 0 && len(b)+size > n {
			break
		}
		if keep {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return string(b)
}
