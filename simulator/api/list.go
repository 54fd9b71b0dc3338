package api

import (
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// List limits (A-8, ListTranscriptParams).
const (
	defaultListLimit = 10
	maxListLimit     = 200
)

// transcriptList is AssemblyAI's TranscriptList.
type transcriptList struct {
	PageDetails pageDetails `json:"page_details"`
	Transcripts []listItem  `json:"transcripts"`
}

// pageDetails is AssemblyAI's PageDetails.
type pageDetails struct {
	Limit       int     `json:"limit"`
	ResultCount int     `json:"result_count"`
	CurrentURL  string  `json:"current_url"`
	PrevURL     *string `json:"prev_url"`
	NextURL     *string `json:"next_url"`
	// Evicted and MaxTranscripts are hookcheck's own (SDKs ignore them):
	// how many of the oldest transcripts were evicted to keep at most
	// MaxTranscripts, so a short list is not mistaken for lost data.
	Evicted        int `json:"hookcheck_evicted"`
	MaxTranscripts int `json:"hookcheck_max_transcripts"`
	// StoreBytes and MaxStoreBytes are the bytes the kept transcripts
	// account for and their budget, which evicts the oldest too.
	StoreBytes    int64 `json:"hookcheck_store_bytes"`
	MaxStoreBytes int64 `json:"hookcheck_max_store_bytes"`
}

// listQuery is a validated GET /v2/transcript query.
type listQuery struct {
	limit     int
	status    Status
	createdOn string
	beforeID  string
	afterID   string
	throttled bool
}

func parseListQuery(q url.Values) (listQuery, error) {
	lq := listQuery{limit: defaultListLimit, status: Status(q.Get("status")), createdOn: q.Get("created_on"),
		beforeID: q.Get("before_id"), afterID: q.Get("after_id")}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxListLimit {
			return lq, badRequestf("limit must be an integer between 1 and %d", maxListLimit)
		}
		lq.limit = n
	}
	switch lq.status {
	case "", StatusQueued, StatusProcessing, StatusCompleted, StatusError:
	default:
		return lq, badRequestf("status must be one of queued, processing, completed, error")
	}
	if lq.createdOn != "" {
		if _, err := time.Parse(time.DateOnly, lq.createdOn); err != nil {
			return lq, badRequestf("created_on must be a date such as 2024-03-11")
		}
	}
	if v := q.Get("throttled_only"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return lq, badRequestf("throttled_only must be a Boolean")
		}
		lq.throttled = b
	}
	return lq, nil
}

// listTranscripts answers a page of transcripts, newest first.
// before_id pages to older transcripts, after_id to newer ones.
func (s *Server) listTranscripts(w http.ResponseWriter, r *http.Request) {
	lq, err := parseListQuery(r.URL.Query())
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	base := s.base(r)
	now := s.cfg.Clock.Now()
	page := transcriptList{Transcripts: []listItem{}}
	unknown := false
	s.store.ordered(func(order []*transcript) {
		match := func(t *transcript) bool {
			return !lq.throttled && (lq.status == "" || t.statusAt(now) == lq.status) &&
				(lq.createdOn == "" || t.Created.UTC().Format(time.DateOnly) == lq.createdOn)
		}
		lo, hi := 0, len(order) // the window, oldest first, to page within
		if lq.beforeID != "" {
			if hi = index(order, lq.beforeID); hi < 0 {
				unknown = true
				return
			}
		}
		if lq.afterID != "" {
			i := index(order, lq.afterID)
			if i < 0 {
				unknown = true
				return
			}
			lo = i + 1
		}
		var picked []int
		if lq.afterID != "" && lq.beforeID == "" {
			// The newer page next to after_id: its oldest matches.
			for i := lo; i < hi && len(picked) < lq.limit; i++ {
				if match(order[i]) {
					picked = append([]int{i}, picked...)
				}
			}
		} else {
			for i := hi - 1; i >= lo && len(picked) < lq.limit; i-- {
				if match(order[i]) {
					picked = append(picked, i)
				}
			}
		}
		for _, i := range picked {
			page.Transcripts = append(page.Transcripts, order[i].listItem(now, base))
		}
		if len(picked) > 0 {
			newest, oldest := picked[0], picked[len(picked)-1]
			if anyMatch(order[:oldest], match) {
				page.PageDetails.PrevURL = pageURL(base, lq, "before_id", order[oldest].ID)
			}
			if anyMatch(order[newest+1:], match) {
				page.PageDetails.NextURL = pageURL(base, lq, "after_id", order[newest].ID)
			}
		}
	})
	if unknown {
		writeError(w, http.StatusBadRequest, MsgNotFound)
		return
	}
	page.PageDetails.Limit = lq.limit
	page.PageDetails.ResultCount = len(page.Transcripts)
	page.PageDetails.CurrentURL = base + r.URL.RequestURI()
	page.PageDetails.Evicted, page.PageDetails.StoreBytes = s.store.evictedCount()
	page.PageDetails.MaxTranscripts, page.PageDetails.MaxStoreBytes = s.cfg.MaxTranscripts, s.cfg.MaxStoreBytes
	writeJSON(w, http.StatusOK, page)
}

func anyMatch(ts []*transcript, match func(*transcript) bool) bool {
	for _, t := range ts {
		if match(t) {
			return true
		}
	}
	return false
}

// pageURL links to the neighbouring page, keeping the filters.
func pageURL(base string, lq listQuery, key, id string) *string {
	q := url.Values{"limit": {strconv.Itoa(lq.limit)}, key: {id}}
	if lq.status != "" {
		q.Set("status", string(lq.status))
	}
	if lq.createdOn != "" {
		q.Set("created_on", lq.createdOn)
	}
	u := base + "/v2/transcript?" + q.Encode()
	return &u
}
