package main

import (
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/hookcheck/hookcheck/simulator/hostile"
	"github.com/hookcheck/hookcheck/simulator/provider"
	"github.com/hookcheck/hookcheck/simulator/receiver"
	"github.com/hookcheck/hookcheck/simulator/signing"
)

// flagCompletion is how one flag's values complete.
type flagCompletion struct {
	values    []string // "value" or "value\tdescription"
	directive cobra.ShellCompDirective
}

// oneRegionCommands are the commands whose --region takes one region (one
// delivery comes from one region's address); the others take both too.
var oneRegionCommands = map[string]bool{"send": true, "serve-api": true}

// freeText are the flags whose values are the user's own (a URL, an
// address, an id, a number, a duration, a header name, a template): they
// complete nothing, not even a file name. Every other flag that takes a
// value completes in completionFor; a test fails on one in neither.
var freeText = map[string]bool{
	// URLs: no file name is a URL.
	"target": true, "session-target": true, "forward-to": true, "api-url": true, "base-url": true,
	"webhook-url": true, "verify-url": true, "redacted-audio-url": true, "location": true,
	// Addresses, ids, names, templates, bodies.
	"listen": true, "ui": true, "ui-token": true, "api": true, "transcript-id": true, "session-id": true, "select": true,
	"seed-transcript": true, "fault": true, "auth-header-name": true, "auth-header-value": true,
	"mask-header": true, "verify-header": true, "user-agent": true, "api-key": true, "tags": true,
	"path": true, "data": true, "answer": true, "session-language": true, "message-id": true,
	// Numbers and durations.
	"timeout": true, "max-attempts": true, "retry-interval": true, "fail-first": true,
	"delay": true, "limit": true, "keep-requests": true, "dedup-ids": true, "answer-after": true,
	"max-body-bytes": true, "max-in-flight": true, "processing-delay": true, "max-upload-bytes": true,
	"max-transcripts": true, "max-store-bytes": true, "grace": true, "tolerance": true, "burst": true,
	"latency-budget": true, "rate": true, "ramp": true, "step": true, "drain": true, "duration": true, "objective": true, "concurrency": true, "seed": true, "max-duration": true, "verify-within": true,
	"max-session-duration": true, "session-duration": true, "session-seed": true, "session-speakers": true,
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
	// "socket:" is a prefix to complete with an address: no space after it.
	prefix := func(v ...string) flagCompletion {
		return flagCompletion{values: v, directive: cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace}
	}
	files := func(ext ...string) flagCompletion {
		if len(ext) == 0 {
			return flagCompletion{directive: cobra.ShellCompDirectiveDefault}
		}
		return flagCompletion{values: ext, directive: cobra.ShellCompDirectiveFilterFileExt}
	}
	us, eu := "us\tAssemblyAI's US address (D-7)", "eu\tAssemblyAI's EU address (D-7)"
	switch name {
	case "region", "allow-region":
		if oneRegionCommands[cmd] {
			return enum(us, eu), true
		}
		return enum(us, eu, regionBoth+"\tboth regions' addresses"), true
	case "allowlist":
		v := []string{allowlistHeader + "\tread X-Forwarded-For", allowlistIP + "\tthe peer address, this IP (socket:IP)"}
		if cmd == "receiver" {
			v = append(v, allowlistSocket+"\tthe peer address, AssemblyAI's addresses of --region")
		}
		return prefix(v...), true
	case "source-address":
		return prefix("header\tX-Forwarded-For", "none\tno source address", "bind:\tdial from this IP"), true
	case "product":
		return enum("pre-recorded\ttranscript webhooks", "streaming\tstreaming webhooks", "both\tboth suites"), true
	case "payload":
		return enum("transcript\tthe transcript notification (D-2)", "redacted-audio\tthe redacted-audio notification (D-11)",
			"streaming-session\tthe webhook of a streaming session (S-2)"), true
	case "status":
		if cmd == "receiver" {
			return flagCompletion{directive: cobra.ShellCompDirectiveNoFileComp}, true // an HTTP status
		}
		return enum("completed\tthe transcript is ready (D-2)", "error\tthe transcript failed (D-2)"), true
	case "verify":
		return enum("api-fetch\tthe receiver's fetch from the emulated API proves processing", "none\tno evidence beyond --verify-url"), true
	case "behaviour":
		var v []string
		for _, b := range receiver.Behaviours() {
			v = append(v, b.Name+"\t"+flagWords.Replace(b.Description))
		}
		for _, k := range hostile.Kinds() {
			v = append(v, string(k)+"\t"+k.Description())
		}
		for _, b := range receiver.ProviderBehaviours("") {
			v = append(v, b.Name+"\t"+flagWords.Replace(b.Description))
		}
		return enum(v...), true
	case "features":
		return flagCompletion{directive: cobra.ShellCompDirectiveFilterDirs}, true
	case "provider":
		var v []string
		if cmd == "vectors" { // the signing schemes
			for _, p := range signing.Providers() {
				v = append(v, string(p))
			}
			return enum(v...), true
		}
		for _, p := range provider.All() { // the providers a run imitates
			v = append(v, p.Name+"\t"+p.Profile.About)
		}
		return enum(v...), true
	case "out":
		switch cmd {
		case "capture":
			return files("jsonl"), true
		case "vectors":
			return files("json"), true
		}
		return flagCompletion{directive: cobra.ShellCompDirectiveFilterDirs}, true
	case "in", "rerun-failed", "profile", "update-profile":
		return files("json"), true
	case "data-file", "html", "summary", "junit", "cucumber":
		return files(), true
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
				if !freeText[f.Name] {
					return
				}
				fc = flagCompletion{directive: cobra.ShellCompDirectiveNoFileComp}
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
