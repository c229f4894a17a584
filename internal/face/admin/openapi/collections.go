package openapi

import (
	"strings"

	"plaza/internal/catalog"
)

// The catalog's collections are described from their field definitions
// (internal/catalog), so the document follows a field added or changed
// there: for each collection, its record (Catalog<Name>), the bodies of a
// create and an update, a page of records, and the five routes of
// internal/face/admin/collections.go.

type obj = map[string]any

// checkNotes say what a field's Check accepts.
var checkNotes = map[string]string{
	"date":  "a date YYYY-MM-DD",
	"email": "an e-mail address such as name@example.com",
	"phone": "a phone number (5 to 20 digits with spaces, +, -, parentheses)",
	"url":   "an absolute URL with a scheme (https://..., or an app link such as yuanyi://ticket/3)",
	"media": "a media id (\"<uuid>.<ext>\") or an image URL, without spaces",
}

const hexID = "^[0-9a-f]{32}$"

// text is the schema of a text value of f (a Text, Enum or sub-field).
func text(f catalog.Field) obj {
	s := obj{"type": "string"}
	max := f.Max
	if max == 0 {
		max = 255
	}
	s["maxLength"] = max
	if f.Kind == catalog.Enum {
		s["enum"] = f.Options
		delete(s, "maxLength")
	}
	// A required text is never empty: not on create, not on update.
	if f.Required && f.Kind != catalog.Enum {
		s["minLength"] = 1
	}
	var notes []string
	if n := checkNotes[f.CheckName()]; n != "" {
		if !f.Required {
			n += ", or empty"
		}
		notes = append(notes, n)
	}
	if f.Multiline {
		notes = append(notes, "may hold tabs and line breaks")
	} else if f.Kind == catalog.Text {
		notes = append(notes, "one line")
	}
	if f.CheckName() == "date" {
		s["pattern"] = `^([0-9]{4}-[0-9]{2}-[0-9]{2})?$`
	}
	if len(notes) > 0 {
		s["description"] = strings.Join(notes, "; ")
	}
	return s
}

// field is the schema of f's value: in a record (in false) or in a body
// (the same on create and update: a required field may not be emptied).
func field(f catalog.Field, in bool) obj {
	nullable := func(s obj, null bool) obj {
		if null {
			s["type"] = []any{s["type"], "null"}
		}
		return s
	}
	switch f.Kind {
	case catalog.Int:
		s := obj{"type": "integer", "minimum": f.Min}
		if f.Max != 0 {
			s["maximum"] = f.Max
		}
		return nullable(s, f.Null)
	case catalog.Bool:
		return obj{"type": "boolean"}
	case catalog.PublicID:
		s := obj{"type": "string", "pattern": hexID, "description": "the public id: 32 lowercase hexadecimal digits, made on create unless given; never changes"}
		return s
	case catalog.Ref:
		ref := f.RefName
		if ref == "" {
			ref = f.RefTable
		}
		if !in {
			return nullable(obj{"type": "integer", "minimum": 1, "description": "the id of a " + ref + " record"}, !f.Required)
		}
		types := []any{"integer"}
		desc := "the id of a " + ref + " record"
		s := obj{"minimum": 1}
		if f.RefPublic != "" {
			types = append(types, "string")
			s["pattern"] = hexID
			desc += ", or its " + f.RefPublic + " (32 lowercase hexadecimal digits)"
		}
		if !f.Required {
			types = append(types, "null")
		}
		s["type"] = types
		s["description"] = desc
		return s
	case catalog.List:
		max := f.Max
		if max == 0 {
			max = 20
		}
		item := text(catalog.Field{Kind: catalog.Text, Max: int64(f.ItemMax), Check: f.Check, Required: true})
		s := obj{"type": "array", "items": item, "maxItems": max}
		if f.Required && in {
			s["minItems"] = 1
		}
		return s
	case catalog.Object:
		props := obj{}
		var req []string
		for _, sf := range f.Sub {
			props[sf.Name] = text(sf)
			if sf.Required || !in {
				req = append(req, sf.Name)
			}
		}
		s := obj{"type": "object", "properties": props, "required": req, "additionalProperties": false}
		if !in {
			s["description"] = "null when every sub-field is empty"
		} else {
			s["description"] = "given whole: absent sub-fields become empty"
		}
		return nullable(s, !f.Required)
	}
	return text(f)
}

// typeName is a collection's name in schema names: exchange-products is
// ExchangeProducts.
func typeName(name string) string {
	var b strings.Builder
	for _, part := range strings.Split(name, "-") {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}

func ref(kind, name string) obj { return obj{"$ref": "#/components/" + kind + "/" + name} }

func jsonBody(schema obj) obj {
	return obj{"content": obj{"application/json": obj{"schema": schema}}}
}

func reply(desc string, schema obj) obj {
	r := obj{"description": desc}
	if schema != nil {
		r["content"] = obj{"application/json": obj{"schema": schema}}
	}
	return r
}

// search is the ?q= of c's list.
func search(c *catalog.Collection) obj {
	var in, whole []string
	for _, f := range c.Fields {
		switch {
		case f.Kind == catalog.PublicID:
			whole = append(whole, f.Name)
		case f.Searchable():
			in = append(in, f.Name)
		}
	}
	var ways []string
	if len(in) > 0 {
		ways = append(ways, "that contain it (Latin letters in any case) in "+strings.Join(in, ", "))
	}
	for _, n := range whole {
		ways = append(ways, "whose "+n+" it is")
	}
	desc := "finds the records " + strings.Join(append(ways, "whose id it is"), ", or ")
	return obj{"name": "q", "in": "query", "description": desc, "schema": obj{"type": "string", "maxLength": catalog.MaxSearch}}
}

// sortBy is the ?sort= of c's list.
func sortBy(c *catalog.Collection) obj {
	names := []string{"id", "created_at", "updated_at"}
	for _, f := range c.Fields {
		if f.Sortable() {
			names = append(names, f.Name)
		}
	}
	var enum []any
	for _, n := range names {
		enum = append(enum, n, "-"+n)
	}
	return obj{"name": "sort", "in": "query", "description": "the order: a field, descending with a leading -; ties newest first",
		"schema": obj{"enum": enum, "default": "-id"}}
}

// collections is the fragment of the catalog's collections.
func collections() obj {
	paths, schemas := obj{}, obj{}
	var tags []any
	for _, c := range catalog.Collections() {
		n := typeName(c.Name)
		rec, create, update := "Catalog"+n, "Catalog"+n+"Create", "Catalog"+n+"Update"
		tags = append(tags, obj{"name": c.Name, "description": "The catalog's " + c.Name + " records (table " + c.Table + ")."})

		recProps := obj{
			"id":         obj{"type": "integer", "minimum": 1},
			"created_at": obj{"type": "string", "format": "date-time"},
			"updated_at": obj{"type": "string", "format": "date-time"},
		}
		recReq := []string{"id", "created_at", "updated_at"}
		createProps, updateProps := obj{}, obj{}
		var createReq []string
		var createAll, updateAll []any // rules over the names of a field
		for _, f := range c.Fields {
			s := field(f, false)
			if f.ReadOnly {
				s["readOnly"] = true
				s["description"] = "kept by its core; never written through this API"
			}
			recProps[f.Name] = s
			recReq = append(recReq, f.Name)
			if f.ReadOnly {
				continue
			}
			createProps[f.Name] = field(f, true)
			updateProps[f.Name] = field(f, true)
			names := append([]any{f.Name}, anys(f.Aliases)...)
			if f.Required && f.Kind != catalog.PublicID {
				if len(f.Aliases) == 0 {
					createReq = append(createReq, f.Name)
				} else { // under one of its names
					var alts []any
					for _, n := range names {
						alts = append(alts, obj{"required": []any{n}})
					}
					createAll = append(createAll, obj{"anyOf": alts})
				}
			}
			// Never under two of its names.
			for i := range names {
				for j := i + 1; j < len(names); j++ {
					twice := obj{"not": obj{"required": []any{names[i], names[j]}}}
					createAll, updateAll = append(createAll, twice), append(updateAll, twice)
				}
			}
			for _, a := range f.Aliases {
				for _, props := range []obj{createProps, updateProps} {
					s := field(f, true)
					s["deprecated"] = true
					s["description"] = "an earlier name of " + f.Name + " (never together with it)"
					props[a] = s
				}
			}
		}
		schemas[rec] = obj{"type": "object", "properties": recProps, "required": recReq, "additionalProperties": false}
		cs := obj{"type": "object", "properties": createProps, "additionalProperties": false,
			"description": "A new " + c.Name + " record: absent fields get their defaults (empty, 0, false, null, [])."}
		if len(createReq) > 0 {
			cs["required"] = createReq
		}
		if len(createAll) > 0 {
			cs["allOf"] = createAll
		}
		schemas[create] = cs
		us := obj{"type": "object", "properties": updateProps, "additionalProperties": false,
			"description": "The fields to change; the others stay."}
		if len(updateAll) > 0 {
			us["allOf"] = updateAll
		}
		schemas[update] = us
		page := obj{"allOf": []any{ref("schemas", "Page"), obj{"properties": obj{"items": obj{"type": "array", "items": ref("schemas", rec)}}}}}

		base := "/admin/v1/" + c.Name
		errors := func(codes ...string) obj {
			out := obj{}
			for _, code := range codes {
				out[code] = ref("responses", map[string]string{"400": "BadRequest", "401": "Unauthorized", "403": "Forbidden",
					"404": "NotFound", "409": "Conflict", "5XX": "ServerError"}[code])
			}
			return out
		}
		with := func(m obj, more obj) obj {
			for k, v := range more {
				m[k] = v
			}
			return m
		}
		paths[base] = obj{
			"get": obj{"operationId": "list" + n, "tags": []any{c.Name}, "summary": "List " + c.Name + " records, newest first unless sorted",
				"parameters": []any{ref("parameters", "Page"), ref("parameters", "PageSize"), search(c), sortBy(c)},
				"responses":  with(errors("400", "401", "403", "5XX"), obj{"200": reply("A page of records", page)})},
			"post": obj{"operationId": "create" + n, "tags": []any{c.Name}, "summary": "Create a " + c.Name + " record",
				"requestBody": with(jsonBody(ref("schemas", create)), obj{"required": true}),
				"responses":   with(errors("400", "401", "403", "409", "5XX"), obj{"201": reply("The new record", ref("schemas", rec))})},
		}
		paths[base+"/{id}"] = obj{
			"parameters": []any{ref("parameters", "ID")},
			"get": obj{"operationId": "get" + n, "tags": []any{c.Name}, "summary": "Read a " + c.Name + " record",
				"responses": with(errors("401", "403", "404", "5XX"), obj{"200": reply("The record", ref("schemas", rec))})},
			"patch": obj{"operationId": "update" + n, "tags": []any{c.Name}, "summary": "Change fields of a " + c.Name + " record",
				"requestBody": with(jsonBody(ref("schemas", update)), obj{"required": true}),
				"responses":   with(errors("400", "401", "403", "404", "409", "5XX"), obj{"200": reply("The record as changed", ref("schemas", rec))})},
			"delete": obj{"operationId": "delete" + n, "tags": []any{c.Name}, "summary": "Delete a " + c.Name + " record",
				"description": "A record other records refer to (a merchant with clothes) is refused with 409.",
				"responses":   with(errors("401", "403", "404", "409", "5XX"), obj{"204": obj{"description": "Deleted"}})},
		}
	}
	return obj{"paths": paths, "components": obj{"schemas": schemas}, "tags": tags}
}

func anys(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
