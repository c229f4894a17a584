package openapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"plaza/internal/face/admin/openapi"
)

// The whole document loads and validates as OpenAPI 3.1 with kin-openapi:
// the structure of every object, every $ref resolved, operation ids
// unique, path parameters declared, and every schema a valid JSON Schema
// 2020-12 schema (kin-openapi compiles them with santhosh-tekuri/jsonschema).
func TestDocumentValidates(t *testing.T) {
	b, err := openapi.Document()
	if err != nil {
		t.Fatal(err)
	}
	l := openapi3.NewLoader()
	doc, err := l.LoadFromData(b)
	if err != nil {
		t.Fatal(err)
	}
	if !doc.IsOpenAPI31OrLater() {
		t.Fatalf("openapi %s", doc.OpenAPI)
	}
	if err := doc.Validate(context.Background(), openapi3.EnableSchemaFormatValidation(), openapi3.EnableExamplesValidation()); err != nil {
		t.Fatal(err)
	}
	// Every schema compiles as JSON Schema 2020-12: validate a value
	// against each (the answer does not matter, a compile error does).
	for name, s := range doc.Components.Schemas {
		if err := s.Value.VisitJSON(map[string]any{}, openapi3.EnableJSONSchema2020()); err != nil && strings.Contains(err.Error(), "compil") {
			t.Errorf("schema %s: %v", name, err)
		}
	}
	// Every operation has an id, a summary, a tag, and says its errors.
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.OperationID == "" || op.Summary == "" || len(op.Tags) == 0 {
				t.Errorf("%s %s: operationId %q, summary %q, tags %v", method, path, op.OperationID, op.Summary, op.Tags)
			}
			if op.Security == nil || len(*op.Security) > 0 {
				if op.Responses.Value("401") == nil {
					t.Errorf("%s %s needs a session and has no 401", method, path)
				}
			}
		}
	}
}

func TestAssembleRefuses(t *testing.T) {
	base := `{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/a": {}}, "components": {"schemas": {"Error": {}}}}`
	for _, c := range []struct {
		name  string
		base  string
		frags map[string]string
		want  string
	}{
		{"a path twice", base, map[string]string{"x.json": `{"paths": {"/a": {}}}`}, "path /a is also in base.json"},
		{"a path in two fragments", base, map[string]string{"x.json": `{"paths": {"/b": {}}}`, "y.json": `{"paths": {"/b": {}}}`}, "y.json: path /b is also in x.json"},
		{"a schema twice", base, map[string]string{"x.json": `{"components": {"schemas": {"Error": {}}}}`}, "components.schemas Error is also in base.json"},
		{"a parameter twice", base, map[string]string{"x.json": `{"components": {"parameters": {"P": {}}}}`, "y.json": `{"components": {"parameters": {"P": {}}}}`}, "components.parameters P"},
		{"a tag twice", base, map[string]string{"x.json": `{"tags": [{"name": "t"}]}`, "y.json": `{"tags": [{"name": "t"}]}`}, "tag t is also in x.json"},
		{"an unknown top-level key", base, map[string]string{"x.json": `{"paths": {}, "info": {}}`}, `x.json: unknown key "info"`},
		{"an unknown component key", base, map[string]string{"x.json": `{"components": {"links": {}}}`}, "unknown key components.links"},
		{"an unknown key in base", `{"openapi": "3.1.0", "webhooks": {}}`, nil, `base.json: unknown key "webhooks"`},
		{"not 3.1.0", `{"openapi": "3.0.3"}`, nil, "want 3.1.0"},
		{"not an object", base, map[string]string{"x.json": `[]`}, "x.json"},
		{"two values", base, map[string]string{"x.json": `{} {}`}, "more than one JSON value"},
		{"paths not an object", base, map[string]string{"x.json": `{"paths": []}`}, "paths is not an object"},
	} {
		frags := map[string][]byte{}
		for k, v := range c.frags {
			frags[k] = []byte(v)
		}
		_, err := openapi.Assemble([]byte(c.base), frags)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error with %q", c.name, err, c.want)
		}
	}
	out, err := openapi.Assemble([]byte(base), map[string][]byte{"x.json": []byte(`{"paths": {"/b": {}}, "components": {"schemas": {"B": {}}}, "tags": [{"name": "b"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"/a"`, `"/b"`, `"B"`, `"Error"`, `"name": "b"`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("assembled document has no %s: %s", want, out)
		}
	}
}

// The catalog's schemas follow its fields: a field's earlier name is
// taken, never with its name; required fields are required on create;
// read-only fields are in records and in no body.
func TestCollectionSchemas(t *testing.T) {
	b, err := openapi.Document()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(b)
	if err != nil {
		t.Fatal(err)
	}
	s := doc.Components.Schemas
	valid := func(schema string, v map[string]any) bool {
		return s[schema].Value.VisitJSON(v, openapi3.EnableJSONSchema2020()) == nil
	}
	for _, c := range []struct {
		schema string
		value  map[string]any
		want   bool
	}{
		{"CatalogClothesCreate", map[string]any{"kind": "merchant", "name": "Robe", "merchant": float64(3)}, true},
		{"CatalogClothesCreate", map[string]any{"kind": "merchant", "name": "Robe", "merchant_id": "0123456789abcdef0123456789abcdef"}, true},
		{"CatalogClothesCreate", map[string]any{"kind": "merchant", "name": "Robe", "merchant": float64(3), "merchant_id": float64(3)}, false},
		{"CatalogClothesUpdate", map[string]any{"merchant": float64(3), "merchant_id": float64(3)}, false},
		{"CatalogClothesCreate", map[string]any{"kind": "merchant"}, false},
		{"CatalogClothesCreate", map[string]any{"kind": "hat", "name": "Robe"}, false},
		{"CatalogClothesCreate", map[string]any{"kind": "merchant", "name": ""}, false},
		{"CatalogClothesUpdate", map[string]any{"name": ""}, false},
		{"CatalogClothesUpdate", map[string]any{"id": float64(1)}, false},
		{"CatalogExchangeProductsCreate", map[string]any{"name": "P", "diamond": float64(1), "bought": float64(0)}, false},
		{"CatalogExchangeProductsCreate", map[string]any{"name": "P", "diamond": float64(1), "stock": nil, "category": nil}, true},
		{"CatalogExchangeProductsCreate", map[string]any{"name": "P", "diamond": float64(1), "category": map[string]any{"name": "x"}}, false},
		{"CatalogProjectsCreate", map[string]any{"name": "P", "master_id": nil}, false},
		{"CatalogMastersCreate", map[string]any{"name": "M", "birthday": "1990-01-02", "user_id": nil}, true},
		{"CatalogMastersCreate", map[string]any{"name": "M", "birthday": "02.01.1990"}, false},
		{"PushRequest", map[string]any{"push_title": "T", "title": "T"}, false},
		{"PushRequest", map[string]any{"title": "T", "body": "B"}, true},
	} {
		if got := valid(c.schema, c.value); got != c.want {
			t.Errorf("%s %v: valid %v, want %v", c.schema, c.value, got, c.want)
		}
	}
	if _, ok := s["CatalogExchangeProducts"].Value.Properties["bought"]; !ok {
		t.Errorf("bought is not in the record")
	}
}

// The document is valid by the OpenAPI Initiative's own JSON Schema of an
// OpenAPI 3.1 document (testdata/oas31, the "schema-base" variant, which
// also checks every Schema Object against the OpenAPI 3.1 dialect of
// JSON Schema 2020-12), with a validator of its own
// (santhosh-tekuri/jsonschema): what kin-openapi's own rules might let
// through.
func TestDocumentValidByOASSchema(t *testing.T) {
	c := jsonschema.NewCompiler()
	for _, name := range []string{"schema", "schema-base", "dialect", "meta"} {
		b, err := os.ReadFile(filepath.Join("testdata", "oas31", name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		id, _ := v.(map[string]any)["$id"].(string)
		if err := c.AddResource(id, v); err != nil {
			t.Fatal(err)
		}
	}
	sch, err := c.Compile("https://spec.openapis.org/oas/3.1/schema-base/WORK-IN-PROGRESS")
	if err != nil {
		t.Fatal(err)
	}
	b, err := openapi.Document()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(doc); err != nil {
		t.Fatalf("%v", err)
	}
	// And it would catch a broken one.
	small := func(typ string) any {
		v, _ := jsonschema.UnmarshalJSON(strings.NewReader(`{"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
		"paths": {"/a": {"get": {"responses": {"200": {"description": "x", "content": {"application/json": {"schema": {"type": "` + typ + `"}}}}}}}}}`))
		return v
	}
	if err := sch.Validate(small("integer")); err != nil {
		t.Fatalf("a good small document: %v", err)
	}
	if sch.Validate(small("integr")) == nil {
		t.Fatal("a schema of type integr passed")
	}
}

// schemaWords are the keywords a Schema Object of the document may use:
// JSON Schema 2020-12's and OpenAPI's. JSON Schema ignores any other
// word, so a misspelt one ("maxLenght") would silently check nothing;
// neither kin-openapi nor the OAS schema refuses it, this test does.
var schemaWords = strings.Fields(`$ref $comment type enum const properties required additionalProperties
	unevaluatedProperties patternProperties propertyNames minProperties maxProperties items prefixItems
	minItems maxItems uniqueItems contains allOf anyOf oneOf not if then else dependentRequired
	minimum maximum exclusiveMinimum exclusiveMaximum multipleOf minLength maxLength pattern format
	title description default examples readOnly writeOnly deprecated discriminator contentMediaType`)

func TestSchemaKeywords(t *testing.T) {
	b, err := openapi.Document()
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	n := 0
	var schema func(at string, v any)
	schema = func(at string, v any) {
		s, ok := v.(map[string]any)
		if !ok {
			if _, isBool := v.(bool); !isBool {
				t.Errorf("%s: a schema that is no object", at)
			}
			return
		}
		n++
		for k, sub := range s {
			if !slices.Contains(schemaWords, k) && !strings.HasPrefix(k, "x-") {
				t.Errorf("%s: unknown schema keyword %q", at, k)
			}
			switch k {
			case "properties", "patternProperties":
				m, _ := sub.(map[string]any)
				for name, p := range m {
					schema(at+"/"+k+"/"+name, p)
				}
			case "items", "additionalProperties", "unevaluatedProperties", "not", "if", "then", "else", "contains", "propertyNames":
				schema(at+"/"+k, sub)
			case "allOf", "anyOf", "oneOf", "prefixItems":
				list, _ := sub.([]any)
				for i, p := range list {
					schema(fmt.Sprintf("%s/%s/%d", at, k, i), p)
				}
			}
		}
	}
	// Every "schema" of a parameter, header or media type, and every
	// component schema.
	var walk func(at string, v any)
	walk = func(at string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, sub := range v {
				switch {
				case k == "schema":
					schema(at+"/schema", sub)
				case at == "/components" && k == "schemas":
					for name, s := range sub.(map[string]any) {
						schema(at+"/schemas/"+name, s)
					}
				default:
					walk(at+"/"+k, sub)
				}
			}
		case []any:
			for i, sub := range v {
				walk(fmt.Sprintf("%s/%d", at, i), sub)
			}
		}
	}
	walk("", doc)
	if n < 500 {
		t.Fatalf("only %d schemas seen", n)
	}
}
