package packaging_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// maxImageBytes is the bound on the release image.
const maxImageBytes = 30_000_000

// TestReleaseImage inspects the image `make image` built (HOOKCHECK_IMAGE)
// with buildah: entrypoint, user, working directory, OCI labels, size.
// Building it needs buildah and a static binary, too slow and too
// privileged for `go test ./...`, so `make image` builds and then runs this.
func TestReleaseImage(t *testing.T) {
	image := os.Getenv("HOOKCHECK_IMAGE")
	if _, err := exec.LookPath("buildah"); err != nil {
		t.Skip("buildah not installed: `make image-deps image` builds and checks the release image")
	}
	if image == "" {
		t.Skip("HOOKCHECK_IMAGE not set: `make image` builds the release image and runs this test on it")
	}
	out, err := exec.Command("buildah", "--storage-driver", "vfs", "inspect", "--type", "image", image).Output()
	require.NoError(t, err, "buildah inspect %s", image)
	var inspect struct {
		OCIv1 struct {
			Config struct {
				Entrypoint []string          `json:"Entrypoint"`
				Cmd        []string          `json:"Cmd"`
				User       string            `json:"User"`
				WorkingDir string            `json:"WorkingDir"`
				Labels     map[string]string `json:"Labels"`
				Env        []string          `json:"Env"`
			} `json:"config"`
		} `json:"OCIv1"`
	}
	require.NoError(t, json.Unmarshal(out, &inspect))
	c := inspect.OCIv1.Config
	assert.Equal(t, []string{"hookcheck"}, c.Entrypoint)
	assert.Equal(t, "65532:65532", c.User, "never root")
	assert.Equal(t, "/work", c.WorkingDir, "reports land in the mounted /work")
	assert.Contains(t, c.Env, "PATH=/usr/local/bin")
	for _, l := range []string{"title", "description", "source", "version", "revision", "created"} {
		assert.NotEmpty(t, c.Labels["org.opencontainers.image."+l], "label org.opencontainers.image.%s", l)
	}

	out, err = exec.Command("buildah", "--storage-driver", "vfs", "images", "--format", "{{.Size}}", image).Output()
	require.NoError(t, err)
	size := parseSize(t, strings.TrimSpace(string(out)))
	t.Logf("image %s: %.1f MB", image, float64(size)/1e6)
	assert.Less(t, size, int64(maxImageBytes), "the image stays under 30 MB")
}

// parseSize reads buildah's human size ("12.4 MB", decimal units).
func parseSize(t *testing.T, s string) int64 {
	t.Helper()
	var n float64
	var unit string
	_, err := fmt.Sscanf(s, "%g %s", &n, &unit)
	require.NoError(t, err, "size %q", s)
	mult := map[string]float64{"B": 1, "kB": 1e3, "KB": 1e3, "MB": 1e6, "GB": 1e9}[unit]
	require.NotZero(t, mult, "unit of %q", s)
	return int64(n * mult)
}
