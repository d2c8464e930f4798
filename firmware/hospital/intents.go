package hospital

import "github.com/kiosk06/kiosk/firmware/records"

// Intents from the screen: which are offered where, and where they lead.

func (f *Flow) handle(in Intent) {
	switch in.Kind {
	case IntentActivity:
		f.touch()
		return
	case IntentLanguage:
		f.touch()
		f.toggleLang(in.Lang)
		return
	case IntentIdle:
		if f.idleApplies() {
			f.abandon("idle")
		}
		return
	}
	f.touch()
	if f.m.help != nil {
		switch in.Kind {
		case IntentBack:
			f.m.help = nil
		case IntentCancel:
			f.abandon("cancel")
		}
		return
	}
	if !f.allowed(in) {
		f.log.Debug("hospital: intent not offered on this screen", "kind", in.Kind, "screen", f.m.screen)
		return
	}
	switch in.Kind {
	case IntentCallStaff:
		f.callStaff("patient")
	case IntentCancel:
		f.abandon("cancel")
	case IntentBack:
		f.back()
	case IntentForOther:
		f.forOther()
	case IntentForChild:
		f.forChild()
	default:
		f.handleScreen(in)
	}
}

func (f *Flow) toggleLang(l Lang) {
	switch {
	case l == LangVI || l == LangEN:
		f.m.lang = l
	case f.m.lang == LangEN:
		f.m.lang = LangVI
	default:
		f.m.lang = LangEN
	}
}

// allowed reports whether the current screen offers in.
func (f *Flow) allowed(in Intent) bool {
	if f.m.screen == ScreenClinic && (in.Kind == IntentChoose || in.Kind == IntentAnswer) {
		return !f.m.clinic.Loading
	}
	if in.Kind == IntentCAN {
		return f.m.screen == ScreenIdentify && f.m.identify.NeedCAN
	}
	if in.Kind == IntentChild {
		return f.m.screen == ScreenIdentify && f.m.identify.NeedChild
	}
	if in.Kind == IntentPIN || in.Kind == IntentService {
		return f.m.screen == ScreenAdmin
	}
	for _, a := range f.actions() {
		if a.Kind == in.Kind {
			return true
		}
	}
	return false
}

func (f *Flow) handleScreen(in Intent) {
	switch f.m.screen {
	case ScreenWelcome:
		if in.Kind == IntentAdmin {
			f.openAdmin()
			return
		}
		f.setScreen(ScreenIdentify)
	case ScreenAdmin:
		f.adminIntent(in)
	case ScreenIdentify:
		switch in.Kind {
		case IntentCAN:
			f.enterCAN(in.Digits)
		case IntentChild:
			f.enterChild(in)
		case IntentRetry: // after too many refused CANs: wait for the QR or a new tap
			f.identifyAgain(msg(f.identifyKey()))
		}
	case ScreenCardResult:
		if in.Kind == IntentErase {
			f.eraseFingerprint()
			return
		}
		f.holderStep()
	case ScreenHolder:
		f.holderIntent(in)
	case ScreenInsurance:
		f.insuranceIntent(in)
	case ScreenClinic:
		f.clinicIntent(in)
	case ScreenTicket:
		if in.Kind == IntentContinue {
			f.paymentStep()
		} else {
			f.finish(in.Kind == IntentSkip)
		}
	case ScreenPayment:
		f.paymentIntent(in)
	case ScreenReceipt:
		f.finish(false)
	case ScreenGoodbye:
		f.toWelcome()
	case ScreenError:
		switch in.Kind {
		case IntentRetry:
			f.m.errRetry()
		case IntentSkip:
			f.m.errSkip()
		}
	}
}

// back goes one screen back where that makes sense.
func (f *Flow) back() {
	switch f.m.screen {
	case ScreenIdentify:
		f.toWelcome()
	case ScreenCardResult:
		f.m.v = nil
		f.identifyAgain(msg(f.identifyKey()))
	case ScreenHolder, ScreenInsurance:
		f.stopOp()
		f.setScreen(ScreenCardResult)
	case ScreenClinic:
		f.stopOp()
		f.setScreen(ScreenInsurance)
	case ScreenError:
		f.setScreen(f.m.errBack)
	case ScreenAdmin:
		f.adminLogout("left")
	}
}

// abandon ends the session on idle timeout or cancel: an open payment is
// cancelled, the outcome recorded, personal data wiped.
func (f *Flow) abandon(reason string) {
	if f.m.screen == ScreenAdmin {
		f.adminLogout(reason)
		return
	}
	if f.m.screen == ScreenWelcome || f.m.screen == ScreenOutOfService {
		return
	}
	if v := f.m.v; v != nil && v.pay.Ref != "" && !v.pay.State.Terminal() {
		f.cancelPayment(reason)
	}
	f.record(&records.HospitalAbandoned{Screen: string(f.m.screen), Reason: reason, Registered: f.m.v != nil && f.m.v.reg != nil}, nil)
	f.toWelcome()
}
