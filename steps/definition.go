package steps

import (
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/cucumber/godog"
)

// Definition is one step of the library: its pattern, an example of its
// use, what it does, and the function godog calls.
type Definition struct {
	// Pattern is the regular expression the step text must match.
	Pattern string
	// Example is a step text that matches Pattern, as a feature file
	// would write it (without the keyword).
	Example string
	// Doc says what the step does, in a sentence.
	Doc string
	// Kind is Given, When or Then: where the step belongs.
	Kind string
	// Func is the step function, taking context.Context first.
	Func any
	// Deprecated, when set, is the step text to write instead: the
	// pattern is an old phrasing kept registered so that users' own
	// feature files still run. docs/steps.md lists it apart and Closest
	// never suggests it.
	Deprecated string
}

// register adds defs to sc, each pattern compiled once per process.
func register(sc *godog.ScenarioContext, defs []Definition) {
	compiled := compiledPatterns()
	for _, d := range defs {
		if re, ok := compiled[d.Pattern]; ok {
			sc.Step(re, d.Func)
			continue
		}
		sc.Step(d.Pattern, d.Func)
	}
}

// compiledPatterns is every built-in step's pattern, compiled. godog
// compiles a pattern given as a string each time a step is registered,
// which is once per scenario of every run: a third of a suite run's CPU
// went to it. The table is built on first use and never changes after; a
// *regexp.Regexp is safe for concurrent use.
var compiledPatterns = sync.OnceValue(func() map[string]*regexp.Regexp {
	out := map[string]*regexp.Regexp{}
	for _, d := range append((&Conformance{}).Definitions(), Simulator{}.Definitions()...) {
		out[d.Pattern] = regexp.MustCompile(d.Pattern)
	}
	return out
})

// Closest returns up to n examples from defs that look most like text, for
// an "undefined step" message.
func Closest(text string, defs []Definition, n int) []string {
	type scored struct {
		example string
		score   float64
	}
	words := wordSet(text)
	var all []scored
	for _, d := range defs {
		if d.Deprecated != "" {
			continue
		}
		all = append(all, scored{d.Example, similarity(words, wordSet(d.Example))})
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].score > all[j].score })
	var out []string
	for _, s := range all {
		if len(out) == n || s.score == 0 {
			break
		}
		out = append(out, s.example)
	}
	return out
}

func wordSet(s string) map[string]bool {
	set := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' && r != '_'
	}) {
		set[w] = true
	}
	return set
}

// similarity is the Jaccard index of two word sets.
func similarity(a, b map[string]bool) float64 {
	inter := 0
	for w := range a {
		if b[w] {
			inter++
		}
	}
	union := len(a) + len(b) - inter
	if union == 0 {
		return 0
	}
	return float64(inter) / float64(union)
}
