package ticketing

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/ticketing/backend"
	"github.com/kiosk06/kiosk/payments/session"
)

// The real implementations satisfy the flow's interfaces as they are.
var (
	_ Identifier      = (*identity.Acquirer)(nil)
	_ Catalogue       = (*backend.Cache)(nil)
	_ backend.Backend = (*backend.Client)(nil)
	_ Printer         = (*escpos.Printer)(nil)
	_ Payments        = (*session.Manager)(nil)
)

// TestImports: the flow and its sub-packages know nothing of the screen,
// the store or a device; the flow itself imports none of the
// simulator, the manifest or the pass list (backend-side code) — but for
// simulate.go, the --sim hook, which alone starts ticketingsim (built only
// with the simulator), and start.go, the profile's wiring, which alone
// starts the station's Manifester.
func TestImports(t *testing.T) {
	const mod = "github.com/kiosk06/kiosk/"
	banned := map[string][]string{
		".": {"fyne.io/", mod + "ui", mod + "firmware/store", mod + "firmware/kiosk", mod + "firmware/ticketing/ticketingsim",
			mod + "firmware/ticketing/passlist", mod + "firmware/ticketing/manifest", mod + "firmware/hospital", mod + "drivers/nfc",
			mod + "drivers/pn532", mod + "drivers/scanner"},
		"backend":  {"fyne.io/", mod + "ui", mod + "firmware/store", mod + "firmware/records", mod + "firmware/ticketing/ticketingsim", mod + "drivers"},
		"catalog":  {"fyne.io/", mod + "ui", mod + "firmware", mod + "drivers"},
		"manifest": {"fyne.io/", mod + "ui", mod + "firmware/store", mod + "firmware/ticketing/ticketingsim", mod + "drivers"},
		"passlist": {"fyne.io/", mod + "ui", mod + "firmware/store", mod + "firmware/ticketing/ticketingsim", mod + "drivers"},
	}
	fset := token.NewFileSet()
	for dir, bans := range banned {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: %v", dir, err)
		}
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
				for _, b := range bans {
					if name == "simulate.go" && b == mod+"firmware/ticketing/ticketingsim" ||
						name == "start.go" && b == mod+"firmware/ticketing/manifest" {
						continue
					}
					if strings.HasPrefix(p, b) && !(dir == "catalog" && p == mod+"payments/tariff") {
						t.Errorf("%s imports %s", name, p)
					}
				}
			}
		}
	}
}

func FuzzParseChild(f *testing.F) {
	f.Add("001318004567", "05032018")
	f.Add("079220001111", "29022020")
	f.Add("000000000000", "00000000")
	f.Fuzz(func(t *testing.T, id, dob string) {
		d, sex, err := parseChild(id, dob, start, start.Location(), 14)
		if err != nil {
			return
		}
		if d.After(start) || sex != "Nam" && sex != "Nữ" || !digits(id, 12) {
			t.Fatalf("accepted %q %q: %v %q", id, dob, d, sex)
		}
	})
}
