package emrtd

import (
	"context"
	"log/slog"

	"github.com/kiosk06/kiosk/drivers/nfc"

	"github.com/kiosk06/kiosk/drivers/emrtd/internal/sm"
)

// Test hooks: the session keys and protocol steps the ICAO worked examples
// print.

func (s *Session) SessionKeys() (enc, mac, ssc []byte) {
	if s.sm == nil {
		return nil, nil, nil
	}
	return s.sm.Enc, s.sm.Mac, s.sm.SSC
}

func (s *Session) SelectFileForTest(ctx context.Context, fid uint16) error {
	return s.selectFile(ctx, fid)
}

func (s *Session) ReadBinaryForTest(ctx context.Context, off, n int) ([]byte, uint16, error) {
	return s.readBinary(ctx, off, n)
}

func (s *Session) TransmitForTest(ctx context.Context, cla, ins, p1, p2 byte, data []byte, ne int) ([]byte, uint16, error) {
	return s.transmit(ctx, sm.Command{CLA: cla, INS: ins, P1: p1, P2: p2, Data: data, Ne: ne})
}

var MRZInformation = func(doc, dob, exp string) string {
	return mrzInformation(AccessKey{DocumentNumber: doc, DateOfBirth: dob, DateOfExpiry: exp})
}

// NewPlainSessionForTest is a session without access control or secure
// messaging, for driving the APDU layer with a scripted card.
func NewPlainSessionForTest(card nfc.Card, maxLe int) *Session {
	return &Session{card: card, maxLe: maxLe, log: slog.New(slog.DiscardHandler)}
}
