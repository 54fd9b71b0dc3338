package webhook

import (
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"unique"
)

// maxInternedString is the longest answer body or error detail worth
// sharing between records; longer ones are kept as they are.
const maxInternedString = 1 << 10

// intern returns a string equal to s that shares its memory with the equal
// strings of other records: an answer's body and a transport error's
// words repeat across thousands of attempts.
func intern(s string) string {
	if s == "" || len(s) > maxInternedString {
		return s
	}
	return unique.Make(s).Value()
}

// internBytes is intern for a body read into b.
func internBytes(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > maxInternedString {
		return string(b)
	}
	return unique.Make(string(b)).Value()
}

// maxInterned bounds the header sets a Sender keeps for sharing; when it is
// full the cache starts again, so a receiver that varies its headers costs
// memory only for the records that hold them.
const maxInterned = 1024

// maxInternedBytes is the largest header set worth sharing; larger ones are
// kept as they are.
const maxInternedBytes = 4 << 10

// headerInterner shares identical header sets between the records of a
// Sender. With thousands of deliveries pending, most attempts' response
// headers are equal (a 500's Date, Content-Length and Content-Type change
// once a second at most), and each Go map costs some hundreds of bytes: a
// shared, read-only copy makes a record's attempts cost little more than
// their structs. It is safe for concurrent use.
type headerInterner struct {
	mu   sync.Mutex
	sets map[string]http.Header
	last http.Header // the set returned last, compared first
}

// intern returns a header equal to h that may be shared with other
// records; the caller must not modify h afterwards, nor anyone the result.
func (in *headerInterner) intern(h http.Header) http.Header {
	if len(h) == 0 {
		return h
	}
	in.mu.Lock()
	last := in.last
	in.mu.Unlock()
	if last != nil && equalHeader(h, last) {
		return last
	}
	key, ok := headerKey(h)
	if !ok {
		return compact(h)
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if shared, ok := in.sets[key]; ok {
		in.last = shared
		return shared
	}
	if in.sets == nil || len(in.sets) >= maxInterned {
		in.sets = make(map[string]http.Header, 64)
	}
	c := compact(h)
	in.sets[key] = c
	in.last = c
	return c
}

// equalHeader reports whether a and b hold the same names and values, in
// the same order for each name.
func equalHeader(a, b http.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for k, vs := range a {
		ws, ok := b[k]
		if !ok || !slices.Equal(vs, ws) {
			return false
		}
	}
	return true
}

// headerKey renders h in a canonical form; ok is false when h is too large
// to be worth sharing.
func headerKey(h http.Header) (string, bool) {
	names := make([]string, 0, len(h))
	size := 0
	for k, vs := range h {
		names = append(names, k)
		size += len(k) + 2
		for _, v := range vs {
			size += len(v) + 1
		}
	}
	if size > maxInternedBytes {
		return "", false
	}
	slices.Sort(names)
	var b strings.Builder
	b.Grow(size)
	for _, k := range names {
		b.WriteString(k)
		b.WriteByte(0)
		for _, v := range h[k] {
			b.WriteString(v)
			b.WriteByte(1)
		}
		b.WriteByte(2)
	}
	return b.String(), true
}

// compact copies h into a map of exactly its size whose values share one
// backing array, dropping whatever the parser allocated beyond that.
func compact(h http.Header) http.Header {
	n := 0
	for _, vs := range h {
		n += len(vs)
	}
	all := make([]string, 0, n)
	c := make(http.Header, len(h))
	for k, vs := range h {
		start := len(all)
		all = append(all, vs...)
		c[k] = all[start:len(all):len(all)]
	}
	return c
}

// answer is what an attempt got besides its status: the part of an
// Attempt that rarely varies between attempts. Answers are shared between
// the attempts of a Sender (see answerInterner) and are read-only.
type answer struct {
	failure   ErrorClass
	detail    string
	headers   http.Header
	body      string
	truncated bool
	redirect  *Redirect // read-only
}

// answerKey identifies an answer whose header set is the one at headers.
type answerKey struct {
	failure   ErrorClass
	detail    string
	body      string
	headers   uintptr // the identity of an interned (or unshared) header map
	truncated bool
	redirect  Redirect // the zero value without one
}

// answerInterner shares equal answers between the attempts of a Sender, so
// that an attempt kept by a journal costs its compact struct and a
// pointer. It is safe for concurrent use.
type answerInterner struct {
	mu      sync.Mutex
	answers map[answerKey]*answer
}

// intern returns the answer of a, shared with other attempts when it is
// small enough to be worth it; nil when a got nothing to keep. a's header
// must come from a headerInterner (or be unshared) and is not modified.
func (in *answerInterner) intern(a *Attempt) *answer {
	an := answer{failure: a.Failure, detail: a.Detail, headers: a.ResponseHeaders, body: a.ResponseBody,
		truncated: a.BodyTruncated, redirect: a.Redirect}
	if an.failure == NoError && an.detail == "" && an.headers == nil && an.body == "" && !an.truncated && an.redirect == nil {
		return nil
	}
	if len(an.detail) > maxInternedString || len(an.body) > maxInternedString ||
		(an.redirect != nil && len(an.redirect.Location) > maxInternedString) {
		return &an
	}
	key := answerKey{failure: an.failure, detail: an.detail, body: an.body, truncated: an.truncated}
	if an.redirect != nil {
		key.redirect = *an.redirect
	}
	if an.headers != nil {
		key.headers = reflect.ValueOf(an.headers).Pointer()
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	// The cached answer holds its header map, so the map's address is not
	// reused while its key is in the cache.
	if shared, ok := in.answers[key]; ok {
		return shared
	}
	if in.answers == nil || len(in.answers) >= maxInterned {
		in.answers = make(map[answerKey]*answer, 64)
	}
	shared := &an
	in.answers[key] = shared
	return shared
}
