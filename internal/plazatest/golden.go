package plazatest

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files (go test ./... -run Golden -args -update)")

// Golden compares a session's answers with testdata/<name>.golden.json.
// Values under randomKeys change on every run; each distinct one is shown
// as "<key-N>", numbered by first appearance, and the same value met under
// any other key (a uid as from_id, say) shows the same way.
func Golden(t *testing.T, name string, answers [][]byte, randomKeys ...string) {
	t.Helper()
	random := map[string]bool{}
	for _, k := range randomKeys {
		random[k] = true
	}
	seen := map[string]string{} // random value -> placeholder
	counts := map[string]int{}
	// learn numbers the random values in order of appearance.
	var learn func(key string, v any)
	learn = func(key string, v any) {
		switch x := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys) // map order is random; numbering must not be
			for _, k := range keys {
				learn(k, x[k])
			}
		case []any:
			for _, e := range x {
				learn(key, e)
			}
		case string:
			if _, ok := seen[x]; !ok && random[key] && x != "" {
				counts[key]++
				seen[x] = fmt.Sprintf("<%s-%d>", key, counts[key])
			}
		}
	}
	// replace shows every random value, under any key, by its placeholder.
	var replace func(v any) any
	replace = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				x[k] = replace(e)
			}
		case []any:
			for i := range x {
				x[i] = replace(x[i])
			}
		case string:
			if p, ok := seen[x]; ok {
				return p
			}
		}
		return v
	}
	var all []any
	for _, a := range answers {
		var v any
		d := json.NewDecoder(bytes.NewReader(a))
		d.UseNumber()
		if err := d.Decode(&v); err != nil {
			t.Fatalf("answer is not JSON: %s", a)
		}
		all = append(all, v)
	}
	for _, v := range all {
		learn("", v)
	}
	for i := range all {
		all[i] = replace(all[i])
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(all); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", name+".golden.json")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -run Golden -args -update writes it)", err)
	}
	if !bytes.Equal(bytes.TrimSpace(buf.Bytes()), bytes.TrimSpace(want)) {
		t.Fatalf("answers differ from %s:\n%s", path, buf.Bytes())
	}
}
