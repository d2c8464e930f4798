package pn532

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestNoHostInit: the driver takes buses, it does not initialise the board
// it runs on. Production files import no periph.io/x/host package (whose
// host.Init loads every host driver); firmware/devices does that once,
// before it opens an I²C or SPI bus by name.
func TestNoHostInit(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); strings.HasPrefix(p, "periph.io/x/host/") {
				t.Errorf("%s imports %s", path, p)
			}
		}
	}
}
