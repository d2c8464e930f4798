package hospitalui

import (
	"fyne.io/fyne/v2"
	fynetheme "fyne.io/fyne/v2/theme"

	"github.com/kiosk06/kiosk/firmware/hospital"
)

// actionIcon is the picture on an action's button (issue 20: every
// primary choice has one, for people who do not read well), a Fyne theme
// icon (Material Design icons, Apache-2.0, shipped inside Fyne); nil for
// an action without one.
func actionIcon(a hospital.Action) fyne.Resource {
	switch a.Kind {
	case hospital.IntentStart:
		return fynetheme.LoginIcon()
	case hospital.IntentContinue:
		return fynetheme.NavigateNextIcon()
	case hospital.IntentConsent:
		if a.Yes {
			return fynetheme.ConfirmIcon()
		}
		return fynetheme.CancelIcon()
	case hospital.IntentSkip:
		return fynetheme.MediaSkipNextIcon()
	case hospital.IntentFeePaying:
		return fynetheme.DocumentIcon()
	case hospital.IntentRetry:
		return fynetheme.ViewRefreshIcon()
	case hospital.IntentBack:
		return fynetheme.NavigateBackIcon()
	case hospital.IntentCallStaff:
		return fynetheme.HelpIcon()
	case hospital.IntentCancel:
		return fynetheme.CancelIcon()
	case hospital.IntentForOther:
		return fynetheme.ContentAddIcon()
	case hospital.IntentDone:
		return fynetheme.ConfirmIcon()
	}
	return nil
}
