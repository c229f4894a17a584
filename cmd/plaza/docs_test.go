package main

import (
	"flag"
	"io"
	"os"
	"strings"
	"testing"

	"plaza/internal/config"
)

// docs/deploy.md lists every setting of plaza serve.
func TestDeployDocListsEverySetting(t *testing.T) {
	b, err := os.ReadFile("../../docs/deploy.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	var c config.Config
	config.FlagSet("plaza serve", &c, io.Discard).VisitAll(func(f *flag.Flag) {
		if env := config.EnvName(f.Name); !strings.Contains(doc, "`"+env+"`") {
			t.Errorf("docs/deploy.md does not list %s", env)
		}
	})
}
