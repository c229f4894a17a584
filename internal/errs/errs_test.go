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

var (
	reasonOwn  = errs.NewReason("errs_test.own")
	reasonKind = errs.NewReason("errs_test.kind")
)

func TestCodes(t *testing.T) {
	kinds := map[errs.Kind]int{}
	for _, k := range errs.Kinds() {
		kinds[k] = 100 + int(k)
	}
	table := errs.Codes[int]{Kinds: kinds, Reasons: map[errs.Reason]int{reasonOwn: 7}, ByKind: []errs.Reason{reasonKind}, Default: -1}
	if got := table.Of(errs.R(errs.NotFound, reasonOwn, "")); got != 7 {
		t.Errorf("own reason: %d", got)
	}
	if got := table.Of(errs.R(errs.NotFound, reasonKind, "")); got != 100+int(errs.NotFound) {
		t.Errorf("by-kind reason: %d", got)
	}
	if got := table.Of(errors.New("foreign")); got != 100+int(errs.Internal) {
		t.Errorf("foreign error: %d", got)
	}
	missing := table.Missing()
	if !slices.Contains(missing, "reason errs_test.example") || slices.Contains(missing, "reason errs_test.own") || slices.Contains(missing, "reason errs_test.kind") {
		t.Errorf("Missing() = %v", missing)
	}
	delete(kinds, errs.Expired)
	table.ByKind = append(table.ByKind, reasonOwn)
	missing = table.Missing()
	if !slices.Contains(missing, "kind expired") || !slices.Contains(missing, "reason errs_test.own both has a code and keeps its kind's") {
		t.Errorf("Missing() = %v", missing)
	}
	if got := table.Of(errs.E(errs.Expired, "")); got != -1 {
		t.Errorf("unmapped kind: %d, want the default", got)
	}
}
