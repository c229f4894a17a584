package httpx

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
)

var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// WriteJSON writes v as JSON with the given HTTP status. The answer is
// encoded whole first, so it goes out with its Content-Length in one write
// (not as chunks through net/http's 4 KiB buffer).
func WriteJSON(w http.ResponseWriter, status int, v any) {
	buf := buffers.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		if buf.Cap() <= 1<<20 {
			buffers.Put(buf)
		}
	}()
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		buf.Reset()
		buf.WriteString(`{"error":"the answer could not be encoded"}` + "\n")
		status = http.StatusInternalServerError
	}
	WriteRawJSON(w, status, buf.Bytes())
}

// WriteRawJSON writes body, which must be JSON, with the given HTTP status.
func WriteRawJSON(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
