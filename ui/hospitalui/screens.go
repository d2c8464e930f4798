package hospitalui

import (
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/kiosk06/kiosk/firmware/hospital"
	"github.com/kiosk06/kiosk/firmware/identity"
	kiosktheme "github.com/kiosk06/kiosk/ui/theme"
	"github.com/kiosk06/kiosk/ui/widgets"
)

// qrSide is the VietQR code's side in Fyne units (≈ 12 cm on a 21.5"
// portrait panel: banking apps read it from 30–50 cm).
const qrSide float32 = 440

func welcomeScreen(s hospital.State, w *hospital.Welcome, env Env) widgets.Page {
	if a := w.Attract; a != nil && len(a.Steps) > 0 {
		// Idle: how to use the kiosk, step by step (attract.go); what
		// the steps say of insurance and payment replaces the lines
		// below.
		show := attractShow(s, a, env)
		words := container.NewVBox(centred(widgets.Subheading(env.text(s, w.Message))),
			centred(widgets.Paragraph(env.T.T("welcome.touch"))))
		if env.Landscape {
			return widgets.Page{Title: env.text(s, s.Title), Body: container.NewGridWithColumns(2, show,
				container.NewVBox(layout.NewSpacer(), words, layout.NewSpacer()))}
		}
		return widgets.Page{Title: env.text(s, s.Title), Body: container.NewVBox(show, words)}
	}
	body := container.NewVBox(
		spacer(40),
		widgets.BigIcon(fynetheme.AccountIcon(), fynetheme.ColorNamePrimary),
		centred(widgets.Subheading(env.text(s, w.Message))),
		centred(widgets.Paragraph(env.T.T("welcome.no_card"))),
	)
	if w.Prepayment {
		body.Add(centred(widgets.Paragraph(env.T.T("welcome.prepayment"))))
	}
	return widgets.Page{Title: env.text(s, s.Title), Body: body}
}

func identifyScreen(s hospital.State, id *hospital.Identify, env Env) widgets.Page {
	switch {
	case id.NeedCAN:
		return canScreen(s, id, env)
	case id.NeedChild:
		return childScreen(s, id, env)
	case id.CANExhausted:
		return widgets.Page{Title: env.text(s, s.Title), Body: widgets.ErrorBody(
			env.T.T("common.what_happened"), env.text(s, id.Message),
			env.T.T("common.what_next"), env.T.T("identify.can_next"), false, env.Landscape)}
	}
	// The flow's message says what is happening; the step caption is only
	// a fallback when it sent none.
	caption := ""
	if k := "identify.step." + string(id.Step); id.Message.IsZero() && env.T.Has(k) {
		caption = env.T.T(k)
	}
	progress := widgets.NewProgress(id.Progress, caption)
	body := container.NewVBox(spacer(24))
	if id.Retry {
		body.Add(widgets.ErrorBody(env.T.T("common.what_happened"), env.text(s, id.Message),
			env.T.T("common.what_next"), env.T.T("identify.retry"), true, env.Landscape))
	} else {
		body.Add(widgets.BigIcon(fynetheme.AccountIcon(), fynetheme.ColorNamePrimary))
		body.Add(centred(widgets.Subheading(env.text(s, id.Message))))
	}
	if id.Step == identity.EventReading || id.Step == identity.EventVerifying || id.Step == identity.EventDetected {
		body.Add(spacer(24))
		body.Add(progress)
		body.Add(centred(widgets.Paragraph(env.T.T("identify.hold_card"))))
	}
	return widgets.Page{Title: env.text(s, s.Title), Body: body}
}

// keypadSide is the margin left and right of the CAN keypad in portrait,
// so its keys stay a hand's width apart rather than stretching across the
// panel.
const keypadSide float32 = 150

// canScreen asks for the CAN: the flow's prompt, where to find the number,
// why the last entry was refused, and the keypad. Each key counts as
// activity; OK sends the digits and clears the entry.
func canScreen(s hospital.State, id *hospital.Identify, env Env) widgets.Page {
	kp := widgets.NewKeypad(widgets.KeypadLabels{Delete: env.T.T("keypad.delete"), OK: env.T.T("keypad.ok")},
		hospital.CANLength, hospital.CANLength, nil)
	// A headline-size entry leaves room for four rows of keys under the
	// texts, in landscape and with large text too.
	kp.TextSize = kiosktheme.SizeNameHeadline
	kp.SetValue(env.Entry.Digits)
	kp.OnChanged = func(digits string) {
		if env.Entry.OnChanged != nil {
			env.Entry.OnChanged(digits)
		}
		env.send(hospital.Intent{Kind: hospital.IntentActivity})()
	}
	kp.OnSubmit = func(digits string) {
		if env.Entry.OnChanged != nil {
			env.Entry.OnChanged("")
		}
		env.send(hospital.Intent{Kind: hospital.IntentCAN, Digits: digits})()
	}
	prompt := container.NewVBox(centred(widgets.Subheading(env.text(s, id.Message))),
		centred(widgets.Paragraph(env.T.T("identify.can_where"))))
	if !id.CANError.IsZero() {
		refused := widgets.Paragraph(env.text(s, id.CANError))
		refused.Importance = widget.DangerImportance
		refused.TextStyle.Bold = true
		prompt.Add(widgets.Card(refused))
	}
	prompt.Add(centred(widgets.Paragraph(env.T.T("identify.can_keep"))))
	var body fyne.CanvasObject
	if env.Landscape {
		body = container.NewGridWithColumns(2, prompt, kp)
	} else {
		body = container.NewVBox(prompt, container.NewBorder(nil, nil, spacerW(keypadSide), spacerW(keypadSide), kp))
	}
	return widgets.Page{Title: env.text(s, s.Title), Body: body}
}

func cardScreen(s hospital.State, c *hospital.CardResult, env Env) widgets.Page {
	icon, colour := fynetheme.ConfirmIcon(), fynetheme.ColorNameSuccess
	switch c.Verdict {
	case identity.NotGenuine:
		icon, colour = fynetheme.ErrorIcon(), fynetheme.ColorNameError
	case identity.Unverified:
		icon, colour = fynetheme.WarningIcon(), fynetheme.ColorNameWarning
	}
	fields := patientFields(s.Patient, env)
	fields = append(fields, widgets.Field{Label: env.T.T("card.method"), Value: methodText(c.Method, env)})
	if !c.Reason.IsZero() {
		fields = append(fields, widgets.Field{Label: env.T.T("card.reason"), Value: env.text(s, c.Reason)})
	}
	body := container.NewVBox(
		widgets.BigIcon(icon, colour),
		centred(widgets.Subheading(env.text(s, c.Message))),
		widgets.Panel(fields),
	)
	return widgets.Page{Title: env.text(s, s.Title), Body: body}
}

func methodText(m identity.Method, env Env) string {
	if k := "card.method." + string(m); env.T.Has(k) {
		return env.T.T(k)
	}
	return string(m)
}

func patientFields(p *hospital.Patient, env Env) []widgets.Field {
	if p == nil {
		return nil
	}
	age := env.T.T("age.unknown")
	if p.Age >= 0 {
		age = env.T.T("age.years", "n", strconv.Itoa(p.Age))
	}
	return []widgets.Field{
		{Label: env.T.T("field.name"), Value: p.Name},
		{Label: env.T.T("field.id"), Value: p.MaskedID},
		{Label: env.T.T("field.age"), Value: age},
		{Label: env.T.T("field.sex"), Value: p.Sex},
	}
}

func holderScreen(s hospital.State, h *hospital.HolderCheck, env Env) widgets.Page {
	body := container.NewVBox()
	switch h.Phase {
	case hospital.HolderOffer:
		consent := container.NewVBox(widgets.Paragraph(env.text(s, h.Consent)))
		if h.ConsentVersion != "" {
			consent.Add(widgets.Caption(env.T.T("holder.consent_version", "version", h.ConsentVersion)))
		}
		body.Add(centred(widgets.Subheading(env.text(s, h.Message))))
		body.Add(widgets.Card(consent))
	case hospital.HolderEnrolFailed, hospital.HolderEraseFailed:
		body.Add(widgets.ErrorBody(env.T.T("common.what_happened"), env.text(s, h.Message), "", "", false, env.Landscape))
	case hospital.HolderMatched, hospital.HolderEnrolled, hospital.HolderErased:
		body.Add(widgets.BigIcon(fynetheme.ConfirmIcon(), fynetheme.ColorNameSuccess))
		body.Add(centred(widgets.Subheading(env.text(s, h.Message))))
	case hospital.HolderMismatch:
		next := ""
		if h.AttemptsLeft > 0 {
			next = env.T.T("holder.attempts", "n", strconv.Itoa(h.AttemptsLeft))
		}
		body.Add(widgets.ErrorBody(env.T.T("common.what_happened"), env.text(s, h.Message),
			env.T.T("common.what_next"), next, h.AttemptsLeft > 0, env.Landscape))
	default: // verifying, enrolling: the fingerprint prompt
		body.Add(widgets.BigIcon(fynetheme.VisibilityIcon(), fynetheme.ColorNamePrimary))
		if k := "finger." + string(h.Finger); h.Finger != "" && env.T.Has(k) {
			body.Add(centred(widgets.Subheading(env.T.T(k))))
		}
		body.Add(centred(widgets.Paragraph(env.text(s, h.Message))))
	}
	return widgets.Page{Title: env.text(s, s.Title), Body: body}
}

func insuranceScreen(s hospital.State, in *hospital.Insurance, env Env) widgets.Page {
	if in.Outcome == hospital.InsuranceChecking {
		return waitPage(s, env.T.T("insurance.checking"), env)
	}
	icon, colour := fynetheme.ConfirmIcon(), fynetheme.ColorNameSuccess
	switch in.Outcome {
	case hospital.InsuranceWarning, hospital.InsuranceUnavailable, hospital.InsuranceNone:
		icon, colour = fynetheme.WarningIcon(), fynetheme.ColorNameWarning
	case hospital.InsuranceInvalid:
		icon, colour = fynetheme.ErrorIcon(), fynetheme.ColorNameError
	}
	var fields []widgets.Field
	add := func(key, v string) {
		if v != "" {
			fields = append(fields, widgets.Field{Label: env.T.T(key), Value: v})
		}
	}
	add("field.bhyt_card", in.CardMasked)
	if !in.ValidFrom.IsZero() && !in.ValidTo.IsZero() {
		add("field.valid", env.T.T("valid.range", "from", env.T.Date(in.ValidFrom), "to", env.T.Date(in.ValidTo)))
	}
	add("field.facility", in.Facility)
	add("field.code", in.Code)
	body := container.NewVBox(widgets.BigIcon(icon, colour), centred(widgets.Subheading(env.text(s, in.Message))))
	if len(fields) > 0 {
		body.Add(widgets.Panel(fields))
	}
	if k := "next." + string(in.Next); in.Next != "" && env.T.Has(k) {
		body.Add(widgets.Card(container.NewVBox(widgets.Subheading(env.T.T("insurance.next")), widgets.Paragraph(env.T.T(k)))))
	}
	return widgets.Page{Title: env.text(s, s.Title), Body: body}
}

// waitPage is a "working…" page: an hourglass and a message. It has no
// animation, so screenshots are stable.
func waitPage(s hospital.State, msg string, env Env) widgets.Page {
	body := container.NewVBox(spacer(80), widgets.BigIcon(fynetheme.HistoryIcon(), fynetheme.ColorNamePrimary),
		centred(widgets.Subheading(msg)), centred(widgets.Paragraph(env.T.T("common.please_wait"))))
	return widgets.Page{Title: env.text(s, s.Title), Body: body}
}

func clinicScreen(s hospital.State, c *hospital.ChooseClinic, env Env) widgets.Page {
	if c.Loading {
		return waitPage(s, env.T.T("clinic.loading"), env)
	}
	mode := env.T.T("clinic.fee_paying")
	if c.Insured {
		mode = env.T.T("clinic.insured")
	}
	questions := container.NewVBox(widgets.Subheading(env.T.T("clinic.questions")))
	for _, q := range c.Questions {
		questions.Add(questionRow(s, q, env))
	}
	clinics := container.NewVBox(widgets.Subheading(env.T.T("clinic.choose") + " · " + mode))
	for _, cl := range c.Clinics {
		sub := env.T.T("clinic.room", "room", cl.Room)
		switch {
		case !cl.PriceText.IsZero():
			sub = env.T.T("clinic.room_fee", "room", cl.Room, "fee", env.text(s, cl.PriceText))
		case cl.FeeText != "" && cl.Fee > 0:
			sub = env.T.T("clinic.room_fee", "room", cl.Room, "fee", cl.FeeText)
		}
		in := hospital.Intent{Kind: hospital.IntentChoose, Clinic: cl.Code}
		clinics.Add(widgets.NewSubButton(cl.Name, sub, widgets.Primary, env.send(in)))
	}
	prio := widgets.Subheading(env.text(s, c.PriorityText))
	left := container.NewVBox(widgets.Card(prio), questions)
	var body fyne.CanvasObject
	if env.Landscape {
		body = container.NewGridWithColumns(2, left, container.NewVScroll(container.NewPadded(clinics)))
	} else {
		body = container.NewBorder(left, nil, nil, nil, container.NewVScroll(container.NewPadded(clinics)))
	}
	return widgets.Page{Title: env.text(s, s.Title), Body: body}
}

// questionRow: the question and Yes / No buttons, the current answer primary.
func questionRow(s hospital.State, q hospital.PriorityQuestion, env Env) fyne.CanvasObject {
	yesKind, noKind := widgets.Secondary, widgets.Primary
	if q.Yes {
		yesKind, noKind = widgets.Primary, widgets.Secondary
	}
	yes := widgets.NewButton(env.T.T("answer.yes"), yesKind, env.send(hospital.Intent{Kind: hospital.IntentAnswer, Question: q.Question, Yes: true}))
	no := widgets.NewButton(env.T.T("answer.no"), noKind, env.send(hospital.Intent{Kind: hospital.IntentAnswer, Question: q.Question, Yes: false}))
	text := container.NewVBox(layout.NewSpacer(), widgets.Paragraph(env.text(s, q.Text)), layout.NewSpacer())
	return container.NewBorder(nil, nil, nil, container.NewHBox(yes, no), text)
}

func registeringScreen(s hospital.State, r *hospital.Registering, env Env) widgets.Page {
	return waitPage(s, env.text(s, r.Message), env)
}

func ticketScreen(s hospital.State, t *hospital.Ticket, env Env) widgets.Page {
	fields := []widgets.Field{
		{Label: env.T.T("field.clinic"), Value: t.Clinic},
		{Label: env.T.T("field.room"), Value: t.Room},
	}
	if !t.PriorityText.IsZero() {
		fields = append(fields, widgets.Field{Label: env.T.T("field.priority"), Value: env.text(s, t.PriorityText)})
	}
	fields = append(fields, widgets.Field{Label: env.T.T("field.ahead"), Value: strconv.Itoa(t.Ahead)})
	if t.Wait > 0 {
		fields = append(fields, widgets.Field{Label: env.T.T("field.wait"),
			Value: env.T.T("ticket.minutes", "n", strconv.Itoa(int((t.Wait+time.Minute-1)/time.Minute)))})
	}
	if t.VisitNumber != "" {
		fields = append(fields, widgets.Field{Label: env.T.T("field.visit"), Value: t.VisitNumber})
	}
	if f := t.Fees; f != nil {
		v := f.PatientText
		if f.Insurance > 0 {
			v = env.T.T("ticket.copay", "patient", f.PatientText, "insurance", f.InsuranceText)
		}
		fields = append(fields, widgets.Field{Label: env.T.T("field.patient_pays"), Value: v})
	}
	body := container.NewVBox(widgets.Display(t.Number), widgets.Panel(fields))
	msg := env.text(s, t.Message)
	switch {
	case t.Printed && msg == "":
		msg = env.T.T("ticket.printed")
	case t.PaperOut && msg == "":
		msg = env.T.T("ticket.paper_out")
	case msg == "":
		msg = env.T.T("ticket.not_printed")
	}
	if t.Printed {
		if !t.Message.IsZero() {
			body.Add(centred(widgets.Subheading(env.T.T("ticket.printed"))))
		}
		body.Add(centred(widgets.Subheading(msg)))
	} else {
		body.Add(widgets.ErrorBody("", "", env.T.T("common.what_next"), msg, true, env.Landscape))
	}
	return widgets.Page{Title: env.text(s, s.Title), Body: body}
}

func paymentScreen(s hospital.State, p *hospital.Payment, env Env) widgets.Page {
	switch p.Phase {
	case hospital.PaymentCreating:
		return waitPage(s, env.T.T("payment.creating"), env)
	case hospital.PaymentExpired, hospital.PaymentFailed:
		what := env.text(s, p.Message)
		if what == "" {
			what = env.T.T("payment." + string(p.Phase))
		}
		return widgets.Page{Title: env.text(s, s.Title), Body: widgets.ErrorBody(
			env.T.T("common.what_happened"), what, "", "", p.Phase == hospital.PaymentExpired, env.Landscape)}
	}
	lines := make([]widgets.Field, 0, len(p.Lines)+2)
	for _, l := range p.Lines {
		lines = append(lines, widgets.Field{Label: l.Name, Value: l.AmountText})
	}
	lines = append(lines, widgets.Field{Label: env.T.T("field.total"), Value: p.AmountText},
		widgets.Field{Label: env.T.T("field.ref"), Value: p.Ref})
	var code fyne.CanvasObject
	side := qrSide
	if env.Display.LargeText {
		side = qrSide * 0.8 // the text around it grows; a 350-unit code still scans
	}
	if img, err := widgets.NewQRCode(p.Payload, side); err == nil {
		code = container.NewCenter(widgets.Card(img))
	} else {
		code = widgets.ErrorBody("", "", env.T.T("common.what_next"), env.T.T("payment.failed"), false, env.Landscape)
	}
	remaining := centred(widgets.Subheading(env.T.T("payment.remaining", "time", env.T.Clock(p.Remaining))))
	scanText := env.text(s, p.Message)
	if scanText == "" {
		scanText = env.T.T("payment.scan")
	}
	scan := centred(widgets.Paragraph(scanText))
	amount := widgets.Display(p.AmountText)
	var body fyne.CanvasObject
	if env.Landscape {
		body = container.NewGridWithColumns(2, container.NewVBox(code, remaining),
			container.NewVBox(scan, widgets.Panel(lines)))
	} else {
		body = container.NewVBox(amount, scan, container.NewBorder(nil, nil, code, nil,
			container.NewVBox(remaining, widgets.Panel(lines))))
	}
	return widgets.Page{Title: env.text(s, s.Title), Body: body}
}

func receiptScreen(s hospital.State, r *hospital.Receipt, env Env) widgets.Page {
	fields := []widgets.Field{
		{Label: env.T.T("field.amount"), Value: r.AmountText},
		{Label: env.T.T("field.ref"), Value: r.Ref},
		{Label: env.T.T("field.txn"), Value: r.TxnID},
	}
	if !r.PaidAt.IsZero() {
		fields = append(fields, widgets.Field{Label: env.T.T("field.paid_at"), Value: r.PaidAt.Format("15:04 ") + env.T.Date(r.PaidAt)})
	}
	body := container.NewVBox(widgets.BigIcon(fynetheme.ConfirmIcon(), fynetheme.ColorNameSuccess),
		centred(widgets.Subheading(env.text(s, r.Message))), widgets.Panel(fields))
	return widgets.Page{Title: env.text(s, s.Title), Body: body}
}

func goodbyeScreen(s hospital.State, g *hospital.Goodbye, env Env) widgets.Page {
	body := container.NewVBox(spacer(40), widgets.BigIcon(fynetheme.ConfirmIcon(), fynetheme.ColorNameSuccess),
		centred(widgets.Subheading(env.text(s, g.Message))))
	if g.Number != "" {
		body.Add(widgets.Display(g.Number))
		body.Add(centred(widgets.Subheading(env.T.T("goodbye.reminder", "number", g.Number, "room", g.Room))))
	}
	if !g.TakeCard.IsZero() {
		body.Add(centred(widgets.Subheading(env.text(s, g.TakeCard))))
	}
	return widgets.Page{Title: env.text(s, s.Title), Body: body}
}

func errorScreen(s hospital.State, e *hospital.ErrorInfo, env Env) widgets.Page {
	return widgets.Page{Title: env.text(s, s.Title), Body: widgets.ErrorBody(
		env.T.T("common.what_happened"), env.text(s, e.Message),
		env.T.T("common.what_next"), env.text(s, e.Next), false, env.Landscape)}
}

// outOfServiceScreen: the kiosk stopped because a record could not be
// stored. What happened and what the patient does now come from the flow;
// the caption (when it stopped, the reason code) is for staff.
func outOfServiceScreen(s hospital.State, o *hospital.OutOfService, env Env) widgets.Page {
	body := container.NewVBox(widgets.ErrorBody(
		env.T.T("common.what_happened"), env.text(s, o.Message),
		env.T.T("common.what_next"), env.text(s, o.Next), false, env.Landscape))
	if !o.Since.IsZero() {
		body.Add(centred(widgets.Caption(env.T.T("out_of_service.since", "time", o.Since.Format("15:04"), "code", o.Code))))
	}
	return widgets.Page{Title: env.text(s, s.Title), Body: body}
}

func helpScreen(s hospital.State, h *hospital.Help, env Env) widgets.Page {
	body := container.NewVBox(spacer(40), widgets.BigIcon(fynetheme.AccountIcon(), fynetheme.ColorNamePrimary),
		centred(widgets.Subheading(env.text(s, h.Message))))
	if h.Message.IsZero() {
		body.Add(centred(widgets.Paragraph(env.T.T("help.coming"))))
	}
	if h.Ref != "" {
		body.Add(widgets.Display(h.Ref))
	}
	return widgets.Page{Title: env.text(s, s.Title), Body: body}
}

// centred centres a label's text.
func centred(l *widget.Label) fyne.CanvasObject {
	l.Alignment = fyne.TextAlignCenter
	return l
}
