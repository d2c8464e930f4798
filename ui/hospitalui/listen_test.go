package hospitalui

import (
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/hospital"
	"github.com/kiosk06/kiosk/ui/internal/fixtures"
	"github.com/kiosk06/kiosk/ui/internal/uitest"
	kiosktheme "github.com/kiosk06/kiosk/ui/theme"
)

// TestListenButton: with a voice, a large "Nghe hướng dẫn" button (with a
// loudspeaker icon) sits under every screen; a tap says the guidance
// again and counts as activity.
func TestListenButton(t *testing.T) {
	a := uitest.NewApp(t, kiosktheme.Options{})
	f := &fakeFlow{t: t, updates: make(chan hospital.State, 1)}
	listened := 0
	k, err := NewKiosk(a, Options{Now: func() time.Time { return fixtures.Now }, Listen: func() { listened++ }}, f)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(k.Window().Close)
	uitest.SetScale(k.Window(), uitest.GoldenScale)
	f.k = k
	f.show("01-welcome", fixtures.ByName("01-welcome"))
	assertShows(t, k, "01-welcome-listen")
	tap(t, k, "Nghe hướng dẫn")
	if listened != 1 || len(f.sent) != 1 || f.sent[0].Kind != hospital.IntentActivity {
		t.Errorf("listened %d times, sent %+v", listened, f.sent)
	}
	f.show("08-ticket", fixtures.ByName("08-ticket"))
	tap(t, k, "Nghe hướng dẫn")
	if listened != 2 {
		t.Errorf("listened %d times on the ticket screen", listened)
	}
}
