package loadreport_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/hookcheck/hookcheck/reports/loadreport"
	"github.com/hookcheck/hookcheck/simulator/load"
)

// TestHeadlineSaysWhatWasJudged: a window cut by the end of the run is
// "not judged", never "did not hold"; a window that failed says so.
func TestHeadlineSaysWhatWasJudged(t *testing.T) {
	cut := &load.Window{Rate: 10, Why: load.NotJudged + ": 1 of 10 first attempts had not ended when the run stopped (give them --drain)"}
	failed := &load.Window{Rate: 40, Why: "only 30 of 40 acknowledged at the first attempt"}
	for _, c := range []struct {
		r    load.Result
		want string
	}{
		{load.Result{Knee: cut}, "Not judged at 10/s: the run stopped before its first attempts ended"},
		{load.Result{HeldRate: 5, Knee: cut}, "Held 5/s; 10/s not judged: the run stopped before its first attempts ended"},
		{load.Result{HeldRate: 35, Knee: failed}, "Held 35/s; not 40/s"},
		{load.Result{Knee: failed}, "Did not hold 40/s"},
		{load.Result{HeldRate: 20}, "Held 20/s: every rate offered"},
	} {
		assert.Equal(t, c.want, loadreport.Headline(&c.r))
	}
}
