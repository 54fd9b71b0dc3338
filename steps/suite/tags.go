package suite

import (
	"fmt"
	"regexp"
	"strings"
)

// tagFilter is a godog tag expression: groups separated by "," are OR-ed,
// terms within a group separated by "&&" are AND-ed, and "~" negates a term:
// "@RC-01,@RC-02", "@must && ~@serial". It is parsed here so that a
// malformed expression is a clear usage error, and so that the scenarios it
// selects can be counted before anything runs.
type tagFilter struct {
	groups [][]tagTerm
}

type tagTerm struct {
	name string // without "@"
	not  bool
}

var tagName = regexp.MustCompile(`^[A-Za-z0-9_.:/-]+$`)

// parseTags parses expr; the empty expression selects everything.
func parseTags(expr string) (tagFilter, error) {
	var f tagFilter
	if strings.TrimSpace(expr) == "" {
		return f, nil
	}
	for _, group := range strings.Split(expr, ",") {
		var terms []tagTerm
		for _, raw := range strings.Split(group, "&&") {
			t := strings.TrimSpace(raw)
			not := strings.HasPrefix(t, "~")
			t = strings.TrimPrefix(strings.TrimPrefix(t, "~"), "@")
			if !tagName.MatchString(t) {
				return tagFilter{}, fmt.Errorf("tag expression %q: %q is not a tag (write @tag or ~@tag, join with && for AND and , for OR)", expr, strings.TrimSpace(raw))
			}
			terms = append(terms, tagTerm{name: t, not: not})
		}
		f.groups = append(f.groups, terms)
	}
	return f, nil
}

// Match reports whether a scenario with tags (each with or without "@") is
// selected.
func (f tagFilter) Match(tags []string) bool {
	if len(f.groups) == 0 {
		return true
	}
	has := map[string]bool{}
	for _, t := range tags {
		has[strings.TrimPrefix(t, "@")] = true
	}
	for _, g := range f.groups {
		ok := true
		for _, t := range g {
			if has[t.name] == t.not {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// And returns f restricted to scenarios that also match term ("@x" or
// "~@x"), distributing it over f's groups.
func (f tagFilter) And(term string) tagFilter {
	t := tagTerm{name: strings.TrimPrefix(strings.TrimPrefix(term, "~"), "@"), not: strings.HasPrefix(term, "~")}
	if len(f.groups) == 0 {
		return tagFilter{groups: [][]tagTerm{{t}}}
	}
	out := tagFilter{}
	for _, g := range f.groups {
		out.groups = append(out.groups, append(append([]tagTerm(nil), g...), t))
	}
	return out
}

// String renders the filter in godog's syntax.
func (f tagFilter) String() string {
	groups := make([]string, len(f.groups))
	for i, g := range f.groups {
		terms := make([]string, len(g))
		for j, t := range g {
			terms[j] = "@" + t.name
			if t.not {
				terms[j] = "~" + terms[j]
			}
		}
		groups[i] = strings.Join(terms, " && ")
	}
	return strings.Join(groups, ",")
}
