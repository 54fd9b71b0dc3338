package api

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// writeJSONList answers 200 with {"key":[items...]<tail>} and a newline,
// the same bytes writeJSON gives for a struct whose first field is the
// list, but encoded one item at a time straight to w. A list of every
// delivery of a long serve-api session is then never held as one JSON
// buffer (issue 11: a large list call must not multiply the memory of
// what is stored). tail is the rest of the object, already encoded, such
// as `,"dropped":3`; it is empty for a list alone.
//
// Once the first byte is written the status cannot change, so an item
// that fails to encode aborts the response (http.ErrAbortHandler): the
// client sees a cut connection, never a well-formed but partial list.
func writeJSONList[T any](w http.ResponseWriter, key string, items []T, tail string) {
	name, err := json.Marshal(key)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, errorBody{Error: "Internal Server Error"})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	if err := encodeList(w, name, items, tail); err != nil {
		panic(http.ErrAbortHandler)
	}
}

// encodeList writes the object of writeJSONList to w; it stops at the
// first error, of encoding or of writing.
func encodeList[T any](w io.Writer, name []byte, items []T, tail string) error {
	if _, err := fmt.Fprintf(w, "{%s:[", name); err != nil {
		return fmt.Errorf("write list head: %w", err)
	}
	for i := range items {
		b, err := json.Marshal(items[i])
		if err != nil {
			return fmt.Errorf("encode list item %d: %w", i, err)
		}
		if i > 0 {
			if _, err := io.WriteString(w, ","); err != nil {
				return fmt.Errorf("write list item %d: %w", i, err)
			}
		}
		if _, err := w.Write(b); err != nil {
			return fmt.Errorf("write list item %d: %w", i, err)
		}
	}
	if _, err := io.WriteString(w, "]"+tail+"}\n"); err != nil {
		return fmt.Errorf("write list tail: %w", err)
	}
	return nil
}
