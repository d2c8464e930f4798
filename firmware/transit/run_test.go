package transit

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/nfc"
	"github.com/kiosk06/kiosk/firmware/identity"
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
	acq := identity.NewAcquirer(identity.Sources{QR: qr, Reader: rd}, identity.Policy{StaticUID: true, CardPause: time.Millisecond}, identity.Options{}, nil)
	go func() { done <- v.Run(ctx, acq) }()
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

// TestRecordTokenKind pins how tap records name each way a token is
// presented: the back-end settles rides by these strings.
func TestRecordTokenKind(t *testing.T) {
	tk := tokenizer(t)
	for _, tc := range []struct {
		p    identity.Presentation
		kind string
	}{
		{identity.PresentQR(testQR), "cccd_qr"},
		{identity.Presentation{Method: identity.MethodChip, ID: "001090012345"}, "cccd_chip"},
		{identity.Presentation{Method: identity.MethodUID, UID: []byte{0x04, 1, 2, 3, 4, 5, 6}}, "uid"},
		{identity.PresentQR("https://vneid.gov.vn/qr?t=x"), "vneid"},
	} {
		st := &memStore{}
		v, _ := newTestValidator(t, st, nil, nil)
		r, _ := v.Decide(context.Background(), tc.p)
		recs, _ := st.Records(context.Background(), RecordKind, 0, 10)
		want, _ := tk.Of(tc.p)
		if len(recs) != 1 || !strings.Contains(string(recs[0].Payload), `"token_kind":"`+tc.kind+`"`) ||
			!strings.Contains(string(recs[0].Payload), `"token":"`+want.String()+`"`) || r.Token != want {
			t.Errorf("%s: result %+v, records %v", tc.kind, r, recs)
		}
	}
}
