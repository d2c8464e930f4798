package hospital

import (
	"context"
	"sync"
	"time"

	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/firmware/tickets"
	"github.com/kiosk06/kiosk/payments/session"
	"github.com/kiosk06/kiosk/payments/tariff"
)

// The payment receipt: the payment session prints it once its paid
// transition is durable; what it was paid for comes from the flow.

// ReceiptInfo is what a receipt says about the visit a payment is for: the
// clinic (and room), the HIS visit number and the fee lines. None of it is
// personal data.
type ReceiptInfo struct {
	Service string
	Visit   string
	Fees    []tariff.FeeLine
}

// ReceiptNoter learns which visit a payment session is for (Receipts).
type ReceiptNoter interface {
	Note(ref string, info ReceiptInfo)
}

// maxNotes bounds the visits kept for sessions not (yet) paid.
const maxNotes = 64

// Receipts prints the receipts of paid sessions (session.Printer) with the
// hospital's name, the service, the amounts (total, insurance share, paid),
// the full visit number, the payment reference and the time in the
// hospital's zone. The flow notes each session's visit when it shows its
// QR code (Note).
type Receipts struct {
	p   Printer
	h   tickets.Header
	loc *time.Location

	mu    sync.Mutex
	notes map[string]ReceiptInfo
}

// NewReceipts makes the receipt printer of a kiosk (loc nil: UTC+7).
func NewReceipts(p Printer, h tickets.Header, loc *time.Location) *Receipts {
	if loc == nil {
		loc = time.FixedZone("ICT", 7*3600)
	}
	return &Receipts{p: p, h: h, loc: loc, notes: map[string]ReceiptInfo{}}
}

// Note implements ReceiptNoter.
func (r *Receipts) Note(ref string, info ReceiptInfo) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.notes) >= maxNotes {
		for k := range r.notes { // sessions long expired: any will do
			delete(r.notes, k)
			break
		}
	}
	r.notes[ref] = info
}

// PrintReceipt implements session.Printer.
func (r *Receipts) PrintReceipt(ctx context.Context, rc session.Receipt) error {
	r.mu.Lock()
	info, ok := r.notes[rc.Ref]
	delete(r.notes, rc.Ref)
	r.mu.Unlock()
	_, err := r.p.Print(ctx, r.document(rc, info, ok))
	return err
}

// document lays the receipt out; without a noted visit it prints the
// session's purpose as its only line.
func (r *Receipts) document(rc session.Receipt, info ReceiptInfo, noted bool) *escpos.Document {
	t := tickets.Receipt{Title: "BIÊN LAI THANH TOÁN", Method: "VietQR", Total: rc.Amount,
		PaymentRef: rc.Ref, TransactionID: rc.TxnID, PaidAt: rc.PaidAt.In(r.loc)}
	if !noted {
		t.Lines = []tickets.ReceiptLine{{Name: rc.Purpose, Amount: rc.Amount}}
		return tickets.PaymentReceipt(r.h, t)
	}
	t.Service, t.Visit, t.Paid, t.Total = info.Service, info.Visit, rc.Amount, 0
	for _, l := range info.Fees {
		full := l.Quantity * int64(l.UnitPrice)
		t.Lines = append(t.Lines, tickets.ReceiptLine{Name: l.Name, Quantity: int(l.Quantity), Amount: full})
		t.Total += full
		t.Insurance += int64(l.InsurancePays)
	}
	return tickets.PaymentReceipt(r.h, t)
}
