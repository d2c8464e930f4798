package records_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/store"
)

// FuzzCheck: any payload under any kind name is accepted or refused with
// an error, never a panic; an accepted one decodes, and its re-encoding is
// accepted again (Check and Marshal agree on the shape).
func FuzzCheck(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		kind, _, _ := strings.Cut(strings.TrimPrefix(name, "testdata"+string(filepath.Separator)), ".v")
		f.Add(kind, b)
	}
	f.Add("transit.tap", []byte(`{"v":1e400}`))
	f.Add("hospital.registration", []byte(`{"v":1,"ticket":null,"personal":{"name":1}}`))
	f.Fuzz(func(t *testing.T, kind string, payload []byte) {
		if err := records.Check(kind, payload); err != nil {
			return
		}
		k, ok := records.Lookup(kind)
		if !ok {
			t.Fatalf("Check accepted the unregistered kind %q", kind)
		}
		p := k.New()
		if err := records.Decode(store.Record{Kind: kind, Payload: payload}, p); err != nil {
			t.Fatalf("Check accepted what Decode refuses: %v: %s", err, payload)
		}
		again, err := records.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := records.Check(kind, again); err != nil {
			t.Fatalf("re-encoding refused: %v: %s", err, again)
		}
	})
}
