package emrtd_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/kiosk06/kiosk/drivers/emrtd"
	"github.com/kiosk06/kiosk/drivers/emrtd/emrtdsim"
	"github.com/kiosk06/kiosk/drivers/emrtd/testpki"
)

// The terminal against virtual chips carrying testpki's signed CCCD files:
// everything the identity pipeline reads, CA and AA, per variant.
func TestTestPKICards(t *testing.T) {
	ctx := context.Background()
	pki, err := testpki.NewPKI("")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		opts   testpki.Options
		method emrtd.Method
		cloned bool
		useMRZ bool
		rsaAA  bool
	}{
		{name: "genuine ECDSA AA", opts: testpki.Options{}, method: emrtd.MethodPACECAN},
		{name: "genuine RSA AA", opts: testpki.Options{AAKey: testpki.AARSA1024}, method: emrtd.MethodPACECAN, rsaAA: true},
		{name: "clone", opts: testpki.Options{Variant: testpki.Clone}, method: emrtd.MethodPACECAN, cloned: true},
		{name: "BAC only", opts: testpki.Options{Variant: testpki.BACOnly}, method: emrtd.MethodBAC, useMRZ: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.PKI = pki
			card, err := testpki.NewCCCD(&tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			chip, err := emrtdsim.NewCCCD(card, &emrtdsim.Options{Rand: seeded(11)})
			if err != nil {
				t.Fatal(err)
			}
			key := emrtd.AccessKey{CAN: card.CAN}
			if tc.useMRZ {
				key = emrtd.AccessKey{DocumentNumber: card.DocumentNumber, DateOfBirth: card.DateOfBirth, DateOfExpiry: card.DateOfExpiry}
			}
			s := mustOpen(t, chip, key, emrtd.Options{})
			if s.Method() != tc.method {
				t.Errorf("method %s, want %s", s.Method(), tc.method)
			}
			read := func(fid uint16) []byte {
				b, err := s.ReadFile(ctx, fid, nil)
				if err != nil {
					t.Fatalf("read %04X: %v", fid, err)
				}
				return b
			}
			for _, fid := range []uint16{emrtd.FileCOM, emrtd.FileSOD, emrtd.DGFile(13)} {
				if b := read(fid); !bytes.Equal(b, card.Files[fid]) {
					t.Errorf("file %04X differs", fid)
				}
			}
			if mrz, err := emrtd.ParseDG1(read(emrtd.DGFile(1))); err != nil || mrz != strings.Join(card.MRZ[:], "") {
				t.Errorf("DG1 MRZ mismatch (%v)", err)
			}
			if face, err := emrtd.ParseDG2(read(emrtd.DGFile(2))); err != nil || !bytes.Equal(face.Image, card.FaceJPEG) {
				t.Errorf("DG2 face mismatch (%v)", err)
			}
			if _, err := s.ReadFile(ctx, emrtd.DGFile(3), nil); !errors.Is(err, emrtd.ErrAccessDenied) {
				t.Errorf("DG3: %v, want ErrAccessDenied", err)
			}
			dg14, dg15 := read(emrtd.DGFile(14)), read(emrtd.DGFile(15))
			if k, err := emrtd.ParseDG15(dg15); err != nil || (k.RSA != nil) != tc.rsaAA {
				t.Errorf("DG15: %+v %v", k, err)
			}
			// AA first: CA replaces the session keys.
			aaErr := s.ActiveAuthenticate(ctx, dg15, dg14)
			caErr := s.ChipAuthenticate(ctx, dg14)
			if tc.cloned {
				if !errors.Is(aaErr, emrtd.ErrActiveAuthentication) || !errors.Is(caErr, emrtd.ErrChipAuthentication) {
					t.Errorf("clone: AA %v, CA %v", aaErr, caErr)
				}
				return
			}
			if aaErr != nil || caErr != nil {
				t.Fatalf("AA %v, CA %v", aaErr, caErr)
			}
			if b := read(emrtd.DGFile(13)); !bytes.Equal(b, card.Files[emrtd.DGFile(13)]) {
				t.Error("DG13 after CA differs")
			}
		})
	}
}

// TestCardAccessAgainstDG14: EF.CardAccess is unsigned; its SecurityInfos
// must be the ones DG14 signs (ICAO 9303-11 §9.2). The test PKI's genuine
// card passes, the tampered one (PACE steered to 3DES) opens — the chip
// runs what its EF.CardAccess says — but fails the check.
func TestCardAccessAgainstDG14(t *testing.T) {
	ctx := context.Background()
	pki, err := testpki.NewPKI("")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		variant testpki.Variant
		want    error
	}{
		{testpki.Genuine, nil},
		{testpki.Clone, nil},
		{testpki.BACOnly, nil}, // no EF.CardAccess: nothing to compare
		{testpki.CardAccessTampered, emrtd.ErrCardAccessMismatch},
	} {
		t.Run(tc.variant.String(), func(t *testing.T) {
			card, err := testpki.NewCCCD(&testpki.Options{PKI: pki, Variant: tc.variant})
			if err != nil {
				t.Fatal(err)
			}
			chip, err := emrtdsim.NewCCCD(card, &emrtdsim.Options{Rand: seeded(12)})
			if err != nil {
				t.Fatal(err)
			}
			s := mustOpen(t, chip, emrtd.AccessKey{CAN: card.CAN, DocumentNumber: card.DocumentNumber,
				DateOfBirth: card.DateOfBirth, DateOfExpiry: card.DateOfExpiry}, emrtd.Options{})
			dg14, err := s.ReadFile(ctx, emrtd.DGFile(14), nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.CheckCardAccess(dg14); !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("CheckCardAccess = %v, want %v", err, tc.want)
			}
			if tc.variant == testpki.CardAccessTampered && !s.CardAccess().PACE[0].Protocol.Equal(emrtd.OIDPACEECDHGM3DES) {
				t.Errorf("tampered card opened with %v", s.CardAccess().PACE[0].Protocol)
			}
		})
	}
}
