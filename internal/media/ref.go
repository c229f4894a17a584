package media

import (
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"strings"
)

// newUUID returns a random (version 4) UUID in its usual text form.
func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:36], b[10:16])
	return string(out[:])
}

// The shapes of ids, made and read here only.
//
// An issued id is "<uuid>.jpeg" (issuedExt), the shape of every media id
// in the yuanyi document: the client asks for it before it knows the
// file. Ids issued before were a bare "<uuid>"; both are good for their
// upload. The upload fixes the media id "<uuid>.<ext>", ext the format of
// the bytes: the issued id itself for a JPEG, "<uuid>.png" for a PNG. The
// issued id keeps naming the media (see matches).
const issuedExt = "jpeg"

// issuedID is the id handed out for a new uuid.
func issuedID(uuid string) string { return mediaID(uuid, issuedExt) }

// mediaID is the id of the media of uuid stored as ext.
func mediaID(uuid, ext string) string { return uuid + "." + ext }

// isUUID tells whether s is a UUID in lowercase text form (any version:
// ids imported from the old server are version 1).
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
				return false
			}
		}
	}
	return true
}

// ref is a parsed reference to a media: "<uuid>", "<uuid>.<ext>" or
// "<uuid>.<ext>.jpg".
type ref struct {
	uuid   string
	ext    string // "" for a bare uuid
	suffix bool   // ext was followed by ".jpg"
}

// parseRef reads a reference (case-insensitive). ok is false when s is not
// one.
func parseRef(s string) (r ref, ok bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) < 36 || !isUUID(s[:36]) {
		return r, false
	}
	r.uuid = s[:36]
	rest := s[36:]
	if rest == "" {
		return r, true
	}
	if rest[0] != '.' {
		return r, false
	}
	parts := strings.Split(rest[1:], ".")
	switch {
	case len(parts) == 1:
	case len(parts) == 2 && parts[1] == "jpg":
		r.suffix = true
	default:
		return r, false
	}
	r.ext = parts[0]
	if ContentType(r.ext) == "" {
		return r, false
	}
	return r, true
}

// matches tells whether the reference names a media stored with ext.
//
//   - "<uuid>": any (the old shape of the issued id).
//   - "<uuid>.jpeg" or "<uuid>.jpg", with or without the client's ".jpg"
//     after it: any. That is the issued id (the format was not known when
//     it was issued) and the yuanyi client's habit of appending ".jpg" to
//     the id it holds.
//   - "<uuid>.<ext>", "<uuid>.<ext>.jpg" for another ext: that format only.
func (r ref) matches(ext string) bool {
	switch normalExt(r.ext) {
	case "", issuedExt:
		return true
	}
	return normalExt(r.ext) == normalExt(ext)
}

// short quotes a client's text for a message, cut to a sane length.
func short(s string) string {
	const max = 80
	if len(s) > max {
		s = s[:max] + "..."
	}
	return strconv.Quote(s)
}
