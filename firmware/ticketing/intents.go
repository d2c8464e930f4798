package ticketing

// Intents from the screen: which are offered where, and where they lead.

func (f *Flow) handle(in Intent) {
	if f.m.screen == ScreenStaff {
		// The menu has the screen: its taps only, nothing else.
		if f.staffActive() {
			f.staffIntent(in)
		}
		return
	}
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
		f.log.Debug("ticketing: intent not offered on this screen", "intent", in, "screen", f.m.screen)
		return
	}
	switch in.Kind {
	case IntentCallStaff:
		f.callStaff("passenger")
	case IntentCancel:
		f.abandon("cancel")
	case IntentBack:
		f.back()
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

// items are the intents that are items of a screen, not its buttons.
var items = map[Screen][]IntentKind{
	ScreenChoose:     {IntentMode, IntentSearch, IntentTrip, IntentProduct},
	ScreenPassengers: {IntentRemove, IntentCategory},
	ScreenChild:      {IntentChild},
	ScreenSeats:      {IntentSeat},
	ScreenTickets:    {IntentTicket},
}

// allowed reports whether the current screen offers in.
func (f *Flow) allowed(in Intent) bool {
	if in.Kind == IntentCAN {
		return f.m.screen == ScreenIdentify && f.m.identify.NeedCAN
	}
	for _, k := range items[f.m.screen] {
		if k == in.Kind {
			return !(f.m.screen == ScreenSeats && f.m.seatWait) && !(f.m.screen == ScreenTickets && f.m.tickets.Loading)
		}
	}
	for _, a := range f.actions() {
		if a.Kind == in.Kind && !a.Disabled {
			return true
		}
	}
	return false
}

func (f *Flow) handleScreen(in Intent) {
	switch f.m.screen {
	case ScreenWelcome:
		switch in.Kind {
		case IntentStaff:
			f.openStaff()
		case IntentManage:
			f.identifyAs(RoleHolder)
		default:
			f.identifyAs(RoleBuyer)
		}
	case ScreenIdentify:
		switch in.Kind {
		case IntentCAN:
			f.enterCAN(in.Digits)
		case IntentRetry:
			f.identifyAs(f.m.role)
		}
	case ScreenChoose:
		f.chooseIntent(in)
	case ScreenPassengers:
		f.passengersIntent(in)
	case ScreenChild:
		f.addChild(in.IDNumber, in.DOB)
	case ScreenSeats:
		f.seatsIntent(in)
	case ScreenFare:
		f.payStep()
	case ScreenPayment:
		f.paymentIntent(in)
	case ScreenIssued:
		f.finish(msg("goodbye.message"))
	case ScreenTickets:
		switch in.Kind {
		case IntentTicket:
			f.quoteRefund(in.Ticket)
		case IntentRetry:
			f.loadTickets()
		}
	case ScreenRefund:
		if in.Kind == IntentConfirm {
			f.confirmRefund()
		} else {
			f.finish(msg("goodbye.message"))
		}
	case ScreenGoodbye:
		f.toWelcome()
	case ScreenError:
		if in.Kind == IntentRetry && f.m.errRetry != nil {
			f.m.errRetry()
		}
	}
}

// back goes one screen back where that makes sense.
func (f *Flow) back() {
	switch f.m.screen {
	case ScreenIdentify:
		f.stopOp()
		if f.m.role == RolePassenger {
			f.setScreen(ScreenPassengers)
			return
		}
		f.toWelcome()
	case ScreenChoose:
		f.toWelcome()
	case ScreenPassengers:
		f.setScreen(ScreenChoose)
	case ScreenChild:
		f.setScreen(ScreenPassengers)
	case ScreenSeats:
		f.stopOp()
		f.setScreen(ScreenPassengers)
	case ScreenFare:
		f.releaseHold("back")
		if f.m.p.trip != nil {
			f.showSeats(Text{})
			return
		}
		f.setScreen(ScreenPassengers)
	case ScreenTickets:
		f.toWelcome()
	case ScreenRefund:
		f.setScreen(ScreenTickets)
	case ScreenError:
		f.setScreen(f.m.errBack)
	}
}
