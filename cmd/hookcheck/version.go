package main

import (
	"fmt"

	"github.com/spf13/cobra"

	hookcheckapi "github.com/hookcheck/hookcheck"
)

func newVersionCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print hookcheck's version, commit and Go version",
		Long: `version prints the version of this hookcheck binary (a release's version, or
the module version it was installed at, or "(devel)" for a build from a
checkout), the commit it was built from when known, and the Go release and
platform that built it.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintln(a.out, hookcheckapi.ReadBuild())
			return err
		},
	}
}
