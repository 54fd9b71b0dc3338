package main

import (
	"fmt"
	"io"

	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// sessionRoute checks --session-target against --product and --target
// and returns where transcript notifications and session webhooks go:
// with --product streaming alone, --session-target is the target (every
// delivery is a session webhook, so --target is not used when both are
// given); with --product both, session webhooks go to --session-target
// and transcript notifications to --target.
func sessionRoute(target, session string, product reports.Product) (url, sessionURL string, err error) {
	if session == "" {
		return target, "", nil
	}
	if _, err := webhook.ParseTarget(session); err != nil {
		return "", "", usagef("--session-target: %v", err)
	}
	switch product {
	case reports.Streaming:
		return session, "", nil
	case reports.BothProducts:
		if target == "" {
			return "", "", usagef("--session-target needs --target with --product both: the transcript notifications' route")
		}
		return target, session, nil
	}
	return "", "", usagef("--session-target is where session webhooks go: it needs --product streaming or both")
}

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
