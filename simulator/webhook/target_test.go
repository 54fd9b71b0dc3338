package webhook_test

import (
	"testing"

	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// TestParseTargetRefusesWhatTheClientCannotSend: every refused target
// here is one url.Parse accepts and Go's client would fail on before any
// receiver answered (FuzzTarget found the first); every accepted one is
// sent (sendOverPipe proves both sides).
func TestParseTargetRefusesWhatTheClientCannotSend(t *testing.T) {
	refused := []string{
		"http://[::%25\xff]?0",      // FuzzTarget: a zone u.String() escapes into "%FF", which NewRequest refuses
		"http://[fe80::1%25a%20b]/", // a zone with a space
		"http://[fe80::1%25]/",      // an empty zone
		"http://[::1x]/",            // not an address
		"http://h\xff/",             // not UTF-8
		"http://a..b/",              // an empty label
		"http://-x/",                // a label starting with '-'
		"http://1.2.3/",             // all digits, not an IPv4 address
		"http://h!/",                // a byte no DNS name has
		"http://h:0/",               // port 0
		"http://h:99999/",           // port out of range
		"http://A? ",                // FuzzTarget: a space in the query ends the request line
		"http://" + string(make([]byte, 64)) + "/",
	}
	for _, raw := range refused {
		u, err := webhook.ParseTarget(raw)
		if err == nil {
			t.Errorf("ParseTarget(%q) = %v, want an error", raw, u)
		}
	}
	accepted := []string{
		"http://127.0.0.1:8080/webhook?customer_id=1234",
		"https://user:p%40ss@example.com/aai/hook",
		"http://[::1]:9/x?q=%zz",
		"http://[fe80::1%25eth0]:8/x",
		"http://my_service:8080/hook", // compose service names: Go's resolver looks them up
		"http://localhost:/x",         // an empty port: the default one
		"http://héllo.example/",       // an IDN: the transport sends its ASCII form
		"http://example.com./",
	}
	for _, raw := range accepted {
		u, err := webhook.ParseTarget(raw)
		if err != nil {
			t.Errorf("ParseTarget(%q): %v", raw, err)
			continue
		}
		if err := sendOverPipe(u); err != nil {
			t.Errorf("ParseTarget(%q) accepted a target the client does not send: %v", raw, err)
		}
	}
}
