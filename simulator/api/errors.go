package api

import (
	"encoding/json"
	"net/http"
)

// AssemblyAI's error messages.
const (
	MsgUnauthorized = "Authentication error, API token missing/invalid"
	MsgNotFound     = "Transcript lookup error, transcript id not found"
	MsgNoRoute      = "Not found"
	MsgTooLarge     = "Request body too large"
	MsgUnavailable  = "Service Unavailable"
)

// errorBody is AssemblyAI's Error schema.
type errorBody struct {
	Error string `json:"error"`
}

// writeError answers code with {"error": msg}.
func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, errorBody{Error: msg})
}

// writeJSON answers code with v as JSON.
func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		code = http.StatusInternalServerError
		b = []byte(`{"error":"Internal Server Error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = w.Write(append(b, '\n'))
}
