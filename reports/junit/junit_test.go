package junit_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/internal/fixture"
	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/reports/junit"
)

func TestJUnitCountsAndNames(t *testing.T) {
	res := fixture.Default(t)
	var b bytes.Buffer
	require.NoError(t, junit.Write(&b, res))
	requireWellFormed(t, b.Bytes())

	var doc junit.Suites
	require.NoError(t, xml.Unmarshal(b.Bytes(), &doc))
	sc := res.ScenarioCounts()
	assert.Equal(t, len(res.Scenarios), doc.Tests, "one testcase per scenario")
	assert.Equal(t, sc[reports.Failed], doc.Failures)
	assert.Equal(t, sc[reports.Skipped]+sc[reports.NotApplicable], doc.Skipped)
	assert.Len(t, doc.Suites, len(res.Features()))

	cases := map[string]junit.Case{}
	n := 0
	for _, s := range doc.Suites {
		failures, skipped := 0, 0
		for _, c := range s.Cases {
			assert.Equal(t, s.Name, c.Classname, "classname is the feature")
			cases[c.Name] = c
			n++
			if c.Failure != nil {
				failures++
			}
			if c.Skipped != nil {
				skipped++
			}
		}
		assert.Equal(t, failures, s.Failures, s.Name)
		assert.Equal(t, skipped, s.Skipped, s.Name)
		assert.Equal(t, len(s.Cases), s.Tests, s.Name)
	}
	assert.Equal(t, len(res.Scenarios), n)

	// RC-02: the typical receiver hangs on an "error" notification, so
	// the delivery times out ten times over 190 s and is lost.
	hang, ok := cases["RC-02 An error notification is acknowledged with a 2xx within the deadline"]
	require.True(t, ok, "requirement id leads the test name")
	require.NotNil(t, hang.Failure)
	assert.Equal(t, "MUST", hang.Failure.Type)
	assert.Contains(t, hang.Failure.Message, "no answer within 10 s (timeout)")
	assert.Contains(t, hang.Failure.Body, "timeout, timeout")
	assert.Contains(t, hang.Failure.Body, "Fix: Handle status \"error\" as a normal notification")
	assert.Equal(t, "190.000", hang.Time)

	redirect := cases["RC-12 A delivery is not answered with a redirect"]
	assert.Nil(t, redirect.Failure, "a passed scenario has no failure")
	assert.Nil(t, redirect.Skipped)

	tls := cases["RC-14 The TLS handshake verifies with TLS 1.2 or later"]
	require.NotNil(t, tls.Skipped)
	assert.Contains(t, tls.Skipped.Message, "not applicable")
}

func TestJUnitEscapesHostileText(t *testing.T) {
	res := fixture.Default(t)
	res.Scenarios[7].Steps[1].Error = "body: <script>alert(1)</script> ]]> \x00\x1b bad bytes"
	var b bytes.Buffer
	require.NoError(t, junit.Write(&b, res))
	requireWellFormed(t, b.Bytes())
	assert.NotContains(t, b.String(), "<script>")
}

// requireWellFormed decodes every token: the document is XML.
func requireWellFormed(t *testing.T, doc []byte) {
	t.Helper()
	require.True(t, strings.HasPrefix(string(doc), xml.Header))
	dec := xml.NewDecoder(bytes.NewReader(doc))
	for {
		_, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		require.NoError(t, err)
	}
}

// TestJUnitPossiblySameCause: the failure of a requirement that is
// possibly the same cause as RC-01 names RC-01 and keeps its own fix; a
// blocked one points at RC-01 only.
func TestJUnitPossiblySameCause(t *testing.T) {
	o := fixture.Conformant
	o.API = false
	res := fixture.Run(t, "generic-500", o)
	var b bytes.Buffer
	require.NoError(t, junit.Write(&b, res))
	var doc junit.Suites
	require.NoError(t, xml.Unmarshal(b.Bytes(), &doc))
	cases := map[string]junit.Case{}
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			cases[c.Name] = c
		}
	}
	q07, _ := res.Requirement("RC-07")
	redacted := cases["RC-07 The redacted-audio notification gets no 5xx and no timeout"]
	require.NotNil(t, redacted.Failure)
	assert.Contains(t, redacted.Failure.Message, "possibly the same cause as RC-01")
	assert.Contains(t, redacted.Failure.Body, "Note: possibly the same cause as RC-01")
	assert.Contains(t, redacted.Failure.Body, "Fix: "+q07.Remediation)
	errorNote := cases["RC-02 An error notification is acknowledged with a 2xx within the deadline"]
	require.NotNil(t, errorNote.Failure)
	assert.Contains(t, errorNote.Failure.Body, "blocked by RC-01 (same answer: 500 Internal Server Error): fix RC-01 first")
	assert.NotContains(t, errorNote.Failure.Body, "Fix: ")
}
