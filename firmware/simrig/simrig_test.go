package simrig

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/cccd"
	"github.com/kiosk06/kiosk/drivers/emrtd"
	"github.com/kiosk06/kiosk/drivers/emrtd/pa"
	"github.com/kiosk06/kiosk/drivers/emrtd/testpki"
	"github.com/kiosk06/kiosk/drivers/nfc"
	"github.com/kiosk06/kiosk/drivers/scanner"
	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/devices"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/profile"
)

var quiet = slog.New(slog.DiscardHandler)

// rigWithReader starts a rig with a simulated card reader and scanner and
// opens the real drivers on them, as kioskd does.
func rigWithReader(ctx context.Context, t *testing.T) (*Rig, nfc.Reader, *scanner.Scanner, *identity.Pipeline) {
	t.Helper()
	cfg := config.Default()
	cfg.Devices["nfc"] = config.DeviceSpec{Driver: "pn532-uart", Port: "sim"}
	// The same person's QR is scanned for several variants in a row: no
	// repeat suppression.
	cfg.Devices["scanner"] = config.DeviceSpec{Driver: "scanner", Port: "sim", Suffix: "cr", Dedupe: config.Duration(-1)}
	rig, err := Start(ctx, cfg, Options{Dir: t.TempDir(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rig.Close() })
	reader, err := devices.OpenNFC(ctx, cfg.Devices["nfc"], quiet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reader.Close() })
	sc, err := devices.OpenScanner(cfg.Devices["scanner"], quiet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sc.Close() })
	trust, err := pa.LoadTrustStore(rig.TrustDir)
	if err != nil {
		t.Fatal(err)
	}
	return rig, reader, sc, identity.NewPipeline(identity.Options{Trust: trust})
}

// TestCitizensCards scans and taps the cards of every simulated citizen who
// holds one, and reads them through the real scanner and PN532 drivers and
// the identity pipeline: the QR opens the chip (PACE with the CAN, or BAC
// with the key the age rules give — the elderly woman's card has no
// expiry), the chip says who it is, and a forgery is still a forgery. The
// child has no card to tap or scan. The adult's card is the one every
// test read before there were several citizens.
func TestCitizensCards(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rig, reader, sc, pipeline := rigWithReader(ctx, t)
	adult, err := rig.Card(testpki.Adult, testpki.Genuine)
	if err != nil {
		t.Fatal(err)
	}
	if adult.Citizen != testpki.DefaultCitizen() {
		t.Fatalf("the adult's card holds %s, want DefaultCitizen", adult.Citizen.FullName)
	}
	cases := []struct {
		who     testpki.Person
		v       testpki.Variant
		verdict identity.Verdict
		method  emrtd.Method
	}{
		{testpki.Adult, testpki.Genuine, identity.Genuine, emrtd.MethodPACECAN},
		{testpki.Elderly, testpki.Genuine, identity.Genuine, emrtd.MethodPACECAN},
		{testpki.Elderly, testpki.BACOnly, identity.Genuine, emrtd.MethodBAC},
		{testpki.Elderly, testpki.DG13Altered, identity.NotGenuine, emrtd.MethodPACECAN},
		{testpki.SecondAdult, testpki.Genuine, identity.Genuine, emrtd.MethodPACECAN},
		{testpki.SecondAdult, testpki.Clone, identity.NotGenuine, emrtd.MethodPACECAN},
	}
	for _, tc := range cases {
		t.Run(string(tc.who)+"/"+tc.v.String(), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
			defer cancel()
			want := rig.Citizen(tc.who)
			if err := rig.ScanQR(tc.who, tc.v); err != nil {
				t.Fatal(err)
			}
			scan, err := sc.Next(ctx)
			if err != nil {
				t.Fatal(err)
			}
			q, err := cccd.ParseQR(scan.Text)
			if err != nil || q.ID != want.ID || q.Name != want.FullName {
				t.Fatalf("scanned QR %+v, %v; want %s's", q.Redacted(), err, tc.who)
			}
			if err := rig.TapCard(tc.who, tc.v, 0); err != nil {
				t.Fatal(err)
			}
			defer rig.RemoveCard()
			card, err := reader.WaitCard(ctx)
			if err != nil {
				t.Fatal(err)
			}
			id, err := pipeline.Read(ctx, card, identity.Keys{QR: &q})
			if err != nil {
				t.Fatal(err)
			}
			if id.Verdict != tc.verdict || id.Access != tc.method {
				t.Fatalf("%s via %s (%s %s), want %s via %s", id.Verdict, id.Access, id.Reason, id.Detail, tc.verdict, tc.method)
			}
			if tc.v != testpki.DG13Altered && (id.Citizen.ID != want.ID || id.Citizen.DOB != want.DateOfBirth.Format(time.DateOnly)) {
				t.Fatalf("the chip holds %s, want %s", id.Citizen.Redacted(), tc.who)
			}
		})
	}
	for _, err := range []error{rig.TapCard(testpki.Child, testpki.Genuine, 0), rig.ScanQR(testpki.Child, testpki.Genuine)} {
		if !errors.Is(err, testpki.ErrNoCard) {
			t.Errorf("the child's card: %v, want ErrNoCard", err)
		}
	}
	if _, err := rig.Card("grandpa", testpki.Genuine); err == nil {
		t.Error("a card for an unknown person")
	}
}

// TestControlCitizens asks the control commands for the simulated people
// and taps the second adult's card by name, as an end-to-end test does
// over the --control socket.
func TestControlCitizens(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rig, reader, _, pipeline := rigWithReader(ctx, t)
	rep := rig.command(ctx, ControlCommand{SimCommand: profile.SimCommand{Sim: "citizens"}}, &profile.Running{})
	if !rep.OK || len(rep.Citizens) != len(testpki.People()) {
		t.Fatalf("citizens: %+v", rep)
	}
	byName := map[string]ControlCitizen{}
	for _, c := range rep.Citizens {
		byName[c.Citizen] = c
	}
	child, mother := byName[string(testpki.Child)], byName[string(testpki.SecondAdult)]
	if child.HasCard || child.QR != "" || child.CAN != "" || len(child.ID) != 12 || child.DOB == "" {
		t.Fatalf("the child: %+v (want an ID number and a birth date to type, no card)", child)
	}
	if !mother.HasCard || mother.CAN != mother.ID[6:] || mother.QR == "" {
		t.Fatalf("the second adult: %+v", mother)
	}

	for _, who := range []string{string(testpki.Child), "grandpa"} {
		if rep := rig.command(ctx, ControlCommand{SimCommand: profile.SimCommand{Sim: "tap", Citizen: who}}, &profile.Running{}); rep.OK || rep.Error == "" {
			t.Fatalf("tapping %s's card: %+v", who, rep)
		}
	}
	if rep := rig.command(ctx, ControlCommand{SimCommand: profile.SimCommand{Sim: "tap", Citizen: string(testpki.SecondAdult)}}, &profile.Running{}); !rep.OK {
		t.Fatalf("tap: %+v", rep)
	}
	card, err := reader.WaitCard(ctx)
	if err != nil {
		t.Fatal(err)
	}
	id, err := pipeline.Read(ctx, card, identity.Keys{CAN: mother.CAN})
	if err != nil || id.Verdict != identity.Genuine || id.Citizen.ID != mother.ID {
		t.Fatalf("read the tapped card: %v, %s of %s", err, id.Verdict, id.Citizen.Redacted())
	}
}
