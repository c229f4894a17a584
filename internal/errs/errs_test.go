package errs_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"plaza/internal/errs"
)

var reasonTest = errs.NewReason("errs_test.example")

func TestReasons(t *testing.T) {
	if !slices.Contains(errs.Reasons(), reasonTest) {
		t.Fatalf("Reasons() lacks %s", reasonTest)
	}
	err := fmt.Errorf("wrapped: %w", errs.R(errs.NotFound, reasonTest, "no such example"))
	if errs.ReasonOf(err) != reasonTest || errs.KindOf(err) != errs.NotFound {
		t.Fatalf("ReasonOf/KindOf of %v", err)
	}
	if errs.ReasonOf(errors.New("plain")) != (errs.Reason{}) || errs.ReasonOf(errs.E(errs.Invalid, "x")) != (errs.Reason{}) {
		t.Fatal("an error without a reason has one")
	}
	if got := err.Error(); got != "wrapped: not_found/errs_test.example: no such example" {
		t.Fatalf("Error() = %q", got)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("a reason declared twice did not panic")
		}
	}()
	errs.NewReason("errs_test.example")
}

func TestKinds(t *testing.T) {
	ks := errs.Kinds()
	if len(ks) == 0 || ks[0] != errs.Internal || !slices.Contains(ks, errs.Unavailable) {
		t.Fatalf("Kinds() = %v", ks)
	}
	for _, k := range ks {
		if k.String() == fmt.Sprintf("kind(%d)", int(k)) {
			t.Errorf("kind %d has no name", int(k))
		}
	}
}
