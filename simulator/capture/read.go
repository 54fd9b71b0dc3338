package capture

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// DefaultMaxLineBytes is the longest capture line read: a record whose
// body is DefaultMaxBodyBytes of non-UTF-8 bytes (base64, 4/3) with its
// headers fits.
const DefaultMaxLineBytes = 8 << 20

// ReadOptions says how a capture file is read.
type ReadOptions struct {
	// MaxLineBytes is the longest line read; a longer one is skipped with
	// a warning, never held whole. Zero means DefaultMaxLineBytes.
	MaxLineBytes int
	// IncludeIncomplete keeps the records whose body was cut short
	// (Record.Incomplete); by default they are skipped with a warning.
	IncludeIncomplete bool
	// Warn receives each line skipped and why; nil to ignore them.
	Warn func(line int, why string)
}

// Scan reads a capture file record by record, calling fn with each and
// its line number; memory is one line whatever the file's size. A torn
// line (a record cut short, e.g. by a full disk), a line over
// MaxLineBytes and, unless asked, an incomplete record are skipped with a
// warning; any other bad line is an error naming its line number.
func Scan(r io.Reader, o ReadOptions, fn func(line int, rec Record) error) error {
	if o.MaxLineBytes <= 0 {
		o.MaxLineBytes = DefaultMaxLineBytes
	}
	warn := o.Warn
	if warn == nil {
		warn = func(int, string) {}
	}
	br := bufio.NewReaderSize(r, 64<<10)
	var buf []byte
	for line := 1; ; line++ {
		b, long, err := readLine(br, buf[:0], o.MaxLineBytes)
		buf = b
		last := errors.Is(err, io.EOF)
		if err != nil && !last {
			return fmt.Errorf("line %d: %w", line, err)
		}
		switch {
		case long:
			warn(line, fmt.Sprintf("longer than %d bytes: skipped", o.MaxLineBytes))
		case len(bytes.TrimSpace(b)) == 0:
		default:
			var rec Record
			if uerr := json.Unmarshal(bytes.TrimRight(b, "\r\n"), &rec); uerr != nil {
				if !torn(uerr, last) {
					return fmt.Errorf("line %d: %w", line, uerr)
				}
				warn(line, "a torn record (cut short while written, e.g. by a full disk): skipped")
				break
			}
			if rec.Incomplete && !o.IncludeIncomplete {
				warn(line, fmt.Sprintf("request #%d's body was cut short (%d bytes, incomplete): skipped", rec.Seq, rec.BodyBytes))
				break
			}
			if ferr := fn(line, rec); ferr != nil {
				return ferr
			}
		}
		if last {
			return nil
		}
	}
}

// torn says a line that failed to parse was cut short while written: it
// ends before its JSON does, or it is the file's unterminated last line.
func torn(err error, last bool) bool {
	var se *json.SyntaxError
	return last || (errors.As(err, &se) && se.Error() == "unexpected end of JSON input")
}

// readLine appends the next line (with its '\n') to buf; a line longer
// than limit is read to its end but not kept (long). err is io.EOF at
// the end of the file.
func readLine(br *bufio.Reader, buf []byte, limit int) (line []byte, long bool, err error) {
	for {
		chunk, err := br.ReadSlice('\n')
		if !long {
			if len(buf)+len(chunk) > limit {
				long, buf = true, buf[:0]
			} else {
				buf = append(buf, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return buf, long, err
	}
}

// ReadWith reads a capture file's deliveries in the order of their first
// attempt (see Scan for what is skipped).
func ReadWith(r io.Reader, o ReadOptions) ([]Delivery, error) {
	var out []Delivery
	index := map[[sha256.Size]byte]int{}
	err := Scan(r, o, func(_ int, rec Record) error {
		k := sha256.Sum256([]byte(rec.Key))
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, Delivery{Key: rec.Key})
		}
		out[i].Attempts = append(out[i].Attempts, rec)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Read parses a capture file and returns its deliveries in the order of
// their first attempt, with ReadWith's defaults and no warnings. A bad
// line is an error naming its line number.
func Read(r io.Reader) ([]Delivery, error) { return ReadWith(r, ReadOptions{}) }
