package main

import (
	"fmt"
	"io"

	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// printRoutes is the header line of a run of both products that says
// where each kind of webhook goes: with one URL, that both go there, since
// an app usually serves them on two routes.
func printRoutes(w io.Writer, product reports.Product, target, session string) {
	if product != reports.BothProducts {
		return
	}
	if session == "" {
		fmt.Fprintf(w, "Session webhooks and transcript notifications both go to %s: set --session-target if your app serves sessions on another route\n",
			webhook.RedactTarget(target))
		return
	}
	fmt.Fprintf(w, "Transcript notifications go to %s, session webhooks to %s\n", webhook.RedactTarget(target), webhook.RedactTarget(session))
}
