// Package openapi assembles the admin API's OpenAPI 3.1 document from the
// fragments embedded here: base.json (openapi, info, servers, security
// schemes, the shared schemas and responses) and every other *.json, each
// an object {"paths": {...}, "components": {"schemas": {...},
// "parameters": {...}, "responses": {...}, "headers": {...}}}; the catalog's
// collections add a fragment made from their field definitions
// (collections.go). A path or component name given twice, or a key a
// fragment may not hold, is an error.
package openapi

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"sort"
	"strings"
)

//go:embed *.json
var files embed.FS

// Document is the whole document, as JSON.
func Document() ([]byte, error) {
	base, err := files.ReadFile("base.json")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(files, "*.json")
	if err != nil {
		return nil, err
	}
	frags := map[string][]byte{}
	for _, n := range names {
		if n == "base.json" {
			continue
		}
		if frags[n], err = files.ReadFile(n); err != nil {
			return nil, err
		}
	}
	gen, err := json.Marshal(collections())
	if err != nil {
		return nil, err
	}
	frags["(catalog collections)"] = gen
	return Assemble(base, frags)
}

// baseKeys are the keys base.json may hold; fragmentKeys and componentKeys
// those of a fragment and of its components.
var (
	baseKeys      = []string{"openapi", "info", "servers", "security", "tags", "paths", "components", "jsonSchemaDialect"}
	fragmentKeys  = []string{"paths", "components", "tags"}
	componentKeys = []string{"schemas", "parameters", "responses", "headers", "securitySchemes", "requestBodies"}
)

// Assemble merges the fragments (by name, for messages) into base.
func Assemble(base []byte, fragments map[string][]byte) ([]byte, error) {
	doc, err := object("base.json", base, baseKeys)
	if err != nil {
		return nil, err
	}
	if doc["openapi"] != "3.1.0" {
		return nil, fmt.Errorf("base.json: openapi is %v, want 3.1.0", doc["openapi"])
	}
	// where tells which file brought a path, a component or a tag.
	where := map[string]string{}
	if err := merge(doc, "base.json", doc, where, true); err != nil {
		return nil, err
	}
	names := slices.Sorted(maps.Keys(fragments))
	for _, n := range names {
		frag, err := object(n, fragments[n], fragmentKeys)
		if err != nil {
			return nil, err
		}
		if err := merge(doc, n, frag, where, false); err != nil {
			return nil, err
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// object decodes a file that must be a JSON object of the allowed keys.
func object(name string, b []byte, allowed []string) (map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if d.More() {
		return nil, fmt.Errorf("%s: more than one JSON value", name)
	}
	if m == nil {
		return nil, fmt.Errorf("%s: not a JSON object", name)
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if !slices.Contains(allowed, k) {
			return nil, fmt.Errorf("%s: unknown key %q (allowed: %s)", name, k, strings.Join(allowed, ", "))
		}
	}
	if c, ok := m["components"]; ok {
		cm, ok := c.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: components is not an object", name)
		}
		for _, k := range slices.Sorted(maps.Keys(cm)) {
			if !slices.Contains(componentKeys, k) {
				return nil, fmt.Errorf("%s: unknown key components.%s (allowed: %s)", name, k, strings.Join(componentKeys, ", "))
			}
		}
	}
	return m, nil
}

// merge adds frag's paths, components and tags to doc; first: frag is
// doc itself (base.json), whose names are only recorded.
func merge(doc map[string]any, name string, frag map[string]any, where map[string]string, first bool) error {
	add := func(section string, into, from map[string]any) error {
		for _, k := range slices.Sorted(maps.Keys(from)) {
			key := section + " " + k
			if prev, dup := where[key]; dup {
				return fmt.Errorf("%s: %s is also in %s", name, key, prev)
			}
			where[key] = name
			if !first {
				into[k] = from[k]
			}
		}
		return nil
	}
	sub := func(m map[string]any, k string) (map[string]any, error) {
		v, ok := m[k]
		if !ok {
			v = map[string]any{}
			m[k] = v
		}
		o, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: %s is not an object", name, k)
		}
		return o, nil
	}
	paths, err := sub(frag, "paths")
	if err != nil {
		return err
	}
	docPaths, err := sub(doc, "paths")
	if err != nil {
		return err
	}
	if err := add("path", docPaths, paths); err != nil {
		return err
	}
	comps, err := sub(frag, "components")
	if err != nil {
		return err
	}
	docComps, err := sub(doc, "components")
	if err != nil {
		return err
	}
	for _, section := range slices.Sorted(maps.Keys(comps)) {
		from, err := sub(comps, section)
		if err != nil {
			return err
		}
		into, err := sub(docComps, section)
		if err != nil {
			return err
		}
		if err := add("components."+section, into, from); err != nil {
			return err
		}
	}
	if tags, ok := frag["tags"]; ok {
		list, ok := tags.([]any)
		if !ok {
			return fmt.Errorf("%s: tags is not a list", name)
		}
		for _, t := range list {
			tm, _ := t.(map[string]any)
			tn, _ := tm["name"].(string)
			if tn == "" {
				return fmt.Errorf("%s: a tag without a name", name)
			}
			if prev, dup := where["tag "+tn]; dup {
				return fmt.Errorf("%s: tag %s is also in %s", name, tn, prev)
			}
			where["tag "+tn] = name
			if !first {
				docTags, _ := doc["tags"].([]any)
				doc["tags"] = append(docTags, t)
			}
		}
	}
	if !first {
		if tags, ok := doc["tags"].([]any); ok {
			sort.SliceStable(tags, func(i, j int) bool { return tagName(tags[i]) < tagName(tags[j]) })
		}
	}
	return nil
}

func tagName(t any) string { m, _ := t.(map[string]any); s, _ := m["name"].(string); return s }
