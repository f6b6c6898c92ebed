package rules

import (
	"testing"

	"github.com/dockvet/dockvet/internal/initcheck"
)

// TestNoStartupWork: the package builds nothing when the program starts
// (every run of dockvet would pay for it); tables are literals or built on
// first use.
func TestNoStartupWork(t *testing.T) {
	found, err := initcheck.Check(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range found {
		t.Error(f)
	}
}
