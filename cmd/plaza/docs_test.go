package main

import (
	"flag"
	"io"
	"os"
	"strings"
	"testing"

	"plaza/internal/config"
)

// docs/deploy.md and the README list every setting of plaza serve.
func TestDocsListEverySetting(t *testing.T) {
	for _, path := range []string{"../../docs/deploy.md", "../../README.md"} {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		doc := string(b)
		var c config.Config
		config.FlagSet("plaza serve", &c, io.Discard).VisitAll(func(f *flag.Flag) {
			if env := config.EnvName(f.Name); !strings.Contains(doc, "`"+env+"`") {
				t.Errorf("%s does not list %s", path, env)
			}
		})
	}
}
