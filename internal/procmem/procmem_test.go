package procmem_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/internal/procmem"
)

func TestStatusReadsOwnMemory(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc here")
	}
	got := procmem.Status(os.Getpid())
	assert.Regexp(t, `VmHWM: \d+ kB`, got)
	assert.Regexp(t, `VmRSS: \d+ kB`, got)
	assert.Contains(t, procmem.Status(-1), "memory unknown")
}

func TestFirstLineAddress(t *testing.T) {
	re := regexp.MustCompile(`listening on (http://[^ /;]+)`)
	addr, err := procmem.FirstLineAddress(strings.NewReader("hookcheck: receiver listening on http://127.0.0.1:9/x; Ctrl-C\nmore\n"), re, "the receiver")
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:9", addr)
	_, err = procmem.FirstLineAddress(strings.NewReader("something else\n"), re, "the receiver")
	assert.ErrorContains(t, err, "no address in the receiver's first line")
	_, err = procmem.FirstLineAddress(strings.NewReader(""), re, "the receiver")
	assert.Error(t, err)
}
