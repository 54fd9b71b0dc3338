package features_test

import (
	"bytes"
	"context"
	"flag"
	"io/fs"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/cucumber/godog"

	"github.com/hookcheck/hookcheck/features"
	"github.com/hookcheck/hookcheck/steps"
)

var tags = flag.String("godog.tags", "", "run only the fidelity scenarios matching this tag expression, e.g. @D-5")

// TestSimulatorFidelity runs features/simulator against the sender and the
// reference receivers. The whole suite runs in one synctest bubble: time
// is virtual, so the 190 s schedules of every scenario take milliseconds
// and their offsets are exact.
func TestSimulatorFidelity(t *testing.T) {
	sub, err := fs.Sub(features.Simulator, "simulator")
	if err != nil {
		t.Fatal(err)
	}
	synctest.Test(t, func(t *testing.T) {
		var out bytes.Buffer
		var ran atomic.Int64
		suite := godog.TestSuite{
			Name: "simulator-fidelity",
			ScenarioInitializer: func(sc *godog.ScenarioContext) {
				steps.Simulator{}.RegisterSteps(sc)
				sc.After(func(ctx context.Context, _ *godog.Scenario, err error) (context.Context, error) {
					ran.Add(1)
					return ctx, nil
				})
			},
			Options: &godog.Options{
				Format: "pretty", Output: &out, NoColors: true, Strict: true,
				FS: sub, Paths: []string{"."}, Tags: *tags, Concurrency: 1,
			},
		}
		status := suite.Run()
		if status != 0 {
			t.Fatalf("fidelity suite failed (status %d):\n%s", status, out.String())
		}
		if ran.Load() == 0 {
			t.Fatalf("fidelity suite ran no scenario:\n%s", out.String())
		}
		t.Logf("%d scenarios passed", ran.Load())
	})
}
