package checkinui

import (
	"fyne.io/fyne/v2"
	fynetheme "fyne.io/fyne/v2/theme"

	"github.com/kiosk06/kiosk/firmware/checkin"
)

// actionIcon is the picture on an action's button (issue 20: every
// primary choice has one, for people who do not read well), a Fyne theme
// icon (Material Design icons, Apache-2.0, shipped inside Fyne) as the
// hospital kiosk's.
func actionIcon(k checkin.IntentKind) fyne.Resource {
	switch k {
	case checkin.IntentSkip:
		return fynetheme.MediaSkipNextIcon()
	case checkin.IntentEnrol:
		return fynetheme.ConfirmIcon()
	case checkin.IntentConfirm:
		return fynetheme.LoginIcon()
	case checkin.IntentCheckOut:
		return fynetheme.LogoutIcon()
	case checkin.IntentContinue:
		return fynetheme.NavigateNextIcon()
	case checkin.IntentCancel:
		return fynetheme.CancelIcon()
	case checkin.IntentReport:
		return fynetheme.ListIcon()
	case checkin.IntentPrint:
		return fynetheme.DocumentPrintIcon()
	case checkin.IntentExport, checkin.IntentExportASM:
		return fynetheme.DocumentSaveIcon()
	case checkin.IntentBack:
		return fynetheme.NavigateBackIcon()
	case checkin.IntentStaff:
		return fynetheme.AccountIcon()
	}
	return nil
}
