package api

import (
	"errors"
	"io"
	"net/http"

	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// uploadedFile is AssemblyAI's UploadedFile.
type uploadedFile struct {
	UploadURL string `json:"upload_url"`
}

// upload takes raw bytes and answers their URL. The bytes are
// counted against MaxUploadBytes and dropped: nothing transcribes them,
// and the URL serves the emulator's own WAV file instead.
func (s *Server) upload(w http.ResponseWriter, r *http.Request) {
	if s.isClosing() {
		writeError(w, http.StatusServiceUnavailable, MsgUnavailable)
		return
	}
	n, err := io.Copy(io.Discard, r.Body)
	switch {
	case tooLarge(err):
		writeError(w, http.StatusRequestEntityTooLarge, MsgTooLarge)
		return
	case err != nil && !errors.Is(err, io.EOF):
		writeError(w, http.StatusBadRequest, "Upload failed: the request body could not be read")
		return
	case n == 0:
		writeError(w, http.StatusBadRequest, "Upload failed: the request body is empty")
		return
	}
	id := webhook.NewUUID()
	s.store.addUpload(id)
	writeJSON(w, http.StatusOK, uploadedFile{UploadURL: s.base(r) + uploadsPath + id})
}

func (s *Server) isClosing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closing
}
