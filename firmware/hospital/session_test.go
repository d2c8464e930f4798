package hospital

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/payments/session"
)

type receiptPrinter struct {
	mu sync.Mutex
	rs []session.Receipt
}

func (p *receiptPrinter) PrintReceipt(_ context.Context, r session.Receipt) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rs = append(p.rs, r)
	return nil
}

// TestRealPaymentSession drives the flow with the real payments/session
// Manager: the back-end reports "not yet" (404) until a push confirmation.
func TestRealPaymentSession(t *testing.T) {
	backend := httptest.NewServer(http.NotFoundHandler())
	defer backend.Close()
	rp := &receiptPrinter{}
	var mgr *session.Manager
	r := newRig(t, noHolder(), func(_ *Config, d *Deps, r *rig) {
		var err error
		mgr, err = session.New(session.Config{
			DeviceID: "HOSP-01", RefPrefix: "H1", BIN: "970436", Account: "0071001234567", Name: "BENH VIEN TRUNG UONG HUE", City: "HUE",
			BaseURL: backend.URL, PollInitial: 5 * time.Millisecond, PollMax: 20 * time.Millisecond, Now: r.clock.Now,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		}, &session.MemoryRecorder{}, rp)
		if err != nil {
			t.Fatal(err)
		}
		d.Payments = mgr
	})
	r.toClinic(adult)
	r.send(Intent{Kind: IntentChoose, Clinic: "K01"})
	r.waitScreen(ScreenTicket)
	r.tap(IntentContinue)
	s := r.wait("QR", func(s State) bool { return s.Payment != nil && s.Payment.Phase == PaymentWaiting })
	p := s.Payment
	if !strings.HasPrefix(p.Payload, "000201") || !strings.Contains(p.Payload, p.Ref) || p.Amount != 10000 || p.Remaining != 5*time.Minute {
		t.Fatalf("payment %+v", p)
	}
	if _, err := mgr.Confirm(context.Background(), session.Confirmation{Ref: p.Ref, Status: "paid", TransactionID: "FT26326000042", Amount: 10000, PaidAt: r.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	s = r.waitScreen(ScreenReceipt)
	if s.Receipt.TxnID != "FT26326000042" || s.Receipt.Ref != p.Ref {
		t.Fatalf("receipt %+v", s.Receipt)
	}
	rp.mu.Lock()
	defer rp.mu.Unlock()
	if len(rp.rs) != 1 || rp.rs[0].Amount != 10000 {
		t.Fatalf("receipts printed: %+v", rp.rs)
	}
}
