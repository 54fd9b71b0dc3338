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
	res := fixture.Default(t, fixture.Options{})
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

	hang, ok := cases["RC-03 Answers within 10 s while it fetches the transcript"]
	require.True(t, ok, "requirement id leads the test name")
	require.NotNil(t, hang.Failure)
	assert.Equal(t, "MUST", hang.Failure.Type)
	assert.Contains(t, hang.Failure.Message, `want "delivered", got "exhausted"`)
	assert.Contains(t, hang.Failure.Body, "timeout, timeout")
	assert.Contains(t, hang.Failure.Body, "Fix: Acknowledge first")
	assert.Equal(t, "190.000", hang.Time)

	https := cases["RC-15 Serves the webhook over HTTPS"]
	require.NotNil(t, https.Skipped)
	assert.Contains(t, https.Skipped.Message, "not applicable")
}

func TestJUnitEscapesHostileText(t *testing.T) {
	res := fixture.Default(t, fixture.Options{})
	res.Scenarios[7].Steps[2].Error = "body: <script>alert(1)</script> ]]> \x00\x1b bad bytes"
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
