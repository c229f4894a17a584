package admin_test

import (
	"testing"

	"plaza/internal/errs"
	"plaza/internal/face/admin"
)

// Every kind of core error has a status chosen on purpose.
func TestEveryKindHasAStatus(t *testing.T) {
	for _, k := range errs.Kinds() {
		if _, ok := admin.KindStatus[k]; !ok {
			t.Errorf("kind %s has no status in the admin face's table", k)
		}
	}
}
