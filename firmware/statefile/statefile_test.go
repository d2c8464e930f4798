package statefile_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/kiosk06/kiosk/firmware/statefile"
)

// TestSaveLoad: a value saved is loaded back with its mode, a missing file
// is not an error, a damaged one is, and no temporary file is left behind.
func TestSaveLoad(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "s.json")
	var v struct{ N int }
	if found, err := statefile.LoadJSON(p, &v); found || err != nil {
		t.Fatalf("missing: %v %v", found, err)
	}
	v.N = 7
	if err := statefile.SaveJSON(p, v, 0o640); err != nil {
		t.Fatal(err)
	}
	v.N = 0
	if found, err := statefile.LoadJSON(p, &v); !found || err != nil || v.N != 7 {
		t.Fatalf("load: %v %v %+v", found, err, v)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v", fi.Mode().Perm())
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("left %d files", len(ents))
	}
	_ = os.WriteFile(p, []byte("{"), 0o600)
	if _, err := statefile.LoadJSON(p, &v); err == nil {
		t.Error("damaged file loaded")
	}
}
