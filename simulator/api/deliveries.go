package api

import "net/http"

// listDeliveries answers every delivery record, optionally only those of
// ?transcript_id=, so a team's tests can assert on what their receiver
// answered. It is read-only and outside /v2, which AssemblyAI owns. The
// body, {"deliveries":[...]}, is streamed record by record: every
// delivery of a long session can be listed without a second copy of them
// all in memory.
func (s *Server) listDeliveries(w http.ResponseWriter, r *http.Request) {
	writeJSONList(w, "deliveries", s.store.deliveryRefs(r.URL.Query().Get("transcript_id")), "")
}
