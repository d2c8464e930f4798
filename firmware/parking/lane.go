package parking

import (
	"context"
	"errors"
	"regexp"

	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/payments/tariff"
)

// ticketQR is what the QR on a parking ticket carries (newTicketID).
var ticketQR = regexp.MustCompile(`^[A-Z2-7]{10}$`)

// Lane modes ([parking] lane).
const (
	LaneEntry = "entry"
	LaneExit  = "exit"
	LaneBoth  = "both"
)

// Lane is what an unattended lane does with a CCCD.
type Lane struct {
	Mode    string         // LaneEntry, LaneExit or LaneBoth ("" is LaneBoth)
	Vehicle tariff.Vehicle // the vehicle type admitted without an attendant
}

// Presenter streams presentations; *identity.Acquirer implements it.
type Presenter interface {
	Presentations(ctx context.Context) <-chan identity.Presentation
}

// RunLane serves the lane from src until ctx ends: a ticket's QR is an
// exit; a CCCD (its QR or a chip read) becomes a Credential under tk and an
// entry or an exit depending on lane (LaneBoth: an exit when that driver's
// vehicle is inside, else an entry). Anything else is logged and ignored,
// and so is every scan while the staff menu is open.
func (t *Terminal) RunLane(ctx context.Context, src Presenter, tk *identity.Tokenizer, lane Lane) error {
	for p := range src.Presentations(ctx) {
		if t.StaffOpen() {
			// Entry and Exit would refuse it too (ErrBusy): the menu
			// holds the lane, so no barrier moves while staff are on it.
			t.log.Info("parking: scan ignored: the staff menu is open")
			continue
		}
		var err error
		if ticketQR.MatchString(p.Other) {
			_, err = t.Exit(ctx, ExitRequest{TicketID: p.Other})
		} else if cred, cerr := NewCredential(tk, p); cerr == nil {
			err = t.serveCredential(ctx, cred, lane)
		} else {
			// The error may quote the scanned text: log only the method.
			t.log.Info("parking: scan is neither a ticket nor a CCCD", "presentation", p)
			continue
		}
		if err != nil {
			t.log.Warn("parking: lane", "err", err)
		}
	}
	return ctx.Err()
}

func (t *Terminal) serveCredential(ctx context.Context, cred Credential, lane Lane) error {
	if lane.Mode == LaneExit {
		_, err := t.Exit(ctx, ExitRequest{Credential: cred})
		return err
	}
	if lane.Mode != LaneEntry {
		_, err := t.Exit(ctx, ExitRequest{Credential: cred})
		if !errors.Is(err, ErrUnknownTicket) {
			return err
		}
	}
	_, err := t.Entry(ctx, EntryRequest{Credential: cred, Vehicle: lane.Vehicle})
	return err
}
