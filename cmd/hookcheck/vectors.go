package main

import (
	"bytes"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/hookcheck/hookcheck/simulator/signing"
	"github.com/hookcheck/hookcheck/simulator/signing/vectors"
)

func newVectorsCmd(a *app) *cobra.Command {
	var provider, out string
	cmd := &cobra.Command{
		Use:   "vectors --provider standard-webhooks|stripe|github [--out FILE]",
		Short: "Write signed-webhook test vectors (JSON) for a provider",
		Long: `vectors writes a JSON array of signed requests, positive and negative, that
every receiver and every signature library of the provider must accept or
refuse: valid, body changed by one byte, wrong secret, timestamps past and
beyond the tolerance, several signatures (rotation), unknown versions,
bodies whose bytes differ from any re-serialization, malformed headers.
Each object has name, secret, headers (as sent), body (the exact bytes),
now (the Unix time to verify at), valid and reason. The output is the same
on every run; docs/vectors.md describes the format and how to use it.`,
		Example: `  hookcheck vectors --provider standard-webhooks
  hookcheck vectors --provider stripe --out stripe.json`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if provider == "" {
				return usagef("--provider is required (standard-webhooks, stripe or github)")
			}
			p, err := signing.ParseProvider(provider)
			if err != nil {
				return usagef("--provider: %v", err)
			}
			vs, err := vectors.Generate(p)
			if err != nil {
				return fmt.Errorf("vectors for %s: %w", p, err)
			}
			var b bytes.Buffer
			if err := vectors.Write(&b, vs); err != nil {
				return err
			}
			if out == "" || out == "-" {
				_, err := a.out.Write(b.Bytes())
				return err
			}
			if err := os.WriteFile(out, b.Bytes(), 0o644); err != nil { //nolint:gosec // published test data, meant to be read
				return fmt.Errorf("write %s: %w", out, err)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&provider, "provider", "", "standard-webhooks, stripe or github")
	cmd.Flags().StringVar(&out, "out", "", "write to FILE instead of standard output")
	return cmd
}
