package transit

import (
	"context"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/nfc"
)

// chanQR is a QRSource fed by a channel.
type chanQR chan string

func (c chanQR) ReadQR(ctx context.Context) (string, error) {
	select {
	case s := <-c:
		return s, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// chanReader is an nfc.Reader fed by a channel.
type chanReader chan nfc.Card

func (r chanReader) WaitCard(ctx context.Context) (nfc.Card, error) {
	select {
	case c := <-r:
		return c, nil
	case <-ctx.Done():
		return nil, nfc.ErrNoCard
	}
}
func (r chanReader) Close() error { return nil }

func TestRunDecidesFromBothSources(t *testing.T) {
	st := &memStore{}
	v, _ := newTestValidator(t, st, nil, nil)
	qr, rd := make(chanQR, 1), make(chanReader, 1)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- v.Run(ctx, Sources{QR: qr, Reader: rd, CardPause: time.Millisecond}) }()
	qr <- testQR
	rd <- fakeCard{nfc.CardInfo{Type: nfc.TypeA, UID: []byte{0x04, 1, 2, 3, 4, 5, 6}}}
	qr <- "not a card QR"
	deadline := time.Now().Add(2 * time.Second)
	for {
		recs, _ := st.Records(ctx, RecordKind, 0, 10)
		if len(recs) == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d records after 2 s, want 2 (QR and UID taps; the bad QR is not recorded)", len(recs))
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != context.Canceled {
		t.Fatalf("Run returned %v", err)
	}
}
