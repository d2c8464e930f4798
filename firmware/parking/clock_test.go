package parking

import (
	"context"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/store"
	"github.com/kiosk06/kiosk/payments/tariff"
)

// clockExit is one stay under a moving clock: enter, let time pass and
// step the wall clock, maybe restart, exit.
type clockExit struct {
	name    string
	vehicle tariff.Vehicle
	enterAt time.Duration // after 08:00 on 22/11/2026
	stay    time.Duration // time that passes (wall and boot clock)
	jump    time.Duration // then the wall clock alone steps
	// restart: "" none, "kioskd" (same boot), "reboot" (a new boot).
	restart string
	// other: a second vehicle enters this long into the stay (a later
	// record of the entry's boot).
	other    time.Duration
	want     tariff.VND
	measured string
}

// TestStayUnderClockSteps: the stay charged is the time that passed, in
// the boot the vehicle came in (also across a kioskd restart); across a
// reboot the wall clock, never less than the entry's boot last recorded,
// and an entry that reads later than the clock pays the first period and
// goes out (no tariff_error that would keep the barrier shut).
func TestStayUnderClockSteps(t *testing.T) {
	tests := []clockExit{
		{name: "stepped back during the stay", vehicle: tariff.Car, stay: 3 * time.Hour, jump: -2 * time.Hour,
			want: 35000, measured: measuredBoot},
		{name: "stepped forward during the stay", vehicle: tariff.Car, stay: time.Hour, jump: 5 * time.Hour,
			want: 25000, measured: measuredBoot},
		{name: "stepped back, kioskd restarted", vehicle: tariff.Car, stay: 3 * time.Hour, jump: -2 * time.Hour, restart: "kioskd",
			want: 35000, measured: measuredBoot},
		{name: "entry ahead of the clock, kioskd restarted", vehicle: tariff.Car, stay: 30 * time.Minute, jump: -time.Hour, restart: "kioskd",
			want: 25000, measured: measuredBoot},
		{name: "day and night decided from the entry's wall time", vehicle: tariff.Motorbike, enterAt: 9 * time.Hour, stay: 2 * time.Hour, jump: -3 * time.Hour,
			want: 12000, measured: measuredBoot},
		{name: "rebooted, clock right", vehicle: tariff.Car, stay: 3 * time.Hour, restart: "reboot",
			want: 35000, measured: measuredWall},
		{name: "rebooted, clock stepped back below the boot's last record", vehicle: tariff.Car, stay: 3 * time.Hour, jump: -2 * time.Hour,
			restart: "reboot", other: 170 * time.Minute, want: 35000, measured: measuredFloor},
		{name: "rebooted, entry ahead of the clock", vehicle: tariff.Car, stay: 20 * time.Minute, jump: -time.Hour, restart: "reboot",
			want: 25000, measured: measuredMinimum},
		{name: "rebooted, motorbike entry ahead of the clock", vehicle: tariff.Motorbike, stay: 5 * time.Minute, jump: -time.Hour, restart: "reboot",
			want: 5000, measured: measuredMinimum},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { runClockExit(t, tc) })
	}
}

func runClockExit(t *testing.T, tc clockExit) {
	st := openStore(t)
	acc := &accounts{}
	l := newLane(t, st, func(_ *Config, d *Deps) { d.Accounts = acc })
	l.clock.Add(tc.enterAt)
	cred := credential(t, testQR)
	in := l.enter(t, EntryRequest{Credential: cred, Vehicle: tc.vehicle})
	if tc.other > 0 {
		l.clock.Add(tc.other)
		l.enter(t, EntryRequest{Plate: "51F-999.99", Vehicle: tariff.Motorbike})
	}
	l.clock.Add(tc.stay - tc.other)
	l.clock.Jump(tc.jump)
	switch tc.restart {
	case "kioskd":
		l = restartLane(t, st, l.clock, testBoot, acc)
	case "reboot":
		c := &clock{t: l.clock.Now(), mono: 40 * time.Second}
		l = restartLane(t, st, c, "boot-2", acc)
	}
	go l.waitOpenThenPass()
	res, err := l.t.Exit(context.Background(), ExitRequest{TicketID: in.TicketID, Method: MethodAccount, Credential: cred})
	if err != nil {
		t.Fatalf("Exit (wall %s): %v", l.clock.Now().Format(time.DateTime), err)
	}
	if res.Amount != tc.want {
		t.Fatalf("charged %v, want %v", res.Amount, tc.want)
	}
	recs, err := st.Records(context.Background(), KindExit, 0, 10)
	if err != nil || len(recs) != 1 {
		t.Fatalf("exit records %d, %v", len(recs), err)
	}
	var x records.ParkingExit
	if err := records.Decode(recs[0], &x); err != nil {
		t.Fatal(err)
	}
	if x.Measured != tc.measured || x.Stay <= 0 {
		t.Fatalf("exit record measured %q, stay %d s; want %q", x.Measured, x.Stay, tc.measured)
	}
}

// restartLane is a new lane on st (kioskd restarted) reading clock c in
// boot, restored from st.
func restartLane(t *testing.T, st *store.Store, c *clock, boot string, acc Accounts) *lane {
	t.Helper()
	l := newLane(t, st, func(cfg *Config, d *Deps) {
		cfg.Now, cfg.Mono, cfg.BootID = c.Now, c.Mono, boot
		d.Accounts = acc
	})
	l.clock = c
	if err := l.t.Restore(context.Background()); err != nil {
		t.Fatal(err)
	}
	return l
}
