package hospitalui

import (
	"testing"

	fynetheme "fyne.io/fyne/v2/theme"

	"github.com/kiosk06/kiosk/firmware/hospital"
	"github.com/kiosk06/kiosk/ui/internal/fixtures"
	"github.com/kiosk06/kiosk/ui/internal/uitest"
	kiosktheme "github.com/kiosk06/kiosk/ui/theme"
	"github.com/kiosk06/kiosk/ui/widgets"
)

// TestAtMostThreePrimaryChoices renders every patient screen of the
// fixtures (the flow's states, as TestScreens does; the flow's own
// TestAtMostThreeChoices walks every screen state it can publish) and
// fails when a page shows more than hospital.PrimaryChoices big buttons to
// choose from: the main column's choices, Back and Call staff. “Lựa chọn
// khác” is the way to the others, not a choice: it is smaller; the
// language, text-size and contrast toggles are accessibility controls in
// the top bar, smaller still. Opened, “Lựa chọn khác” shows every choice
// the flow offers.
func TestAtMostThreePrimaryChoices(t *testing.T) {
	uitest.NewApp(t, kiosktheme.Options{})
	for _, n := range fixtures.All() {
		if n.State.Screen == hospital.ScreenAdmin {
			continue // the staff menu
		}
		t.Run(n.Name, func(t *testing.T) {
			e := env(t, n.State.Lang, false, kiosktheme.Options{}, nil)
			more := e.T.T("shell.more")
			p := page(n.State, e)
			choices, toggles := 0, 0
			for _, b := range append(append([]*widgets.Button{}, p.Actions...), p.Back, p.Help) {
				switch {
				case b == nil:
				case b.Text == more:
					toggles++
					if b.TextSize != fynetheme.SizeNameText || b.Kind == widgets.Primary || b.Icon == nil {
						t.Errorf("“%s” is drawn like a choice", more)
					}
				default:
					choices++
					if b.Kind == widgets.Primary && b.Icon == nil {
						t.Errorf("primary choice %q has no icon", b.Text)
					}
				}
			}
			if choices > hospital.PrimaryChoices {
				t.Errorf("%d choices at once, more than %d", choices, hospital.PrimaryChoices)
			}
			offered := 0
			for _, a := range n.State.Actions {
				if a.Kind != hospital.IntentLanguage {
					offered++
				}
			}
			if (toggles == 1) != hasMore(n.State) || toggles > 1 {
				t.Errorf("%d “%s” buttons for %v", toggles, more, n.State.Actions)
			}
			// Opened, every choice shows (and the toggle closes it again).
			e.More.Open = true
			p = page(n.State, e)
			shown := len(p.Actions)
			for _, b := range []*widgets.Button{p.Back, p.Help} {
				if b != nil {
					shown++
				}
			}
			if hasMore(n.State) {
				shown-- // "Ẩn lựa chọn khác"
			}
			if shown != offered {
				t.Errorf("opened: %d buttons for %d choices offered", shown, offered)
			}
		})
	}
}
