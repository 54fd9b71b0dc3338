package main

import "github.com/spf13/cobra"

func newReceiverCmd(a *app) *cobra.Command {
	_ = a
	return &cobra.Command{Use: "receiver", Short: "Serve a reference receiver", Hidden: true,
		RunE: func(*cobra.Command, []string) error { return usagef("receiver: not built yet") }}
}
