package ticketingui

import (
	"image/color"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/staffmenu"
	"github.com/kiosk06/kiosk/firmware/ticketing"
	"github.com/kiosk06/kiosk/ui/staffui"
	kiosktheme "github.com/kiosk06/kiosk/ui/theme"
	"github.com/kiosk06/kiosk/ui/widgets"
)

// qrSide is the VietQR code's side in Fyne units (≈ 12 cm on a 21.5"
// portrait panel).
const qrSide float32 = 440

func title(s ticketing.State) string { return s.Title.In(s.Lang) }

func centred(l *widget.Label) fyne.CanvasObject {
	l.Alignment = fyne.TextAlignCenter
	return l
}

func spacer(h float32) fyne.CanvasObject {
	r := canvas.NewRectangle(color.Transparent)
	r.SetMinSize(fyne.NewSize(0, h))
	return r
}

func welcomeScreen(s ticketing.State, w *ticketing.Welcome, env Env) widgets.Page {
	body := container.NewVBox(spacer(40), widgets.BigIcon(fynetheme.AccountIcon(), fynetheme.ColorNamePrimary),
		centred(widgets.Subheading(w.Message.In(s.Lang))))
	if !w.Notice.IsZero() {
		body.Add(banner(w.Notice.In(s.Lang)))
	}
	return widgets.Page{Title: title(s), Body: body}
}

// staffScreen is the staff menu (ui/staffui) on env's kept Screen, in the
// language the welcome screen had.
func staffScreen(s ticketing.State, v *staffmenu.View, env Env) widgets.Page {
	sc := env.Staff
	if sc == nil {
		sc = &staffui.Screen{Send: staffSend(env.Send)}
	}
	sc.T = catalog(s.Lang)
	return sc.Page(v)
}

// staffSend wraps the staff screen's taps into the flow's IntentStaff.
func staffSend(send func(ticketing.Intent)) func(staffmenu.Intent) {
	return func(si staffmenu.Intent) {
		if send != nil {
			send(ticketing.Intent{Kind: ticketing.IntentStaff, Staff: &si})
		}
	}
}

func identifyScreen(s ticketing.State, id *ticketing.Identify, env Env) widgets.Page {
	if id.NeedCAN {
		return canScreen(s, id, env)
	}
	body := container.NewVBox(spacer(24))
	if id.Retry || id.CANExhausted {
		body.Add(widgets.ErrorBody(word(s.Lang, "what_happened"), id.Message.In(s.Lang), "", "", true, env.Landscape))
	} else {
		body.Add(widgets.BigIcon(fynetheme.AccountIcon(), fynetheme.ColorNamePrimary))
		body.Add(centred(widgets.Subheading(id.Message.In(s.Lang))))
	}
	if id.Step == identity.EventReading || id.Step == identity.EventVerifying || id.Step == identity.EventDetected {
		body.Add(spacer(24))
		body.Add(widgets.NewProgress(id.Progress, ""))
		body.Add(centred(widgets.Paragraph(word(s.Lang, "hold_card"))))
	}
	return widgets.Page{Title: title(s), Body: body}
}

// keypad makes the screen's keypad: each key is activity, OK submits.
func keypad(s ticketing.State, env Env, n int, seed string, changed func(string), submit func(string)) fyne.CanvasObject {
	kp := widgets.NewKeypad(widgets.KeypadLabels{Delete: word(s.Lang, "keypad_delete"), OK: word(s.Lang, "keypad_ok")}, n, n, nil)
	kp.TextSize = kiosktheme.SizeNameHeadline
	kp.SetValue(seed)
	kp.OnChanged = func(d string) {
		changed(d)
		env.send(ticketing.Intent{Kind: ticketing.IntentActivity})()
	}
	kp.OnSubmit = submit
	if env.Landscape {
		return kp
	}
	side := func() fyne.CanvasObject {
		r := canvas.NewRectangle(color.Transparent)
		r.SetMinSize(fyne.NewSize(60, 0))
		return r
	}
	return container.NewBorder(nil, nil, side(), side(), kp)
}

func (e Entry) changed(digits, childID string) {
	if e.OnChanged != nil {
		e.OnChanged(digits, childID)
	}
}

// canScreen asks for the CAN of a card tapped without its QR.
func canScreen(s ticketing.State, id *ticketing.Identify, env Env) widgets.Page {
	kp := keypad(s, env, ticketing.CANLength, env.Entry.Digits, func(d string) { env.Entry.changed(d, "") }, func(d string) {
		env.Entry.changed("", "")
		env.send(ticketing.Intent{Kind: ticketing.IntentCAN, Digits: d})()
	})
	prompt := container.NewVBox(centred(widgets.Subheading(id.Message.In(s.Lang))), centred(widgets.Paragraph(word(s.Lang, "can_where"))))
	if !id.CANError.IsZero() {
		refused := widgets.Paragraph(id.CANError.In(s.Lang))
		refused.Importance = widget.DangerImportance
		refused.TextStyle.Bold = true
		prompt.Add(widgets.Card(refused))
	}
	prompt.Add(centred(widgets.Paragraph(word(s.Lang, "can_keep"))))
	return widgets.Page{Title: title(s), Body: split(env, prompt, kp)}
}

// split puts a and b side by side in landscape, one above the other in
// portrait.
func split(env Env, a, b fyne.CanvasObject) fyne.CanvasObject {
	if env.Landscape {
		return container.NewGridWithColumns(2, a, b)
	}
	return container.NewVBox(a, b)
}

// childScreen takes a child's ID number (12 digits), then birth date (8).
func childScreen(s ticketing.State, c *ticketing.Child, env Env) widgets.Page {
	prompt := container.NewVBox(centred(widgets.Paragraph(c.Message.In(s.Lang))))
	if !c.Error.IsZero() {
		refused := widgets.Paragraph(c.Error.In(s.Lang))
		refused.Importance = widget.DangerImportance
		refused.TextStyle.Bold = true
		prompt.Add(widgets.Card(refused))
	}
	var kp fyne.CanvasObject
	if env.Entry.ChildID == "" {
		prompt.Add(centred(widgets.Subheading(word(s.Lang, "child_id"))))
		kp = keypad(s, env, 12, env.Entry.Digits, func(d string) { env.Entry.changed(d, "") }, func(d string) {
			env.Entry.changed("", d)
			env.send(ticketing.Intent{Kind: ticketing.IntentActivity})()
		})
	} else {
		prompt.Add(widgets.Panel([]widgets.Field{{Label: word(s.Lang, "child_id"), Value: maskID(env.Entry.ChildID)}}))
		prompt.Add(centred(widgets.Subheading(word(s.Lang, "child_dob"))))
		idNumber := env.Entry.ChildID
		kp = keypad(s, env, 8, env.Entry.Digits, func(d string) { env.Entry.changed(d, idNumber) }, func(d string) {
			env.Entry.changed("", "")
			env.send(ticketing.Intent{Kind: ticketing.IntentChild, IDNumber: idNumber, DOB: d})()
		})
	}
	return widgets.Page{Title: title(s), Body: split(env, prompt, kp)}
}

// maskID shows a typed ID number as the flow masks one: "0013••••••67".
func maskID(id string) string {
	if len(id) < 6 {
		return strings.Repeat("•", len(id))
	}
	return id[:4] + strings.Repeat("•", len(id)-6) + id[len(id)-2:]
}

func chooseScreen(s ticketing.State, c *ticketing.Choose, env Env) widgets.Page {
	body := container.NewVBox()
	modes := container.NewGridWithColumns(max(len(c.Modes), 1))
	for _, m := range c.Modes {
		kind := widgets.Secondary
		if m.Selected {
			kind = widgets.Primary
		}
		modes.Add(widgets.NewButton(m.Label.In(s.Lang), kind, env.send(ticketing.Intent{Kind: ticketing.IntentMode, Mode: m.Mode})))
	}
	body.Add(modes)
	if !c.Notice.IsZero() {
		body.Add(banner(c.Notice.In(s.Lang)))
	}
	search := func(from, to, date string) func() {
		if date == "" && len(c.Dates) > 0 {
			date = c.Dates[0].Date
		}
		return env.send(ticketing.Intent{Kind: ticketing.IntentSearch, From: from, To: to, Date: date})
	}
	if len(c.Origins) > 0 {
		body.Add(widgets.Caption(word(s.Lang, "from")))
		body.Add(stopRow(c.Origins, c.From, func(id string) func() { return search(id, c.To, c.Date) }))
	}
	if len(c.Destinations) > 0 {
		body.Add(widgets.Caption(word(s.Lang, "to")))
		body.Add(stopRow(c.Destinations, c.To, func(id string) func() { return search(c.From, id, c.Date) }))
	}
	if len(c.Dates) > 0 && c.To != "" {
		body.Add(widgets.Caption(word(s.Lang, "date")))
		days := container.NewGridWithColumns(3)
		for _, d := range c.Dates {
			kind := widgets.Secondary
			if d.Date == c.Date {
				kind = widgets.Primary
			}
			b := widgets.NewButton(d.Label.In(s.Lang), kind, search(c.From, c.To, d.Date))
			b.TextSize = fynetheme.SizeNameText
			days.Add(b)
		}
		body.Add(days)
	}
	if c.Searched {
		body.Add(widgets.Subheading(word(s.Lang, "trips")))
		if len(c.Trips) == 0 {
			body.Add(widgets.Paragraph(word(s.Lang, "no_trips")))
		}
		for _, t := range c.Trips {
			head := clock(t.Departs, env.Location) + " → " + clock(t.Arrives, env.Location) + " · " + t.FareText
			body.Add(widgets.NewSubButton(head, t.Operator, widgets.Secondary,
				env.send(ticketing.Intent{Kind: ticketing.IntentTrip, Departure: t.Departure})))
		}
	}
	for _, p := range c.Products {
		sub := p.PriceText
		if !p.Validity.IsZero() {
			sub += " · " + p.Validity.In(s.Lang)
		}
		if len(p.Months) == 0 {
			body.Add(widgets.NewSubButton(p.Name, sub, widgets.Secondary, env.send(ticketing.Intent{Kind: ticketing.IntentProduct, Product: p.ID})))
			continue
		}
		months := container.NewGridWithColumns(max(len(p.Months), 1))
		for _, m := range p.Months {
			months.Add(widgets.NewSubButton(p.Name, m.Label.In(s.Lang)+" · "+p.PriceText, widgets.Secondary,
				env.send(ticketing.Intent{Kind: ticketing.IntentProduct, Product: p.ID, Month: m.Month})))
		}
		body.Add(months)
	}
	return widgets.Page{Title: title(s), Body: container.NewVScroll(body)}
}

// stopRow is a row of stop buttons, the chosen one primary.
func stopRow(stops []ticketing.StopOption, chosen string, tap func(id string) func()) fyne.CanvasObject {
	row := container.NewGridWithColumns(2)
	for _, st := range stops {
		kind := widgets.Secondary
		if st.ID == chosen {
			kind = widgets.Primary
		}
		b := widgets.NewButton(st.Name, kind, tap(st.ID))
		b.TextSize = fynetheme.SizeNameText
		row.Add(b)
	}
	return row
}

func passengersScreen(s ticketing.State, p *ticketing.Passengers, env Env) widgets.Page {
	body := container.NewVBox(widgets.Subheading(p.For))
	if !p.Notice.IsZero() {
		body.Add(banner(p.Notice.In(s.Lang)))
	}
	for i, t := range p.List {
		fields := []widgets.Field{{Label: word(s.Lang, "passenger") + " " + strconv.Itoa(i+1), Value: personLine(&t.Person, s.Lang)}}
		if !t.Derived.IsZero() {
			fields = append(fields, widgets.Field{Label: word(s.Lang, "derived"), Value: t.Derived.In(s.Lang)})
		}
		var extra []fyne.CanvasObject
		for _, c := range t.Categories {
			label := c.Text.In(s.Lang) + ": " + word(s.Lang, "no")
			kind := widgets.Secondary
			if c.Yes {
				label, kind = c.Text.In(s.Lang)+": "+word(s.Lang, "yes"), widgets.Primary
			}
			b := widgets.NewButton(label, kind, env.send(ticketing.Intent{Kind: ticketing.IntentCategory, Passenger: i, Category: c.Code, Yes: !c.Yes}))
			b.TextSize = fynetheme.SizeNameText
			extra = append(extra, b)
		}
		if !t.Buyer || i > 0 {
			b := widgets.NewButton(word(s.Lang, "remove"), widgets.Danger, env.send(ticketing.Intent{Kind: ticketing.IntentRemove, Passenger: i}))
			b.TextSize = fynetheme.SizeNameText
			extra = append(extra, b)
		}
		body.Add(widgets.Panel(fields, extra...))
	}
	return widgets.Page{Title: title(s), Body: container.NewVScroll(body)}
}

// seatSide is a seat button's side: a finger's width at least.
const seatSide float32 = 96

func seatsScreen(s ticketing.State, st *ticketing.Seats, env Env) widgets.Page {
	head := widgets.Panel([]widgets.Field{
		{Label: st.Route, Value: st.FromName + " – " + st.ToName},
		{Label: word(s.Lang, "departs"), Value: dayClock(st.Departs, env.Location) + " · " + st.Service},
	})
	body := container.NewVBox(head, widgets.Paragraph(word(s.Lang, "seats_need", "need", strconv.Itoa(st.Need), "chosen", strconv.Itoa(len(st.Chosen)))))
	if !st.Message.IsZero() {
		body.Add(banner(st.Message.In(s.Lang)))
	}
	if st.Loading {
		body.Add(widgets.NewProgress(0.5, ""))
	}
	for _, car := range st.Cars {
		body.Add(widgets.Caption(car.Name))
		body.Add(seatGrid(car, st.Loading, env))
	}
	body.Add(legend(s.Lang))
	return widgets.Page{Title: title(s), Body: container.NewVScroll(body)}
}

// seatGrid lays a car's seats out by row and column; taken seats are
// disabled, chosen ones primary.
func seatGrid(car ticketing.CarView, busy bool, env Env) fyne.CanvasObject {
	cols, rows := 1, 1
	for _, x := range car.Seats {
		cols, rows = max(cols, x.Col+1), max(rows, x.Row+1)
	}
	cells := make([]fyne.CanvasObject, cols*rows)
	for i := range cells {
		r := canvas.NewRectangle(color.Transparent)
		r.SetMinSize(fyne.NewSize(seatSide, seatSide))
		cells[i] = r
	}
	for _, x := range car.Seats {
		if x.Row < 0 || x.Col < 0 {
			continue
		}
		kind := widgets.Secondary
		if x.State == "chosen" {
			kind = widgets.Primary
		}
		b := widgets.NewButton(x.ID, kind, env.send(ticketing.Intent{Kind: ticketing.IntentSeat, Seat: x.ID}))
		b.TextSize = fynetheme.SizeNameText
		if x.State == "taken" || busy {
			b.Disable()
		}
		cells[x.Row*cols+x.Col] = b
	}
	return container.NewCenter(container.NewGridWithColumns(cols, cells...))
}

func legend(l ticketing.Lang) fyne.CanvasObject {
	mk := func(key string, kind widgets.Kind, disabled bool) fyne.CanvasObject {
		b := widgets.NewButton(word(l, key), kind, nil)
		b.TextSize = fynetheme.SizeNameText
		if disabled {
			b.Disable()
		}
		return b
	}
	return container.NewGridWithColumns(3, mk("seat_free", widgets.Secondary, false), mk("seat_chosen", widgets.Primary, false), mk("seat_taken", widgets.Secondary, true))
}

func fareScreen(s ticketing.State, f *ticketing.Fare, env Env) widgets.Page {
	body := container.NewVBox()
	for _, l := range f.Lines {
		fields := []widgets.Field{{Label: word(s.Lang, "passenger"), Value: l.Passenger}, {Label: l.Item, Value: l.BaseText}}
		if !l.Concession.IsZero() {
			fields = append(fields, widgets.Field{Label: l.Concession.In(s.Lang), Value: l.PriceText})
		}
		if !l.Proof.IsZero() {
			fields = append(fields, widgets.Field{Label: "", Value: l.Proof.In(s.Lang)})
		}
		body.Add(widgets.Panel(fields))
	}
	body.Add(container.NewHBox(widgets.Subheading(word(s.Lang, "total")), layout.NewSpacer(), widgets.Display(f.TotalText)))
	if !f.HoldExpires.IsZero() {
		body.Add(centred(widgets.Paragraph(word(s.Lang, "hold_left", "time", mmss(f.HoldExpires.Sub(env.Now()))))))
	}
	for _, n := range f.Notes {
		body.Add(widgets.Paragraph(n.In(s.Lang)))
	}
	return widgets.Page{Title: title(s), Body: container.NewVScroll(body)}
}

func paymentScreen(s ticketing.State, p *ticketing.Payment, env Env) widgets.Page {
	body := container.NewVBox(centred(widgets.Paragraph(p.Message.In(s.Lang))))
	switch p.Phase {
	case ticketing.PaymentWaiting:
		code, side := container.NewVBox(), qrSide
		if env.Landscape {
			side = 320
		}
		if img, err := widgets.NewQRCode(p.Payload, side); err == nil {
			code.Add(container.NewCenter(widgets.Card(img)))
		}
		code.Add(container.NewCenter(widgets.Display(p.AmountText)))
		info := container.NewVBox()
		if !p.Deadline.IsZero() {
			left := p.Deadline.Sub(env.Now())
			info.Add(centred(widgets.Subheading(word(s.Lang, "pay_left", "time", mmss(left)))))
		}
		info.Add(widgets.Panel([]widgets.Field{{Label: word(s.Lang, "reference"), Value: p.Ref}, {Label: word(s.Lang, "amount"), Value: p.AmountText}}))
		info.Add(widgets.Paragraph(word(s.Lang, "pay_how")))
		body.Add(split(env, code, info))
	case ticketing.PaymentCreating:
		body.Add(widgets.NewProgress(0.2, ""))
	default:
		body.Add(widgets.ErrorBody(word(s.Lang, "what_happened"), p.Message.In(s.Lang), "", "", true, env.Landscape))
	}
	return widgets.Page{Title: title(s), Body: body}
}

func issuingScreen(s ticketing.State, i *ticketing.Issuing, env Env) widgets.Page {
	body := container.NewVBox(spacer(40), widgets.BigIcon(fynetheme.DocumentPrintIcon(), fynetheme.ColorNamePrimary),
		centred(widgets.Subheading(i.Message.In(s.Lang))), widgets.NewProgress(0.7, ""))
	return widgets.Page{Title: title(s), Body: body}
}

func issuedScreen(s ticketing.State, is *ticketing.Issued, env Env) widgets.Page {
	icon, colour := fynetheme.ConfirmIcon(), fynetheme.ColorNameSuccess
	if !is.Printed {
		icon, colour = fynetheme.WarningIcon(), fynetheme.ColorNameWarning
	}
	body := container.NewVBox(widgets.BigIcon(icon, colour), centred(widgets.Subheading(is.Message.In(s.Lang))))
	for _, t := range is.Tickets {
		fields := []widgets.Field{{Label: t.Title.In(s.Lang), Value: t.Item}, {Label: word(s.Lang, "passenger"), Value: t.Passenger}}
		if t.Seat != "" {
			fields = append(fields, widgets.Field{Label: word(s.Lang, "seat"), Value: t.Seat})
		}
		if !t.Departs.IsZero() {
			fields = append(fields, widgets.Field{Label: word(s.Lang, "departs"), Value: dayClock(t.Departs, env.Location)})
		}
		if !t.ValidFrom.IsZero() {
			fields = append(fields, widgets.Field{Label: word(s.Lang, "valid"),
				Value: t.ValidFrom.In(env.Location).Format("02/01/2006") + " – " + t.ValidUntil.In(env.Location).Format("02/01/2006")})
		}
		fields = append(fields, widgets.Field{Label: word(s.Lang, "price"), Value: t.PriceText}, widgets.Field{Label: word(s.Lang, "ticket_code"), Value: t.ID})
		var extra []fyne.CanvasObject
		if !is.Printed {
			if img, err := widgets.NewQRCode(t.Code, 300); err == nil {
				extra = append(extra, container.NewCenter(img))
			}
		}
		body.Add(widgets.Panel(fields, extra...))
	}
	return widgets.Page{Title: title(s), Body: container.NewVScroll(body)}
}

func ticketsScreen(s ticketing.State, t *ticketing.Tickets, env Env) widgets.Page {
	body := container.NewVBox(centred(widgets.Paragraph(t.Message.In(s.Lang))))
	if t.Loading {
		body.Add(widgets.NewProgress(0.5, ""))
	}
	for _, h := range t.List {
		head := h.Item
		if h.Seat != "" {
			head += " · " + word(s.Lang, "seat") + " " + h.Seat
		}
		sub := h.PriceText
		if !h.Departs.IsZero() {
			sub = dayClock(h.Departs, env.Location) + " · " + sub
		}
		b := widgets.NewSubButton(head, sub, widgets.Secondary, env.send(ticketing.Intent{Kind: ticketing.IntentTicket, Ticket: h.ID}))
		if !h.Refundable {
			b.Disable()
		}
		about := h.Passenger
		if !h.Quote.IsZero() {
			about += " · " + h.Quote.In(s.Lang)
		}
		body.Add(widgets.Card(container.NewVBox(b, widgets.Paragraph(about))))
	}
	return widgets.Page{Title: title(s), Body: container.NewVScroll(body)}
}

func refundScreen(s ticketing.State, r *ticketing.Refund, env Env) widgets.Page {
	fields := []widgets.Field{{Label: word(s.Lang, "ticket_code"), Value: r.Ticket.ID}, {Label: r.Ticket.Item, Value: r.Ticket.Seat},
		{Label: word(s.Lang, "price"), Value: r.Ticket.PriceText}, {Label: word(s.Lang, "refund"), Value: r.AmountText}}
	if r.Rule != "" {
		fields = append(fields, widgets.Field{Label: word(s.Lang, "rule"), Value: r.Rule})
	}
	body := container.NewVBox(centred(widgets.Subheading(r.Message.In(s.Lang))), widgets.Panel(fields))
	if r.Phase == ticketing.RefundWorking {
		body.Add(widgets.NewProgress(0.5, ""))
	}
	return widgets.Page{Title: title(s), Body: body}
}

func goodbyeScreen(s ticketing.State, g *ticketing.Goodbye, env Env) widgets.Page {
	return widgets.Page{Title: title(s), Body: container.NewVBox(spacer(40), widgets.BigIcon(fynetheme.ConfirmIcon(), fynetheme.ColorNameSuccess),
		centred(widgets.Subheading(g.Message.In(s.Lang))))}
}

func errorScreen(s ticketing.State, e *ticketing.ErrorInfo, env Env) widgets.Page {
	return widgets.Page{Title: title(s), Body: widgets.ErrorBody(word(s.Lang, "what_happened"), e.Message.In(s.Lang),
		word(s.Lang, "what_next"), e.Next.In(s.Lang), false, env.Landscape)}
}

func outOfServiceScreen(s ticketing.State, o *ticketing.OutOfService, env Env) widgets.Page {
	body := widgets.ErrorBody(word(s.Lang, "what_happened"), o.Message.In(s.Lang), word(s.Lang, "what_next"), o.Next.In(s.Lang), false, env.Landscape)
	since := widgets.Caption(word(s.Lang, "since") + " " + dayClock(o.Since, env.Location))
	return widgets.Page{Title: title(s), Body: container.NewVBox(body, since)}
}

func helpScreen(s ticketing.State, h *ticketing.Help, env Env) widgets.Page {
	return widgets.Page{Title: title(s), Body: container.NewVBox(spacer(40), widgets.BigIcon(fynetheme.HelpIcon(), fynetheme.ColorNamePrimary),
		centred(widgets.Subheading(h.Message.In(s.Lang))),
		widgets.Panel([]widgets.Field{{Label: word(s.Lang, "help_ref"), Value: h.Ref}}))}
}
