// Package procmem holds what the load programs behind BENCHMARKS.md share:
// a process's memory figures from /proc, and the address a hookcheck
// command prints on its first line. Linux only; loopback only.
package procmem

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
)

// Status returns the process's resident set and its peak as /proc shows
// them, e.g. "VmHWM: 52236 kB, VmRSS: 50512 kB", or why it cannot.
func Status(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "memory unknown: " + err.Error()
	}
	var parts []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS:") || strings.HasPrefix(l, "VmHWM:") {
			parts = append(parts, strings.Join(strings.Fields(l), " "))
		}
	}
	return strings.Join(parts, ", ")
}

// FirstLineAddress reads the first line a command printed and returns the
// first submatch of re in it: the address the command listens on. who
// names the command in errors.
func FirstLineAddress(r io.Reader, re *regexp.Regexp, who string) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil {
		return "", fmt.Errorf("read %s's address: %w", who, err)
	}
	m := re.FindStringSubmatch(line)
	if m == nil {
		return "", errors.New("no address in " + who + "'s first line: " + line)
	}
	return m[1], nil
}
