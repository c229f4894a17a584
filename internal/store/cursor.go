package store

import (
	"encoding/base64"
	"math"
	"strconv"
	"strings"

	"plaza/internal/errs"
	"plaza/internal/valid"
)

// IDCursor is the cursor of a list read newest first by id: its prefix
// (such as "l1.") and the id of the last row shown, in unpadded
// base64url: opaque to clients, and versioned by the prefix so its form
// can change.
type IDCursor string

// Encode is the cursor after the row of id.
func (p IDCursor) Encode(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(string(p) + strconv.FormatInt(id, 10)))
}

// Decode is the id a cursor names, to read the rows below it: for ""
// (the first page) math.MaxInt64; anything but a cursor of this prefix is
// Invalid (field cursor).
func (p IDCursor) Decode(c string) (int64, error) {
	if c == "" {
		return math.MaxInt64, nil
	}
	bad := errs.InvalidField("cursor", "bad cursor")
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, bad
	}
	rest, ok := strings.CutPrefix(string(b), string(p))
	if !ok {
		return 0, bad
	}
	id, ok := valid.ID(rest)
	if !ok {
		return 0, bad
	}
	return id, nil
}
