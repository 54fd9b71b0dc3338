package api

import "net/http"

// deliveryList is the body of GET /hookcheck/v1/deliveries.
type deliveryList struct {
	Deliveries []DeliveryRecord `json:"deliveries"`
}

// listDeliveries answers every delivery record, optionally only those of
// ?transcript_id=, so a team's tests can assert on what their receiver
// answered. It is read-only and outside /v2, which AssemblyAI owns.
func (s *Server) listDeliveries(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, deliveryList{Deliveries: s.store.deliveriesOf(r.URL.Query().Get("transcript_id"))})
}
