// Package httpx holds what every face shares at the HTTP edge: parameter
// decoding from query, form, multipart and JSON alike, token extraction,
// client addresses, request ids, logs and metrics middleware.
package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"plaza/internal/errs"
	"plaza/internal/valid"
)

// MaxBody caps a request body that is decoded into parameters.
const MaxBody = 1 << 20

// Params are a request's parameters, from the query string, a
// form-encoded, multipart or JSON object body; body values win over query
// values of the same name.
type Params struct {
	v map[string]any // string, json.Number, bool, nil, []any, map[string]any
}

// NewParams wraps decoded values (for tests and internal callers).
func NewParams(v map[string]any) *Params {
	if v == nil {
		v = map[string]any{}
	}
	return &Params{v: v}
}

// Parse reads the parameters of r. A malformed or oversized body is an
// Invalid error, and so is a parameter (or a text inside a list or object
// parameter) that no text may hold (valid.Chars: invalid UTF-8, control
// characters but tab and line ends), named by the parameter.
func Parse(w http.ResponseWriter, r *http.Request) (*Params, error) {
	p, err := readParams(w, r)
	if err != nil {
		return nil, err
	}
	if err := CheckText(p.v); err != nil {
		return nil, err
	}
	return p, nil
}

func readParams(w http.ResponseWriter, r *http.Request) (*Params, error) {
	p := &Params{v: map[string]any{}}
	addValues(p.v, r.URL.Query())
	if r.Body == nil || r.Body == http.NoBody {
		return p, nil
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "multipart/form-data":
		r.Body = http.MaxBytesReader(w, r.Body, 32<<20)
		if err := r.ParseMultipartForm(8 << 20); err != nil {
			return nil, bodyError(err)
		}
		addValues(p.v, url.Values(r.MultipartForm.Value))
	case "application/x-www-form-urlencoded":
		r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, bodyError(err)
		}
		// A JSON object sent under the form type (curl -d, some HTTP
		// libraries' defaults) is read as JSON.
		if trimmed := bytes.TrimSpace(body); len(trimmed) > 0 && trimmed[0] == '{' {
			if obj, err := decodeObject(trimmed); err == nil {
				for k, v := range obj {
					p.v[k] = v
				}
				return p, nil
			}
		}
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, errs.E(errs.Invalid, "malformed form body")
		}
		addValues(p.v, vals)
	default:
		// JSON, whatever the client called it; an empty body is no body.
		r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, bodyError(err)
		}
		body = bytes.TrimSpace(body)
		if len(body) == 0 {
			return p, nil
		}
		if body[0] != '{' {
			if ct == "application/json" || ct == "" {
				return nil, errs.E(errs.Invalid, "the body must be a JSON object")
			}
			return p, nil
		}
		obj, err := decodeObject(body)
		if err != nil {
			return nil, err
		}
		for k, v := range obj {
			p.v[k] = v
		}
	}
	return p, nil
}

// DecodeObject reads a JSON object, with numbers as json.Number. Anything
// but white space after the object is refused, and so is a text anywhere
// in it that no text may hold (CheckText).
func DecodeObject(body []byte) (map[string]any, error) {
	obj, err := decodeObject(body)
	if err != nil {
		return nil, err
	}
	if err := CheckText(obj); err != nil {
		return nil, err
	}
	return obj, nil
}

// CheckText refuses decoded parameters holding a text (a value, a name, a
// text in a list or object value) that no text may hold: invalid UTF-8, or
// a control character other than tab, line feed and carriage return
// (valid.Chars). The error names the top-level parameter. Whether a field
// is one line or several is its core's check.
func CheckText(v map[string]any) error {
	for name, x := range v {
		if err := valid.Chars(name, name); err != nil {
			return errs.InvalidField(name, "a parameter name holds a control character or invalid UTF-8")
		}
		if err := checkValue(name, x); err != nil {
			return err
		}
	}
	return nil
}

func checkValue(field string, x any) error {
	switch x := x.(type) {
	case string:
		return valid.Chars(field, x)
	case []any:
		for _, it := range x {
			if err := checkValue(field, it); err != nil {
				return err
			}
		}
	case map[string]any:
		for k, it := range x {
			if err := valid.Chars(field, k); err != nil {
				return err
			}
			if err := checkValue(field, it); err != nil {
				return err
			}
		}
	}
	return nil
}

func decodeObject(body []byte) (map[string]any, error) {
	bad := errs.E(errs.Invalid, "the body must be a JSON object")
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil || obj == nil {
		return nil, bad
	}
	// dec.More would let a trailing "]" or "}" by.
	if _, err := dec.Token(); err != io.EOF {
		return nil, bad
	}
	return obj, nil
}

func bodyError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return errs.E(errs.Invalid, "the request body is too large")
	}
	return errs.E(errs.Invalid, "malformed request body")
}

func addValues(dst map[string]any, vals url.Values) {
	for k, vs := range vals {
		k = strings.TrimSuffix(k, "[]")
		if len(vs) == 1 {
			dst[k] = vs[0]
			continue
		}
		list := make([]any, len(vs))
		for i, s := range vs {
			list[i] = s
		}
		dst[k] = list
	}
}

// Has tells whether name was given (even as null or "").
func (p *Params) Has(name string) bool { _, ok := p.v[name]; return ok }

// Raw returns the decoded value of name.
func (p *Params) Raw(name string) any { return p.v[name] }

func typeErr(name, want string) error {
	return errs.InvalidField(name, name+" must be "+want)
}

// String returns name as text. Numbers are accepted as their decimal text;
// objects, lists and booleans are not. ok is false when name is absent or null.
func (p *Params) String(name string) (s string, ok bool, err error) {
	switch v := p.v[name].(type) {
	case nil:
		return "", false, nil
	case string:
		return v, true, nil
	case json.Number:
		return v.String(), true, nil
	}
	return "", false, typeErr(name, "a string")
}

// Str is String with absent as "".
func (p *Params) Str(name string) (string, error) {
	s, _, err := p.String(name)
	return s, err
}

// Int returns name as an integer: a JSON integer or a decimal string.
func (p *Params) Int(name string) (n int64, ok bool, err error) {
	switch v := p.v[name].(type) {
	case nil:
		return 0, false, nil
	case json.Number:
		n, err := strconv.ParseInt(v.String(), 10, 64)
		if err != nil {
			if f, ferr := v.Float64(); ferr == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
				return int64(f), true, nil
			}
			return 0, false, typeErr(name, "an integer")
		}
		return n, true, nil
	case string:
		s := strings.TrimSpace(v)
		if s == "" {
			return 0, false, nil
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, false, typeErr(name, "an integer")
		}
		return n, true, nil
	}
	return 0, false, typeErr(name, "an integer")
}

// Bool returns name as a boolean: true/false, 1/0, "true"/"false", "1"/"0".
func (p *Params) Bool(name string) (b bool, ok bool, err error) {
	switch v := p.v[name].(type) {
	case nil:
		return false, false, nil
	case bool:
		return v, true, nil
	case json.Number:
		switch v.String() {
		case "1":
			return true, true, nil
		case "0":
			return false, true, nil
		}
	case string:
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "true", "1":
			return true, true, nil
		case "false", "0":
			return false, true, nil
		}
	}
	return false, false, typeErr(name, "a boolean")
}

// IntList returns name as a list of integers, given as a JSON list, a
// repeated parameter, "1,2,3" or "[1,2,3]". At most max items.
func (p *Params) IntList(name string, max int) (list []int64, ok bool, err error) {
	var items []any
	switch v := p.v[name].(type) {
	case nil:
		return nil, false, nil
	case []any:
		items = v
	case json.Number:
		items = []any{v}
	case string:
		s := strings.TrimSpace(v)
		s = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
		if strings.TrimSpace(s) == "" {
			return []int64{}, true, nil
		}
		for _, part := range strings.Split(s, ",") {
			items = append(items, strings.TrimSpace(part))
		}
	default:
		return nil, false, typeErr(name, "a list of integers")
	}
	if len(items) > max {
		return nil, false, errs.InvalidField(name, name+" has more than "+strconv.Itoa(max)+" items")
	}
	list = make([]int64, 0, len(items))
	for _, it := range items {
		q := NewParams(map[string]any{name: it})
		n, present, err := q.Int(name)
		if err != nil || !present {
			return nil, false, typeErr(name, "a list of integers")
		}
		list = append(list, n)
	}
	return list, true, nil
}

// All returns every parameter (for signature checks); do not modify it.
func (p *Params) All() map[string]any { return p.v }

// PathID reads the record id in the path value name: plain decimal digits
// (valid.ID). Anything else names no record: NotFound.
func PathID(r *http.Request, name string) (int64, error) {
	id, ok := valid.ID(r.PathValue(name))
	if !ok {
		return 0, errs.E(errs.NotFound, "no such "+name)
	}
	return id, nil
}
