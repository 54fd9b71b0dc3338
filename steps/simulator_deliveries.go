package steps

import (
	"context"
	"errors"

	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// The When steps run one delivery's full schedule with the sender.

// deliverStatus runs one delivery's full schedule to the receiver's /webhook.
func (st *simulatorScenario) deliverStatus(status string) error {
	return st.deliverTranscript("", status, "/webhook")
}

// deliverForTranscript delivers with a given transcript id.
func (st *simulatorScenario) deliverForTranscript(status, id string) error {
	return st.deliverTranscript(id, status, "/webhook")
}

// deliverToPath delivers to a given path and query (D-9).
func (st *simulatorScenario) deliverToPath(status, uri string) error {
	return st.deliverTranscript("", status, uri)
}

// deliverRedacted delivers the D-11 notification.
func (st *simulatorScenario) deliverRedacted(url string) error {
	return st.deliver(webhook.RedactedAudioReady(url), "/webhook")
}

func (st *simulatorScenario) deliverTranscript(id, status, uri string) error {
	n, err := webhook.TranscriptReady(id, status)
	if err != nil {
		return err
	}
	return st.deliver(n, uri)
}

func (st *simulatorScenario) deliver(n webhook.Notification, uri string) error {
	if st.target == "" {
		return errors.New("no receiver: add a Given step that starts one")
	}
	opts := webhook.Options{}
	if !st.loopback {
		opts.DialContext = st.net.DialContext
	}
	sender, err := webhook.NewSender(st.policy, opts)
	if err != nil {
		return err
	}
	defer sender.Close()
	d, err := sender.Deliver(context.Background(), st.target+uri, n, webhook.Observer{})
	if err != nil {
		return err
	}
	st.delivery = d
	return nil
}
