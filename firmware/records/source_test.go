package records_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/kiosk06/kiosk/firmware/records"
)

const (
	modulePath = "github.com/kiosk06/kiosk"
	storePath  = modulePath + "/firmware/store"
	moduleRoot = "../.."
)

// builtRecordAllowed are the files outside firmware/store and
// firmware/records that may build a store.Record: diag txgen labels its
// synthetic (registered) payload with any --kind, for bench and soak stores.
var builtRecordAllowed = map[string]bool{
	"firmware/cmd/kioskd/diag_store.go": true,
}

// sourceFile is one parsed non-test Go file of the module.
type sourceFile struct {
	rel  string // path from the module root
	file *ast.File
}

// moduleSources parses every non-test Go file of the module.
func moduleSources(t *testing.T) []sourceFile {
	t.Helper()
	var out []sourceFile
	fset := token.NewFileSet()
	err := filepath.WalkDir(moduleRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); n == "testdata" || n == "vendor" || strings.HasPrefix(n, ".") && path != moduleRoot {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(moduleRoot, path)
		out = append(out, sourceFile{rel: filepath.ToSlash(rel), file: f})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 100 {
		t.Fatalf("found only %d Go files under %s", len(out), moduleRoot)
	}
	return out
}

// importName is the name under which f imports path ("" if it does not).
func importName(f *ast.File, path string) string {
	for _, im := range f.Imports {
		if p, _ := strconv.Unquote(im.Path.Value); p == path {
			if im.Name != nil {
				return im.Name.Name
			}
			return path[strings.LastIndex(path, "/")+1:]
		}
	}
	return ""
}

// TestRecordsAreBuiltOnlyHere: outside firmware/store and this package no
// production code builds a store.Record, and no type but this package's
// payloads has a RecordKind method — so every record appended anywhere goes
// through records.Append with a payload of this package, whose kind
// TestEveryPayloadTypeIsRegistered proves registered.
func TestRecordsAreBuiltOnlyHere(t *testing.T) {
	for _, sf := range moduleSources(t) {
		if strings.HasPrefix(sf.rel, "firmware/store/") || strings.HasPrefix(sf.rel, "firmware/records/") {
			continue
		}
		name := importName(sf.file, storePath)
		ast.Inspect(sf.file, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.CompositeLit:
				if sel, ok := x.Type.(*ast.SelectorExpr); ok && name != "" && sel.Sel.Name == "Record" {
					if id, ok := sel.X.(*ast.Ident); ok && id.Name == name && !builtRecordAllowed[sf.rel] {
						t.Errorf("%s builds a store.Record: append a firmware/records payload with records.Append", sf.rel)
					}
				}
			case *ast.FuncDecl:
				if x.Recv != nil && x.Name.Name == "RecordKind" {
					t.Errorf("%s defines a RecordKind method: payload types live in firmware/records", sf.rel)
				}
			}
			return true
		})
	}
}

// TestEveryPayloadTypeIsRegistered: each type of this package with a
// RecordKind method is some registered kind's payload, and each registered
// kind's payload is such a type.
func TestEveryPayloadTypeIsRegistered(t *testing.T) {
	registered := map[string]string{}
	for _, k := range records.Kinds() {
		registered[reflect.TypeOf(k.New()).Elem().Name()] = k.Name
	}
	defined := map[string]bool{}
	for _, sf := range moduleSources(t) {
		if !strings.HasPrefix(sf.rel, "firmware/records/") || strings.Count(sf.rel, "/") != 2 {
			continue
		}
		for _, d := range sf.file.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv == nil || fd.Name.Name != "RecordKind" {
				continue
			}
			typ := fd.Recv.List[0].Type
			if st, ok := typ.(*ast.StarExpr); ok {
				typ = st.X
			}
			name := typ.(*ast.Ident).Name
			defined[name] = true
			if _, ok := registered[name]; !ok {
				t.Errorf("%s (%s) is a payload type no registered kind uses: add it to the registry", name, sf.rel)
			}
		}
	}
	for typ, kind := range registered {
		if !defined[typ] {
			t.Errorf("%s's payload %s has no RecordKind method in firmware/records", kind, typ)
		}
	}
}

// kindShaped is what a record kind looks like ("family.name"); other
// structs' Kind fields hold other strings ("master list").
var kindShaped = regexp.MustCompile(`^[a-z][a-z0-9_]*\.[a-z0-9_.]+$`)

// TestKindLiteralsAreRegistered: a string literal used as a record kind in
// production code — compared with a .Kind, switched on in a .Kind switch,
// set as Kind:, or passed as Records' kind — names a registered kind: a
// typo or an unregistered kind would read or write nothing.
func TestKindLiteralsAreRegistered(t *testing.T) {
	n := 0
	for _, sf := range moduleSources(t) {
		check := func(e ast.Expr) {
			lit, ok := e.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil || !kindShaped.MatchString(s) {
				return
			}
			n++
			if _, ok := records.Lookup(s); !ok {
				t.Errorf("%s: record kind %q is not registered", sf.rel, s)
			}
		}
		isKind := func(e ast.Expr) bool {
			sel, ok := e.(*ast.SelectorExpr)
			return ok && sel.Sel.Name == "Kind"
		}
		ast.Inspect(sf.file, func(node ast.Node) bool {
			switch x := node.(type) {
			case *ast.BinaryExpr:
				if x.Op == token.EQL || x.Op == token.NEQ {
					if isKind(x.X) {
						check(x.Y)
					}
					if isKind(x.Y) {
						check(x.X)
					}
				}
			case *ast.SwitchStmt:
				if x.Tag != nil && isKind(x.Tag) {
					for _, c := range x.Body.List {
						for _, e := range c.(*ast.CaseClause).List {
							check(e)
						}
					}
				}
			case *ast.CallExpr:
				if sel, ok := x.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Records" && len(x.Args) >= 2 {
					check(x.Args[1])
				}
			}
			return true
		})
	}
	if n == 0 {
		t.Fatal("no kind literal found: the scan is broken (simrig reads payment.session by name)")
	}
}

// TestImports: firmware/records imports no flow, firmware/kiosk, driver,
// simulator or UI package (the flows import it).
func TestImports(t *testing.T) {
	forbidden := []string{"/firmware/hospital", "/firmware/parking", "/firmware/transit", "/firmware/kiosk", "/firmware/simrig",
		"/drivers/", "/ui", "fyne.io/"}
	for _, sf := range moduleSources(t) {
		if !strings.HasPrefix(sf.rel, "firmware/records/") {
			continue
		}
		for _, im := range sf.file.Imports {
			p, _ := strconv.Unquote(im.Path.Value)
			for _, f := range forbidden {
				if strings.Contains(p, f) {
					t.Errorf("%s imports %s", sf.rel, p)
				}
			}
		}
	}
}
