package identity_test

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImports: identity is shared by every profile, so it imports none of
// them, nor the store, metrics (Observer), the kiosk wiring or the UI.
func TestImports(t *testing.T) {
	banned := []string{"github.com/kiosk06/kiosk/ui", "github.com/kiosk06/kiosk/firmware/store", "github.com/kiosk06/kiosk/firmware/metrics",
		"github.com/kiosk06/kiosk/firmware/kiosk", "github.com/kiosk06/kiosk/firmware/hospital", "github.com/kiosk06/kiosk/firmware/transit",
		"github.com/kiosk06/kiosk/firmware/parking", "fyne.io/"}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			for _, b := range banned {
				if strings.HasPrefix(p, b) {
					t.Errorf("%s imports %s", name, p)
				}
			}
		}
	}
}
