package webhook_test

import (
	"context"
	"net/http"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// TestSubmitSendsEachDeliveryItsOwnAuthHeader checks that one engine
// carries a different D-8 header per delivery, masked in the record.
func TestSubmitSendsEachDeliveryItsOwnAuthHeader(t *testing.T) { // D-8
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, webhook.DefaultPolicy())
		url, rec := r.serve(t, status(http.StatusOK, 0))
		e := webhook.NewEngine(r.sender, 0)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() { _ = e.Run(ctx) }()

		a, err := e.Submit(url, completed(t), webhook.DeliveryOptions{Auth: &webhook.AuthHeader{Name: "X-One", Value: "v1"}}, webhook.Observer{})
		require.NoError(t, err)
		b, err := e.Submit(url, completed(t), webhook.DeliveryOptions{}, webhook.Observer{})
		require.NoError(t, err)
		<-a.Done()
		<-b.Done()
		e.Close()

		reqs := rec.requests()
		require.Len(t, reqs, 2)
		withHeader := 0
		for _, q := range reqs {
			if q.Header.Get("X-One") == "v1" {
				withHeader++
			}
		}
		assert.Equal(t, 1, withHeader)
		assert.Equal(t, webhook.Mask, a.Delivery().Request.Headers.Get("X-One"))
		assert.Equal(t, "X-One", a.Delivery().Policy.AuthHeaderName)
		assert.Empty(t, b.Delivery().Request.Headers.Get("X-One"))

		_, err = e.Submit(url, completed(t), webhook.DeliveryOptions{Auth: &webhook.AuthHeader{Name: "bad name", Value: "v"}}, webhook.Observer{})
		assert.Error(t, err)
	})
}
