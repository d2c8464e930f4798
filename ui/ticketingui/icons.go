package ticketingui

import (
	"fyne.io/fyne/v2"
	fynetheme "fyne.io/fyne/v2/theme"

	"github.com/kiosk06/kiosk/firmware/ticketing"
)

// actionIcon is the picture on an action's button (issue 20: every
// primary choice has one, for people who do not read well), a Fyne theme
// icon (Material Design icons, Apache-2.0, shipped inside Fyne) as the
// hospital kiosk's; nil for an action without one (the language toggle).
func actionIcon(a ticketing.Action) fyne.Resource {
	switch a.Kind {
	case ticketing.IntentStart:
		return fynetheme.LoginIcon()
	case ticketing.IntentManage:
		return fynetheme.ContentUndoIcon()
	case ticketing.IntentContinue:
		if a.Label.Key == "action.pay" {
			return fynetheme.GridIcon() // the VietQR code comes next
		}
		return fynetheme.NavigateNextIcon()
	case ticketing.IntentAddCard:
		return fynetheme.AccountIcon()
	case ticketing.IntentAddChild:
		return fynetheme.ContentAddIcon()
	case ticketing.IntentDone, ticketing.IntentConfirm:
		return fynetheme.ConfirmIcon()
	case ticketing.IntentRetry:
		return fynetheme.ViewRefreshIcon()
	case ticketing.IntentBack:
		return fynetheme.NavigateBackIcon()
	case ticketing.IntentCallStaff:
		return fynetheme.HelpIcon()
	case ticketing.IntentCancel:
		return fynetheme.CancelIcon()
	}
	return nil
}
