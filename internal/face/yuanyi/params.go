package yuanyi

import (
	"fmt"

	"plaza/internal/errs"
	"plaza/internal/valid"
)

// Lists: limit 1-100 (default 20), offset 0 to maxOffset (docs/compat.md).
const (
	defaultLimit = 20
	maxLimit     = 100
	maxOffset    = 10_000 // deeper pages would walk the index that far on every call
)

// page reads limit and offset.
func (c *call) page() (offset, limit int, err error) {
	limit = defaultLimit
	if n, ok, err := c.p.Int("limit"); err != nil {
		return 0, 0, err
	} else if ok {
		if n < 1 || n > maxLimit {
			return 0, 0, errs.InvalidField("limit", "limit must be 1 to 100")
		}
		limit = int(n)
	}
	if n, ok, err := c.p.Int("offset"); err != nil {
		return 0, 0, err
	} else if ok {
		if n < 0 || n > maxOffset {
			return 0, 0, errs.InvalidField("offset", fmt.Sprintf("offset must be 0 to %d", maxOffset))
		}
		offset = int(n)
	}
	return offset, limit, nil
}

// str reads an optional text parameter.
func (c *call) str(name string) (string, error) { return c.p.Str(name) }

// need reads a required text parameter.
func (c *call) need(name string) (string, error) {
	v, err := c.p.Str(name)
	if err != nil {
		return "", err
	}
	if v == "" {
		return "", errs.InvalidField(name, name+" is required")
	}
	return v, nil
}

// id reads a required positive integer id.
func (c *call) id(name string) (int64, error) {
	n, ok, err := c.p.Int(name)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, errs.InvalidField(name, name+" is required")
	}
	if n < 1 {
		return 0, errs.InvalidField(name, name+" must be a positive id")
	}
	return n, nil
}

// ids reads a list of positive integer ids (a JSON list or "1,2,3"), at
// most max of them, at least one.
func (c *call) ids(name string, max int) ([]int64, error) {
	list, ok, err := c.p.IntList(name, max)
	if err != nil {
		return nil, err
	}
	if !ok || len(list) == 0 {
		return nil, errs.InvalidField(name, name+" is required")
	}
	for _, n := range list {
		if n < 1 {
			return nil, errs.InvalidField(name, name+" must hold positive ids")
		}
	}
	return list, nil
}

// hexID reads a required 32-hex id (uid, master_id, merchant_id).
func (c *call) hexID(name string) (string, error) {
	v, err := c.need(name)
	if err != nil {
		return "", err
	}
	if !valid.IsHexID(v) {
		return "", errs.InvalidField(name, name+" must be 32 hexadecimal digits")
	}
	return v, nil
}
