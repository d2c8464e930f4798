package onestopui

import (
	"fyne.io/fyne/v2"
	fynetheme "fyne.io/fyne/v2/theme"

	"github.com/kiosk06/kiosk/firmware/onestop"
)

// actionIcon is the picture on an action's button (issue 20: every
// primary choice has one, for people who do not read well), a Fyne theme
// icon (Material Design icons, Apache-2.0, shipped inside Fyne) as the
// hospital kiosk's; nil for an action without one (the language toggle).
func actionIcon(k onestop.IntentKind) fyne.Resource {
	switch k {
	case onestop.IntentStart:
		return fynetheme.LoginIcon()
	case onestop.IntentSearch:
		return fynetheme.SearchIcon()
	case onestop.IntentDossiers:
		return fynetheme.FolderOpenIcon()
	case onestop.IntentForOther:
		return fynetheme.AccountIcon()
	case onestop.IntentEndOther, onestop.IntentEndCall, onestop.IntentCancel:
		return fynetheme.CancelIcon()
	case onestop.IntentSupport:
		return fynetheme.HelpIcon()
	case onestop.IntentRegister:
		return fynetheme.DocumentCreateIcon()
	case onestop.IntentQueue, onestop.IntentPrint:
		return fynetheme.DocumentPrintIcon()
	case onestop.IntentSubmit, onestop.IntentContinue:
		return fynetheme.NavigateNextIcon()
	case onestop.IntentConfirm, onestop.IntentDone:
		return fynetheme.ConfirmIcon()
	case onestop.IntentMenu:
		return fynetheme.HomeIcon()
	case onestop.IntentRetry:
		return fynetheme.ViewRefreshIcon()
	case onestop.IntentBack:
		return fynetheme.NavigateBackIcon()
	case onestop.IntentSignOut:
		return fynetheme.LogoutIcon()
	}
	return nil
}
