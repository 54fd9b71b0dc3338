// Command hookcheck tells a team, before production does, whether its
// webhook receiver survives AssemblyAI's real delivery behaviour.
//
//	hookcheck send --target URL       one delivery with AssemblyAI's schedule
//	hookcheck receiver --behaviour X  serve a reference receiver
//
// Run `hookcheck help` for every command.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], streams{in: os.Stdin, out: os.Stdout, err: os.Stderr}, os.Getenv)
	stop()
	os.Exit(code)
}
