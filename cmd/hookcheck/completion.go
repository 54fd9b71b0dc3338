package main

import (
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/hookcheck/hookcheck/simulator/receiver"
)

// flagCompletion is how one flag's values complete.
type flagCompletion struct {
	values    []string // "value" or "value\tdescription"
	directive cobra.ShellCompDirective
}

// completionFor returns how the flag called name of the command called
// cmd completes, or false for a flag whose values are free text. Values
// are per flag name, with a command's own set where it differs (run's
// --region takes "both", send's does not), so a flag added later with one
// of these names completes without further wiring.
func completionFor(cmd, name string) (flagCompletion, bool) {
	enum := func(v ...string) flagCompletion {
		return flagCompletion{values: v, directive: cobra.ShellCompDirectiveNoFileComp}
	}
	// "bind:" is a prefix to complete with an address: no space after it.
	prefix := func(v ...string) flagCompletion {
		return flagCompletion{values: v, directive: cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace}
	}
	switch name {
	case "region":
		if cmd == "run" {
			return enum("us\tAssemblyAI's US address", "eu\tAssemblyAI's EU address", "both\tboth regions"), true
		}
		return enum("us\tAssemblyAI's US address", "eu\tAssemblyAI's EU address"), true
	case "allow-region":
		return enum("us", "eu", "both"), true
	case "allowlist":
		if cmd == "receiver" {
			return enum("header\tread X-Forwarded-For", "socket\tthe peer address"), true
		}
		return prefix("header\tread X-Forwarded-For", "bind:\tdeliveries dial from this IP"), true
	case "source-address":
		return prefix("header\tX-Forwarded-For", "none\tno source address", "bind:\tdial from this IP"), true
	case "product":
		return enum("pre-recorded\ttranscript webhooks", "streaming\tstreaming webhooks", "both\tboth suites"), true
	case "verify":
		return enum("api-fetch\tthe receiver's fetch from the emulated API proves processing", "none\tno evidence beyond --verify-url"), true
	case "behaviour":
		var v []string
		for _, b := range receiver.Behaviours() {
			v = append(v, b.Name+"\t"+b.Description)
		}
		return enum(v...), true
	case "features", "out":
		return flagCompletion{directive: cobra.ShellCompDirectiveFilterDirs}, true
	case "in":
		return flagCompletion{values: []string{"json"}, directive: cobra.ShellCompDirectiveFilterFileExt}, true
	}
	return flagCompletion{}, false
}

// registerCompletions gives every flag of every command under root that
// has enumerated values (or takes a directory) its completion, for the
// scripts `hookcheck completion bash|zsh|fish|powershell` prints.
func registerCompletions(root *cobra.Command) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.Flags().VisitAll(func(f *pflag.Flag) {
			fc, ok := completionFor(c.Name(), f.Name)
			if !ok {
				return
			}
			// Registration fails only for a flag registered twice; the
			// walk visits each command's own flags once.
			_ = c.RegisterFlagCompletionFunc(f.Name, func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
				return fc.values, fc.directive
			})
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}
