package voice

import (
	"context"
	"strings"
	"time"

	"github.com/kiosk06/kiosk/firmware/checkin"
	"github.com/kiosk06/kiosk/firmware/onestop"
	"github.com/kiosk06/kiosk/firmware/speech"
	"github.com/kiosk06/kiosk/firmware/ticketing"
	"github.com/kiosk06/kiosk/ui/i18n"
)

// What the ticketing, one-stop and check-in screens say (this file): each
// screen's guidance and the results a person must hear to go on. None of
// them says a name, an ID number or a birth date: a text that carries one
// (the one-stop menu's greeting, the help desk's staff name) is not said.

// maxSpokenItems bounds the tickets or dossiers read out on one screen.
const maxSpokenItems = 3

// message is a result saying a text of source's message table as the flow
// published it (shown in Vietnamese and English).
func (v *Voice) message(source, key, vi, en string) []result {
	if key == "" || vi == "" && en == "" {
		return nil
	}
	return []result{{key: key, sig: source + "\x00" + key + "\x00" + vi, say: func(ctx context.Context, l i18n.Lang) error {
		u, err := v.messageUtterance(source, l, speech.Result, key, vi, en)
		if err != nil {
			return err
		}
		return v.sp.Say(ctx, u)
	}}}
}

// said is a result saying the i18n key with typed arguments; sig tells
// the values apart.
func (v *Voice) said(key, sig string, args ...speech.Arg) []result {
	return []result{{key: key, sig: key + "\x00" + sig, say: func(ctx context.Context, l i18n.Lang) error {
		return v.result(ctx, l, key, args...)
	}}}
}

// loc is the zone departure times are read in (Voice.Location).
func (v *Voice) loc() *time.Location {
	if v.Location != nil {
		return v.Location
	}
	return time.FixedZone("ICT", 7*3600)
}

func langOf(english bool) i18n.Lang {
	if english {
		return i18n.English
	}
	return i18n.Vietnamese
}

// ticketingPage: the guidance of each ticketing.Screen; as results the
// card problems, a seat someone else took, the total to pay, the payment's
// outcome, "Vé đã được in" and each ticket's code, seat and departure, a
// refund's outcome, what went wrong and what to do.
func (v *Voice) ticketingPage(s ticketing.State) page {
	screen := s.Screen
	if s.Help != nil {
		screen = ticketing.ScreenHelp
	}
	p := page{lang: langOf(s.Lang == ticketing.LangEN), guide: GuideKey("ticketing", string(screen))}
	add := func(r []result) { p.results = append(p.results, r...) }
	say := func(t ticketing.Text) { add(v.message(SourceTicketing, t.Key, t.VI, t.EN)) }
	switch {
	case s.Help != nil:
	case s.Screen == ticketing.ScreenIdentify && s.Identify != nil:
		if id := s.Identify; id.Retry || id.NeedCAN || id.CANExhausted {
			say(id.Message)
		}
		say(s.Identify.CANError)
	case s.Screen == ticketing.ScreenChild && s.Child != nil:
		say(s.Child.Error)
	case s.Screen == ticketing.ScreenSeats && s.Seats != nil:
		if k := s.Seats.Message.Key; k == "seats.taken" || k == "seats.expired" {
			say(s.Seats.Message)
		}
	case s.Screen == ticketing.ScreenFare && s.Fare != nil:
		if s.Fare.Total > 0 {
			add(v.said("ticketing.say.total", s.Fare.TotalText, speech.Amount("amount", s.Fare.Total)))
		}
		for _, n := range s.Fare.Notes {
			if n.Key == "fare.free" {
				say(n)
			}
		}
	case s.Screen == ticketing.ScreenPayment && s.Payment != nil:
		if s.Payment.Phase != ticketing.PaymentCreating {
			say(s.Payment.Message)
		}
	case s.Screen == ticketing.ScreenIssued && s.Issued != nil:
		if s.Issued.Printed {
			add(v.said("ticketing.say.printed", ""))
		} else {
			say(s.Issued.Message)
		}
		for i, t := range s.Issued.Tickets {
			if i == maxSpokenItems {
				break
			}
			add(v.issuedTicket(t))
		}
	case s.Screen == ticketing.ScreenTickets && s.Tickets != nil && !s.Tickets.Loading:
		say(s.Tickets.Message)
	case s.Screen == ticketing.ScreenRefund && s.Refund != nil:
		if s.Refund.Phase == ticketing.RefundDone || s.Refund.Phase == ticketing.RefundRefused {
			say(s.Refund.Message)
		}
	case s.Screen == ticketing.ScreenError && s.Error != nil:
		say(s.Error.Message)
		say(s.Error.Next)
	case s.Screen == ticketing.ScreenOutOfService && s.OutOfService != nil:
		say(s.OutOfService.Message)
		say(s.OutOfService.Next)
	}
	return p
}

// issuedTicket reads a printed ticket: its code ("Mã vé tê, không, …"),
// and for a seat on a departure the seat and the time and day it leaves,
// in the configured zone.
func (v *Voice) issuedTicket(t ticketing.IssuedTicket) []result {
	if t.ID == "" {
		return nil
	}
	if t.Seat == "" || t.Departs.IsZero() {
		return v.said("ticketing.say.ticket", t.ID, speech.Ticket("code", t.ID))
	}
	at := t.Departs.In(v.loc())
	return v.said("ticketing.say.ticket_seat", t.ID, speech.Ticket("code", t.ID), speech.Text("seat", t.Seat),
		speech.TimeOfDay("time", at), speech.Day("day", at))
}

// onestopPage: the guidance of each onestop.Screen; as results the card
// problems, the form's missing answers, the dossier received,
// the queue number and counter, the dossiers' status, the help desk's
// progress (not the staff member's name), what went wrong and what to do.
func (v *Voice) onestopPage(s onestop.State) page {
	p := page{lang: langOf(s.Lang == onestop.LangEN), guide: GuideKey("onestop", string(s.Screen))}
	add := func(r []result) { p.results = append(p.results, r...) }
	say := func(t onestop.Text) { add(v.message(SourceOnestop, t.Key, t.VI, t.EN)) }
	switch {
	case s.Screen == onestop.ScreenIdentify && s.Identify != nil:
		if id := s.Identify; id.Retry || id.NeedCAN || id.CANExhausted {
			say(id.Message)
		}
		say(s.Identify.CANError)
	case s.Screen == onestop.ScreenSearch && s.Search != nil:
		if s.Search.Message.Key == "search.none" {
			say(s.Search.Message)
		}
	case (s.Screen == onestop.ScreenForm || s.Screen == onestop.ScreenReview) && s.Form != nil:
		if s.Form.Errors > 0 {
			say(s.Form.Message)
		}
	case s.Screen == onestop.ScreenReceipt && s.Receipt != nil:
		r := s.Receipt
		if r.DossierCode != "" { // a 20-character code is printed, not spelt out
			add(v.said("onestop.say.received", r.DossierCode))
		}
		if r.Ticket != "" && r.CounterName != "" {
			add(v.said("onestop.say.number", r.Ticket+"\x00"+r.CounterName, speech.Ticket("number", r.Ticket), speech.Text("counter", r.CounterName)))
		}
	case s.Screen == onestop.ScreenDossiers && s.Dossiers != nil && !s.Dossiers.Loading:
		say(s.Dossiers.Message)
		for i, d := range s.Dossiers.List {
			if i == maxSpokenItems {
				break
			}
			add(v.dossier(d))
		}
	case s.Screen == onestop.ScreenTicket && s.Ticket != nil:
		t := s.Ticket
		if t.Number != "" && t.CounterName != "" {
			add(v.said("onestop.say.number", t.Number+"\x00"+t.CounterName, speech.Ticket("number", t.Number), speech.Text("counter", t.CounterName)))
		}
		if t.PaperOut {
			say(t.Message)
		}
	case s.Screen == onestop.ScreenSupport && s.Support != nil:
		if k := s.Support.Message.Key; !strings.HasPrefix(k, "support.accepted") { // they carry the staff member's name
			say(s.Support.Message)
		}
	case s.Screen == onestop.ScreenError && s.Error != nil:
		say(s.Error.Message)
		say(s.Error.Next)
	case s.Screen == onestop.ScreenOutOfService && s.OutOfService != nil:
		say(s.OutOfService.Message)
		say(s.OutOfService.Next)
	}
	return p
}

// dossier reads one dossier's procedure and status ("Hồ sơ Đăng ký tạm
// trú: Đang giải quyết."): its code, twenty characters long, is on the
// screen and the slip.
func (v *Voice) dossier(d onestop.DossierView) []result {
	if d.Procedure == "" || d.StatusText.Key == "" {
		return nil
	}
	return []result{{key: "onestop.say.dossier", sig: "onestop.say.dossier\x00" + d.Code + "\x00" + d.StatusText.Key, say: func(ctx context.Context, l i18n.Lang) error {
		status := d.StatusText.VI
		if l == i18n.English && d.StatusText.EN != "" {
			status = d.StatusText.EN
		}
		return v.result(ctx, l, "onestop.say.dossier", speech.Text("procedure", d.Procedure), speech.Text("status", status))
	}}}
}

// checkinPage: the guidance of each checkin.Screen; as results the card
// problems, the fingerprint prompts, the lodging form's error, the verdict
// in plain words ("Chấp nhận." and what was done, or why not), the
// report's print outcome, in Voice.Screen's language (the check-in
// point's states carry none: its screen shows [ui] language).
func (v *Voice) checkinPage(s checkin.State) page {
	p := page{lang: v.screenLang(), guide: GuideKey("checkin", string(s.Screen))}
	add := func(r []result) { p.results = append(p.results, r...) }
	say := func(t checkin.Text) { add(v.message(SourceCheckin, t.Key, t.VI, t.EN)) }
	switch {
	case s.Screen == checkin.ScreenReading && s.Reading != nil:
		if s.Reading.NeedCAN {
			say(s.Reading.Message)
		}
		say(s.Reading.CANError)
	case s.Screen == checkin.ScreenHolder && s.Holder != nil:
		say(s.Holder.Message)
	case s.Screen == checkin.ScreenLodging && s.Lodging != nil:
		say(s.Lodging.Error)
	case s.Screen == checkin.ScreenResult && s.Result != nil:
		r := s.Result
		switch {
		case r.OK:
			add(v.said("checkin.say.accepted", r.Code))
		case !strings.HasPrefix(r.Message.Key, "refused."):
			add(v.said("checkin.say.refused", r.Code))
		}
		say(r.Message)
	case s.Screen == checkin.ScreenReport && s.Report != nil:
		if k := s.Report.Message.Key; k == "report.printed" || k == "report.paper" || k == "report.failed" {
			say(s.Report.Message)
		}
	case s.Screen == checkin.ScreenOutOfService && s.OutOfService != nil:
		say(s.OutOfService.Message)
	}
	return p
}
