package admin_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"plaza/internal/face/admin/openapi"
	"plaza/internal/plazatest"
)

// The contract: real exchanges with the admin face checked against its
// OpenAPI document (internal/face/admin/openapi) with kin-openapi's
// openapi3filter. To check the calls of a test, use checked{a} where the
// test used an api a: checked has do, ok and fail as api has, and each
// exchange must be an operation of the document, its request valid by the
// document when the server took it (2xx), and its answer (status,
// Content-Type, headers, body) valid by it always. seen(t) then lists the
// operations the test never called.

// contract is the loaded document and its operations.
type contract struct {
	doc *openapi3.T
	ops []contractOp
}

type contractOp struct {
	method, path string         // as in the document: /admin/v1/users/{id}
	re           *regexp.Regexp // the path, with each {name} a segment
	names        []string       // the {name}s, in order
	literal      int            // characters outside {..}: the more, the better a match
	item         *openapi3.PathItem
	op           *openapi3.Operation
}

func (o contractOp) key() string { return o.method + " " + o.path }

var loadContract = sync.OnceValues(func() (*contract, error) {
	// The reference page's files are text, as text/plain is.
	for _, ct := range []string{"text/html", "text/javascript", "text/css"} {
		openapi3filter.RegisterBodyDecoder(ct, openapi3filter.PlainBodyDecoder)
	}
	b, err := openapi.Document()
	if err != nil {
		return nil, err
	}
	doc, err := openapi3.NewLoader().LoadFromData(b)
	if err != nil {
		return nil, err
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, err
	}
	c := &contract{doc: doc}
	seg := regexp.MustCompile(`\{([^}]+)\}`)
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			o := contractOp{method: method, path: path, item: item, op: op}
			for _, m := range seg.FindAllStringSubmatch(path, -1) {
				o.names = append(o.names, m[1])
			}
			o.literal = len(seg.ReplaceAllString(path, ""))
			parts := seg.Split(path, -1)
			for i := range parts {
				parts[i] = regexp.QuoteMeta(parts[i])
			}
			o.re = regexp.MustCompile("^" + strings.Join(parts, "([^/]+)") + "$")
			c.ops = append(c.ops, o)
		}
	}
	slices.SortFunc(c.ops, func(a, b contractOp) int { return strings.Compare(a.key(), b.key()) })
	return c, nil
})

func mustContract(t testing.TB) *contract {
	t.Helper()
	c, err := loadContract()
	if err != nil {
		t.Fatalf("the OpenAPI document: %v", err)
	}
	return c
}

// match finds the operation of method and an unescaped path; pathOnly
// tells the path is in the document with other methods.
func (c *contract) match(method, path string) (op *contractOp, params map[string]string, pathOnly bool) {
	for i := range c.ops {
		o := &c.ops[i]
		m := o.re.FindStringSubmatch(path)
		if m == nil {
			continue
		}
		if o.method != method {
			pathOnly = true
			continue
		}
		if op == nil || o.literal > op.literal {
			op, params = o, map[string]string{}
			for j, n := range o.names {
				params[n] = m[j+1]
			}
		}
	}
	return op, params, pathOnly
}

// check checks one exchange: the request (method, target as sent: path
// and query; its body and Content-Type) and the answer. It returns the
// operation's key, or "" when the document has none (an error unless the
// answer is 404 or 405, as for a route that does not exist).
func (c *contract) check(method, target string, body []byte, contentType string, headers []string, res plazatest.Response) (string, error) {
	u, err := url.Parse(target)
	if err != nil {
		return "", err
	}
	op, params, pathOnly := c.match(method, u.Path)
	if op == nil {
		if res.Status == http.StatusNotFound || (pathOnly && res.Status == http.StatusMethodNotAllowed) {
			return "", nil
		}
		return "", fmt.Errorf("%s %s is not in the document (answered %d)", method, u.Path, res.Status)
	}
	req := httptest.NewRequest(method, "http://plaza.test"+target, bytes.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	route := &routers.Route{Spec: c.doc, Path: op.path, PathItem: op.item, Method: method, Operation: op.op}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}}
	var errs []string
	if res.Status >= 200 && res.Status < 300 {
		// The server took it: the document must take it too.
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			errs = append(errs, "the request, which the server took, is not valid by the document: "+err.Error())
		}
	}
	rin := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: res.Status, Header: res.Header,
		Body: io.NopCloser(bytes.NewReader(res.Body)), Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}}
	if err := openapi3filter.ValidateResponse(context.Background(), rin); err != nil {
		errs = append(errs, fmt.Sprintf("the answer (HTTP %d, %s) is not valid by the document: %v", res.Status, res.Header.Get("Content-Type"), err))
	}
	if len(errs) > 0 {
		return op.key(), fmt.Errorf("%s %s (%s): %s\nbody: %.600s", method, target, op.key(), strings.Join(errs, "; "), res.Body)
	}
	return op.key(), nil
}

// checked is an api whose exchanges are checked against the document.
// Copies share the record of the operations called.
type checked struct {
	api
	called *map[string]bool
}

func check(a api) checked { return checked{api: a, called: &map[string]bool{}} }

// with is c sending another token ("" none).
func (c checked) with(token string) checked { c.api.token = token; return c }

func (c checked) do(method, path string, body any, headers ...string) plazatest.Response {
	c.t.Helper()
	var raw []byte
	ct := ""
	switch b := body.(type) {
	case nil:
	case string:
		raw, ct = []byte(b), "application/json"
	case []byte:
		raw = b
	default:
		j, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		raw, ct = j, "application/json; charset=utf-8"
	}
	if c.token != "" {
		headers = append(headers, "Authorization", "Bearer "+c.token)
	}
	e := c.e
	var res plazatest.Response
	switch body.(type) {
	case nil:
		res = e.Do(method, path, nil, headers...)
	case []byte:
		res = e.Do(method, path, raw, headers...)
	default:
		res = e.Do(method, path, string(raw), append([]string{"Content-Type", ct}, headers...)...)
	}
	key, err := mustContract(c.t).check(method, path, raw, ct, headers, res)
	if err != nil {
		c.t.Error(err)
	}
	if key != "" {
		(*c.called)[key] = true
	}
	return res
}

func (c checked) ok(method, path string, body any, status int) map[string]any {
	c.t.Helper()
	return wantOK(c.t, c.do(method, path, body), method+" "+path, status)
}

func (c checked) fail(method, path string, body any, status int, code, field string) {
	c.t.Helper()
	wantError(c.t, c.do(method, path, body), method+" "+path, status, code, field)
}

// unseen lists the document's operations no request of c called.
func (c checked) unseen() []string {
	var out []string
	for _, o := range mustContract(c.t).ops {
		if !(*c.called)[o.key()] {
			out = append(out, o.key())
		}
	}
	return out
}

// documented lists the document's operations as "METHOD /path".
func documented(t testing.TB) []string {
	var out []string
	for _, o := range mustContract(t).ops {
		out = append(out, o.key())
	}
	return out
}
