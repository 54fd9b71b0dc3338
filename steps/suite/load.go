package suite

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"

	gherkin "github.com/cucumber/gherkin/go/v42"
	messages "github.com/cucumber/messages/go/v34"

	"github.com/hookcheck/hookcheck/steps"
)

// plannedScenario is a scenario as parsed, before it runs.
type plannedScenario struct {
	key   string
	uri   string
	name  string
	line  int
	tags  []string
	steps []plannedStep
	feat  string
}

type plannedStep struct {
	keyword string
	text    string
	line    int
}

// scenarioKey identifies a pickle the same way from our parse and godog's.
func scenarioKey(uri, name string, stepTexts []string) string {
	return uri + "\x00" + name + "\x00" + strings.Join(stepTexts, "\x00")
}

// load parses every .feature file in fsys, returning the scenarios in file
// order. A syntax error names the file and line.
func load(fsys fs.FS) ([]plannedScenario, error) {
	var files []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".feature") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read features: %w", err)
	}
	if len(files) == 0 {
		return nil, errors.New("no .feature files found")
	}
	sort.Strings(files)
	var out []plannedScenario
	ids := (&messages.Incrementing{}).NewId
	for _, f := range files {
		src, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", f, err)
		}
		doc, err := gherkin.ParseGherkinDocument(bytes.NewReader(src), ids)
		if err != nil {
			return nil, syntaxError(f, err)
		}
		if doc.Feature == nil {
			continue
		}
		out = append(out, plan(f, doc, gherkin.Pickles(*doc, f, ids))...)
	}
	return out, nil
}

var locationRe = regexp.MustCompile(`^\((\d+):(\d+)\): (.*)$`)

// syntaxError turns gherkin's error into "file:line: message".
func syntaxError(file string, err error) error {
	var msgs []string
	for _, line := range strings.Split(err.Error(), "\n") {
		line = strings.TrimSpace(line)
		if m := locationRe.FindStringSubmatch(line); m != nil {
			msgs = append(msgs, fmt.Sprintf("%s:%s: %s", file, m[1], m[3]))
		}
	}
	if len(msgs) == 0 {
		return fmt.Errorf("%s: Gherkin syntax error: %w", file, err)
	}
	if len(msgs) > 1 {
		return fmt.Errorf("syntax error at %s (and %d more): not valid Gherkin", msgs[0], len(msgs)-1)
	}
	return fmt.Errorf("syntax error at %s: not valid Gherkin", msgs[0])
}

// plan pairs each pickle with the lines and keywords of its source.
func plan(uri string, doc *messages.GherkinDocument, pickles []*messages.Pickle) []plannedScenario {
	lines := map[string]int64{}
	keywords := map[string]string{}
	var walk func(children []*messages.FeatureChild, rules []*messages.RuleChild)
	addScenario := func(sc *messages.Scenario) {
		lines[sc.Id] = sc.Location.Line
		for _, st := range sc.Steps {
			lines[st.Id], keywords[st.Id] = st.Location.Line, strings.TrimSpace(st.Keyword)
		}
		for _, ex := range sc.Examples {
			for _, row := range ex.TableBody {
				lines[row.Id] = row.Location.Line
			}
		}
	}
	addBackground := func(bg *messages.Background) {
		for _, st := range bg.Steps {
			lines[st.Id], keywords[st.Id] = st.Location.Line, strings.TrimSpace(st.Keyword)
		}
	}
	walk = func(children []*messages.FeatureChild, rules []*messages.RuleChild) {
		for _, c := range children {
			switch {
			case c.Scenario != nil:
				addScenario(c.Scenario)
			case c.Background != nil:
				addBackground(c.Background)
			case c.Rule != nil:
				walk(nil, c.Rule.Children)
			}
		}
		for _, c := range rules {
			switch {
			case c.Scenario != nil:
				addScenario(c.Scenario)
			case c.Background != nil:
				addBackground(c.Background)
			}
		}
	}
	walk(doc.Feature.Children, nil)

	out := make([]plannedScenario, 0, len(pickles))
	for _, p := range pickles {
		ps := plannedScenario{uri: uri, name: p.Name, feat: doc.Feature.Name}
		// An example row's line identifies an outline's pickle best.
		id := p.AstNodeIds[len(p.AstNodeIds)-1]
		ps.line = int(lines[id])
		for _, t := range p.Tags {
			ps.tags = append(ps.tags, t.Name)
		}
		var texts []string
		for _, st := range p.Steps {
			kw := keywords[st.AstNodeIds[0]]
			ps.steps = append(ps.steps, plannedStep{keyword: kw, text: st.Text, line: int(lines[st.AstNodeIds[0]])})
			texts = append(texts, st.Text)
		}
		ps.key = scenarioKey(uri, p.Name, texts)
		out = append(out, ps)
	}
	return out
}

// undefinedSteps returns an error naming the first step no definition
// matches, with the closest known steps.
func undefinedSteps(planned []plannedScenario, defs []steps.Definition) error {
	res := make([]*regexp.Regexp, len(defs))
	for i, d := range defs {
		res[i] = regexp.MustCompile(d.Pattern)
	}
	for _, sc := range planned {
		for _, st := range sc.steps {
			matched := false
			for _, re := range res {
				if re.MatchString(st.text) {
					matched = true
					break
				}
			}
			if !matched {
				hint := ""
				if close := steps.Closest(st.text, defs, 3); len(close) > 0 {
					hint = `; closest known steps: "` + strings.Join(close, `", "`) + `"`
				}
				return fmt.Errorf("undefined step at %s:%d: %q%s", sc.uri, st.line, st.text, hint)
			}
		}
	}
	return nil
}

func featureName(uri string) string { return strings.TrimSuffix(path.Base(uri), ".feature") }
