package ui

import (
	"bytes"
	"encoding/json"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestNoDriverImports: production code under ui/ imports no drivers/…
// package and not firmware/simrig (the UI renders flow state and sends
// intents). Test files may build the flow's fakes.
func TestNoDriverImports(t *testing.T) {
	banned := []string{"github.com/kiosk06/kiosk/drivers/", "github.com/kiosk06/kiosk/firmware/simrig"}
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			for _, b := range banned {
				if strings.HasPrefix(p, b) {
					t.Errorf("%s imports %s", path, p)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// listed is one package of `go list -deps -json` output.
type listed struct {
	ImportPath string
	Imports    []string
}

// importGraph is every package the module's packages depend on, built with
// tags, as `go list -deps -json` reports it: import path → its imports.
func importGraph(t *testing.T, tags string) map[string][]string {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "-json=ImportPath,Imports", "-tags", tags, module+"/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -tags %q: %v\n%s", tags, err, stderr.String())
	}
	graph := map[string][]string{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listed
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("go list -json: %v", err)
		}
		graph[p.ImportPath] = p.Imports
	}
	return graph
}

const module = "github.com/kiosk06/kiosk"

// inUI: the package is ui or under it.
func inUI(p string) bool { return p == module+"/ui" || strings.HasPrefix(p, module+"/ui/") }

// TestFyneOnlyInUI: no package of the module outside ui/ imports Fyne,
// directly or through anything it imports without passing through a ui/
// package — the whole dependency closure, with every build tag set the
// module is built with (the packaged variants, -tags sim, nogui). A cmd
// that imports a ui room is fine; a cmd (or flow, or library) that reaches
// Fyne another way is not. And a nogui kioskd links no Fyne and no ui/ package at all.
func TestFyneOnlyInUI(t *testing.T) {
	for _, tags := range []string{"", "sim", "nogui", "nogui,sim"} {
		graph := importGraph(t, tags)
		if !slices.ContainsFunc(graph[module+"/ui"], func(p string) bool { return strings.HasPrefix(p, "fyne.io/") }) {
			t.Fatalf("tags %q: ui imports no fyne.io package: the graph is wrong (%d packages)", tags, len(graph))
		}
		for p := range graph {
			if !strings.HasPrefix(p, module+"/") || inUI(p) {
				continue
			}
			// Breadth first from p, not entering ui/: via remembers how each
			// package was reached, to name the chain.
			via := map[string]string{p: ""}
			queue := []string{p}
			for len(queue) > 0 {
				q := queue[0]
				queue = queue[1:]
				for _, imp := range graph[q] {
					if _, seen := via[imp]; seen || inUI(imp) {
						continue
					}
					via[imp] = q
					if strings.HasPrefix(imp, "fyne.io/") {
						chain := []string{imp}
						for c := q; c != ""; c = via[c] {
							chain = append([]string{c}, chain...)
						}
						t.Errorf("tags %q: %s reaches Fyne outside ui/: %s", tags, p, strings.Join(chain, " → "))
						queue = nil
						break
					}
					queue = append(queue, imp)
				}
			}
		}
	}
	nogui := exec.Command("go", "list", "-deps", "-tags", "nogui", module+"/firmware/cmd/kioskd")
	out, err := nogui.Output()
	if err != nil {
		t.Fatalf("go list -tags nogui kioskd: %v", err)
	}
	for _, p := range strings.Fields(string(out)) {
		if strings.HasPrefix(p, "fyne.io/") || inUI(p) {
			t.Errorf("kioskd built with -tags nogui links %s", p)
		}
	}
}
