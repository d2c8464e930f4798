package onestop

import (
	"slices"
	"time"

	"github.com/kiosk06/kiosk/firmware/tickets"
)

// Intents: which screen offers what, where it leads; and the state a
// screen renders.

func (f *Flow) handle(in Intent) {
	if menu := f.deps.Staff; menu != nil && menu.Active() {
		if in.Staff != nil {
			menu.Handle(*in.Staff)
		}
		return // nothing else while the staff menu is open
	}
	if in.Staff != nil {
		return // a late tap of a staff screen already left
	}
	switch in.Kind {
	case IntentActivity:
		f.touch()
		return
	case IntentLanguage:
		f.touch()
		switch {
		case in.Lang == LangVI || in.Lang == LangEN:
			f.m.lang = in.Lang
		case f.m.lang == LangEN:
			f.m.lang = LangVI
		default:
			f.m.lang = LangEN
		}
		return
	case IntentIdle:
		if !f.m.idleDeadline.IsZero() && !f.now().Before(f.m.idleDeadline) {
			f.abandon("idle")
		}
		return
	}
	if !f.allowed(in) {
		f.log.Debug("onestop: intent not offered on this screen", "intent", in, "screen", f.m.screen)
		return
	}
	f.touch()
	switch in.Kind {
	case IntentCancel:
		f.abandon("cancel")
	case IntentSignOut:
		f.signOut()
	case IntentSupport:
		f.callSupport()
	case IntentMenu:
		f.toMenu()
	case IntentBack:
		f.back()
	default:
		f.handleScreen(in)
	}
}

func (f *Flow) handleScreen(in Intent) {
	switch f.m.screen {
	case ScreenWelcome:
		if in.Kind == IntentStaff {
			f.openStaff()
			return
		}
		f.m.identify = Identify{Step: "waiting", Message: msg("identify.waiting")}
		f.setScreen(ScreenIdentify)
	case ScreenIdentify:
		switch in.Kind {
		case IntentCAN:
			f.enterCAN(in.Digits)
		case IntentRetry:
			f.m.identify = Identify{Step: "waiting", Message: msg(f.identifyKey()), ForOther: f.m.forOther}
			f.startIdentify()
		}
	case ScreenMenu:
		switch in.Kind {
		case IntentSearch:
			f.toSearch()
		case IntentDossiers:
			f.toDossiers()
		case IntentForOther:
			f.forOther()
		case IntentEndOther:
			f.m.subject = nil
		}
	case ScreenSearch:
		switch in.Kind {
		case IntentQuery:
			f.query(in)
		case IntentChoose:
			f.choose(in.Code)
		}
	case ScreenProcedure:
		switch in.Kind {
		case IntentRegister:
			if f.m.proc != nil && !f.counterOpen(f.m.proc.Counter) {
				return
			}
			f.toForm()
		case IntentQueue:
			if f.m.proc != nil && !f.counterOpen(f.m.proc.Counter) {
				return
			}
			f.m.sub = nil
			f.takeNumber(false)
		}
	case ScreenForm:
		switch in.Kind {
		case IntentField:
			if setField(f.m.form, in.Key, in.Value) && f.m.formErr > 0 {
				f.m.formErr = check(f.m.form)
			}
		case IntentSubmit:
			f.submitForm()
		}
	case ScreenReview:
		f.confirm()
	case ScreenDossiers:
		switch in.Kind {
		case IntentPrint:
			f.printDossiers()
		case IntentRetry:
			f.toDossiers()
		}
	case ScreenSupport:
		if in.Kind == IntentEndCall {
			from := f.m.support.from
			f.cancelSupport()
			f.returnTo(from)
		}
	case ScreenError:
		if in.Kind == IntentRetry {
			f.retry()
		}
	case ScreenReceipt, ScreenTicket:
		f.toMenu()
	case ScreenGoodbye:
		f.toWelcome()
	}
}

// retry repeats the failed step: filing (same key), the queue number.
func (f *Flow) retry() {
	switch f.m.err.Code {
	case "unavailable", "rejected":
		if f.m.err.Code == "rejected" {
			f.setScreen(ScreenForm)
			return
		}
		f.confirm()
	case "queue_failed":
		f.takeNumber(false)
	default:
		f.toWelcome()
	}
}

func (f *Flow) returnTo(s Screen) {
	switch s {
	case ScreenSupport, ScreenSubmitting, "":
		s = ScreenMenu
	}
	if f.m.operator == nil || s == ScreenWelcome {
		f.toWelcome()
		return
	}
	f.setScreen(s)
}

// back goes one screen back where that makes sense.
func (f *Flow) back() {
	switch f.m.screen {
	case ScreenIdentify:
		if f.m.forOther {
			f.m.forOther = false
			f.loop.StopStep()
			f.toMenu()
			return
		}
		f.toWelcome()
	case ScreenSearch, ScreenDossiers:
		f.toMenu()
	case ScreenProcedure:
		f.m.proc, f.m.form = nil, nil
		f.setScreen(ScreenSearch)
	case ScreenForm:
		f.setScreen(ScreenProcedure)
	case ScreenReview:
		f.setScreen(ScreenForm)
	case ScreenSupport:
		f.returnTo(f.m.support.from)
	case ScreenError:
		f.returnTo(f.m.errBack)
	}
}

func (f *Flow) allowed(in Intent) bool {
	switch in.Kind {
	case IntentCAN:
		return f.m.screen == ScreenIdentify && f.m.identify.NeedCAN
	case IntentField:
		return f.m.screen == ScreenForm
	case IntentQuery, IntentChoose:
		return f.m.screen == ScreenSearch
	}
	return slices.ContainsFunc(f.actions(), func(a Action) bool { return a.Kind == in.Kind })
}

func act(k IntentKind, key string, primary bool) Action {
	return Action{Kind: k, Label: msg("action." + key), Primary: primary}
}

// actions lists the buttons of the current screen.
func (f *Flow) actions() []Action {
	signedIn := f.m.operator != nil
	var out []Action
	switch f.m.screen {
	case ScreenWelcome:
		out = append(out, act(IntentStart, "start", true))
		if f.deps.Staff != nil {
			out = append(out, act(IntentStaff, "staff", false))
		}
	case ScreenStaff:
		return nil // the staff screen's own buttons (Intent.Staff)
	case ScreenIdentify:
		if f.m.identify.CANExhausted || f.m.identify.Retry {
			out = append(out, act(IntentRetry, "retry", true))
		}
		out = append(out, act(IntentBack, "back", false))
	case ScreenMenu:
		if f.deps.Catalogues.Current() != nil {
			out = append(out, act(IntentSearch, "search", true))
		}
		out = append(out, act(IntentDossiers, "dossiers", false))
		if f.m.subject == nil {
			out = append(out, act(IntentForOther, "for_other", false))
		} else {
			out = append(out, act(IntentEndOther, "end_other", false))
		}
		out = append(out, act(IntentSignOut, "sign_out", false))
	case ScreenSearch:
		out = append(out, act(IntentBack, "back", false))
	case ScreenProcedure:
		if f.m.proc == nil || f.counterOpen(f.m.proc.Counter) {
			out = append(out, act(IntentRegister, "register", true), act(IntentQueue, "queue", false))
		}
		out = append(out, act(IntentBack, "back", false))
	case ScreenForm:
		out = append(out, act(IntentSubmit, "submit", true), act(IntentBack, "back", false))
	case ScreenReview:
		out = append(out, act(IntentConfirm, "confirm", true), act(IntentBack, "back", false))
	case ScreenReceipt, ScreenTicket:
		out = append(out, act(IntentMenu, "menu", true), act(IntentSignOut, "sign_out", false))
	case ScreenDossiers:
		if f.m.doss.Unavailable {
			out = append(out, act(IntentRetry, "retry", true))
		} else if !f.m.doss.Loading {
			out = append(out, act(IntentPrint, "print", true))
		}
		out = append(out, act(IntentBack, "back", false))
	case ScreenSupport:
		if s := f.m.support; s != nil && (s.s.Phase == SupportWaiting || s.s.Phase == SupportAccepted || s.s.Phase == SupportRequesting) {
			out = append(out, act(IntentEndCall, "end_call", false))
		}
		out = append(out, act(IntentBack, "back", true))
	case ScreenError:
		switch f.m.err.Code {
		case "unavailable", "rejected", "queue_failed":
			out = append(out, act(IntentRetry, "retry", true))
		}
		out = append(out, act(IntentBack, "back", false))
	case ScreenGoodbye:
		out = append(out, act(IntentDone, "done", true))
	case ScreenOutOfService, ScreenSubmitting:
		return []Action{act(IntentLanguage, "language", false)}
	}
	if signedIn && f.m.screen != ScreenSupport && f.m.screen != ScreenGoodbye {
		out = append(out, act(IntentSupport, "support", false))
	}
	switch f.m.screen {
	case ScreenWelcome, ScreenGoodbye:
	case ScreenMenu:
	default:
		if signedIn || f.m.screen == ScreenIdentify || f.m.screen == ScreenError {
			out = append(out, act(IntentCancel, "cancel", false))
		}
	}
	return append(out, act(IntentLanguage, "language", false))
}

func (f *Flow) citizen(p *person) *Citizen {
	if p == nil {
		return nil
	}
	c := &Citizen{Name: p.p.Name, MaskedID: MaskID(p.p.IDNumber), Method: p.method, Verdict: p.verdict, Age: ageOn(p.p.DOB, f.now().In(f.cfg.Location))}
	switch p.p.Verified {
	case "chip":
		c.Note = msg("note.chip")
	case "chip_unverified":
		c.Note = msg("note.unverified")
	case "app_online", "app_signed":
		name := ""
		if len(f.cfg.AppQRs) > 0 {
			name = f.cfg.AppQRs[0].Name
		}
		c.Note = msgf("note."+p.p.Verified, name)
	}
	return c
}

// render makes the state of the current screen.
func (f *Flow) render() State {
	m := &f.m
	s := State{Screen: m.screen, Lang: m.lang, Title: msg("title." + string(m.screen)), Actions: f.actions(), IdleDeadline: m.idleDeadline,
		Citizen: f.citizen(m.operator), Subject: f.citizen(m.subject)}
	if m.support != nil {
		sup := m.support.s
		s.Support = &sup
	}
	switch m.screen {
	case ScreenWelcome:
		w := &Welcome{Message: msg("welcome.message")}
		for _, a := range f.cfg.AppQRs {
			w.Apps = append(w.Apps, a.Name)
		}
		if len(w.Apps) > 0 {
			w.Message = msgf("welcome.message_app", w.Apps[0])
		}
		s.Welcome = w
	case ScreenIdentify:
		id := m.identify
		if id.Message.Key == "" {
			id.Message = msg(f.identifyKey())
		}
		if id.Step == "" {
			id.Step = "waiting"
		}
		if m.forOther {
			s.Title = msg("title.identify_other")
		}
		if id.App != nil {
			a := *id.App
			id.App = &a
		}
		s.Identify = &id
	case ScreenMenu:
		menu := &Menu{Catalogue: f.deps.Catalogues.Current() != nil}
		if m.operator != nil {
			menu.Message = msgf("menu.message", m.operator.p.Name)
		}
		if m.subject != nil {
			menu.Message = msgf("menu.for_other", m.subject.p.Name)
		}
		if !menu.Catalogue {
			menu.Message = msg("menu.no_catalog")
		}
		s.Menu = menu
	case ScreenSearch:
		se := m.search
		se.Results = slices.Clone(se.Results)
		se.Topics, se.Agencies = slices.Clone(se.Topics), slices.Clone(se.Agencies)
		s.Search = &se
	case ScreenProcedure:
		if p := m.proc; p != nil {
			info := &ProcedureInfo{ProcedureSummary: summary(*p), FeeNote: p.FeeNote, Counter: p.Counter, CounterName: f.counterName(p.Counter),
				ForOther: m.subject != nil}
			if w := m.whom(); w != nil {
				info.CardFields, _ = counts(newForm(*p, w))
				info.TypedFields = len(p.Fields) - info.CardFields
			}
			if !f.counterOpen(p.Counter) {
				info.Closed, info.Notice = true, msgf("procedure.closed", info.CounterName)
			}
			s.Procedure = info
		}
	case ScreenForm, ScreenReview:
		s.Form = f.renderForm()
	case ScreenSubmitting:
		key := "submitting.file"
		switch {
		case m.sub != nil && m.sub.rc != nil:
			key = "submitting.print"
		case m.sub == nil:
			key = "submitting.queue"
		}
		s.Submitting = &Progress{Message: msg(key)}
	case ScreenReceipt:
		s.Receipt = f.renderReceipt()
	case ScreenDossiers:
		d := m.doss
		d.List = slices.Clone(d.List)
		s.Dossiers = &d
	case ScreenTicket:
		t := m.ticket
		s.Ticket = &t
	case ScreenGoodbye:
		s.Goodbye = &Goodbye{Message: msg("goodbye.message")}
	case ScreenError:
		e := m.err
		s.Error = &e
	case ScreenOutOfService:
		o := m.oos
		s.OutOfService = &o
	case ScreenStaff:
		if f.deps.Staff != nil {
			s.Staff = f.deps.Staff.View()
		}
	}
	return s
}

func (f *Flow) renderForm() *Form {
	m := &f.m
	if m.proc == nil {
		return nil
	}
	out := &Form{Procedure: summary(*m.proc), ForOther: m.subject != nil, Errors: m.formErr, Message: msg("form.message")}
	if f.m.screen == ScreenReview {
		out.Message = msg("review.message")
	}
	if m.formErr > 0 {
		out.Message = msgf("form.errors", m.formErr)
	}
	for _, x := range m.form {
		ff := FormField{Key: x.Key, Label: x.Label, Kind: x.Kind, Required: x.Required, Options: slices.Clone(x.Options), Max: x.MaxLen(),
			FromCard: x.fromCard, Value: x.value}
		if x.err != "" {
			ff.Error = msg(x.err)
		}
		if x.noCard {
			ff.Note = msg("form.not_on_card")
		}
		out.Fields = append(out.Fields, ff)
	}
	return out
}

func (f *Flow) renderReceipt() *Receipt {
	sub, p := f.m.sub, f.m.proc
	if sub == nil || sub.rc == nil || p == nil {
		return nil
	}
	r := &Receipt{DossierCode: sub.rc.DossierCode, Procedure: p.Name, Agency: firstOf(sub.rc.Agency, p.Agency),
		ReceivedAt: sub.rc.ReceivedAt.In(f.cfg.Location), Appointment: sub.rc.Appointment.In(f.cfg.Location),
		Total: sub.rc.Total, TotalText: tickets.FormatVND(sub.rc.Total), ForOther: f.m.subject != nil, Printed: sub.printed, PaperOut: sub.paper}
	for _, l := range sub.rc.Fees {
		r.Fees = append(r.Fees, FeeLine{Name: l.Name, Amount: l.Amount, AmountText: tickets.FormatVND(l.Amount)})
	}
	r.Message = msg("receipt.no_queue")
	if sub.qt != nil {
		r.Ticket, r.CounterName = sub.qt.ID, f.counterName(p.Counter)
		r.Message = msgf("receipt.message", r.CounterName)
	}
	switch {
	case sub.paper:
		r.Message = msgf("receipt.paper", sub.rc.DossierCode)
	case !sub.printed:
		r.Message = msgf("receipt.unprinted", sub.rc.DossierCode)
	}
	return r
}

// ageOn is the age in whole years on day now of a person born on dob
// (DD/MM/YYYY, as the card and the app QR carry it; -1 when it is not a
// date).
func ageOn(dob string, now time.Time) int {
	d, err := time.Parse("02/01/2006", dob)
	if err != nil {
		return -1
	}
	age := now.Year() - d.Year()
	if now.Month() < d.Month() || now.Month() == d.Month() && now.Day() < d.Day() {
		age--
	}
	if age < 0 {
		return -1
	}
	return age
}
