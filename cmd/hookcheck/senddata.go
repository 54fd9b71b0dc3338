package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/spf13/pflag"

	"github.com/hookcheck/hookcheck/internal/stats"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// maxDataBytes bounds a body of one's own (send --data, --data-file): 8 MiB,
// the capture line limit, above any body AssemblyAI sends (S-5).
const maxDataBytes = 8 << 20

// generatedBodyFlags shape the generated body; --data and --data-file
// replace it, so each of them alongside is a usage error.
var generatedBodyFlags = []string{"payload", "status", "transcript-id", "redacted-audio-url", "session-id",
	"session-duration", "session-seed", "session-speakers", "session-language"}

// ownBody returns the body of send --data or --data-file, sent as it is
// with Content-Type application/json as AssemblyAI sends it, and true; or
// false when neither is given. A body that is not JSON is sent as given,
// with a warning on warn.
func ownBody(fs *pflag.FlagSet, f *sendFlags, warn io.Writer) (webhook.Notification, bool, error) {
	var none webhook.Notification
	data, file := fs.Changed("data"), fs.Changed("data-file")
	if !data && !file {
		return none, false, nil
	}
	if data && file {
		return none, false, usagef("--data and --data-file are mutually exclusive: give one body")
	}
	flag := "--data"
	if file {
		flag = "--data-file"
	}
	for _, name := range generatedBodyFlags {
		if fs.Changed(name) {
			return none, false, usagef("%s replaces the generated body: --%s has no effect with it", flag, name)
		}
	}
	body := []byte(f.data)
	if file {
		var err error
		if body, err = readDataFile(f.dataFile); err != nil {
			return none, false, err
		}
	}
	if len(body) > maxDataBytes {
		return none, false, usagef("%s: the body is over %s", flag, stats.FormatBytes(maxDataBytes))
	}
	if !json.Valid(body) {
		fmt.Fprintf(warn, "hookcheck: warning: %s is not valid JSON: sent as given\n", flag)
	}
	return webhook.RawBody(body, "application/json"), true, nil
}

// readDataFile reads at most maxDataBytes+1 bytes of path, so an oversized
// file is refused without being read whole.
func readDataFile(path string) ([]byte, error) {
	file, err := os.Open(path) // #nosec G304 -- the user's own file, named on the command line
	if err != nil {
		return nil, usagef("--data-file: %v", err)
	}
	defer file.Close()
	body, err := io.ReadAll(io.LimitReader(file, maxDataBytes+1))
	if err != nil {
		return nil, usagef("--data-file: %v", err)
	}
	return body, nil
}
