package admin_test

import (
	"strings"
	"testing"

	"plaza/internal/face/admin"
)

// Every kind of core error has a status chosen on purpose (reasons keep
// their kind's status on this face).
func TestEveryKindHasAStatus(t *testing.T) {
	for _, m := range admin.Statuses.Missing() {
		if strings.HasPrefix(m, "kind ") {
			t.Errorf("the admin face's status table does not map %s", m)
		}
	}
}
