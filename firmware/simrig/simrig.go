// Package simrig starts the device side of every simulated device for
// `kioskd run --sim` and `kioskd sim`: each driver's …sim package on its own
// pseudo-terminal (pn532sim with a virtual CCCD, scannersim, escpossim,
// fingerprintsim). It rewrites the configuration so that devices whose port
// is "sim" point at those ptys, and exposes the simulators for the simulator
// panel and end-to-end tests. Cards can be tapped, and their QR scanned, for
// each simulated citizen (testpki.People) in each variant.
//
// It is development and test tooling wired in by firmware/cmd/kioskd only;
// production code paths (flows, drivers) must not import it.
package simrig

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/kiosk06/kiosk/drivers/emrtd/emrtdsim"
	"github.com/kiosk06/kiosk/drivers/emrtd/testpki"
	"github.com/kiosk06/kiosk/drivers/escpos/escpossim"
	"github.com/kiosk06/kiosk/drivers/fingerprint/fingerprintsim"
	"github.com/kiosk06/kiosk/drivers/pn532/pn532sim"
	"github.com/kiosk06/kiosk/drivers/scanner/scannersim"
	"github.com/kiosk06/kiosk/firmware/bhyt/bhytfake"
	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/his/hisfake"
	"github.com/kiosk06/kiosk/payments/session"
	"github.com/kiosk06/kiosk/payments/session/sessionfake"
	"github.com/kiosk06/kiosk/tests/collector"
)

// Device is one running simulator.
type Device struct {
	Role   string // config role: nfc, printer, …
	Driver string // config driver
	Path   string // the pty the driver opens
	// Spec is the device string the matching `kioskd diag` tool accepts,
	// e.g. "pn532:uart:/dev/pts/3@115200".
	Spec string
}

// Rig holds the running simulators. The typed fields are the simulators
// themselves, for the simulator panel and end-to-end tests (nil when that
// device is not simulated).
type Rig struct {
	Dir         string // where simulators write their output (printed pages …)
	Printer     *escpossim.Sim
	Fingerprint *fingerprintsim.Sim
	NFC         *pn532sim.Sim
	Scanner     *scannersim.Sim
	// Collector is the local protocol-v1 backend started when the config
	// names no uplink and no MQTT broker (nil otherwise); CollectorURL is
	// its base URL.
	Collector    *collector.Collector
	CollectorURL string
	// BHYT and HIS are the fake social-insurance gateway and hospital
	// information system started for a hospital profile with none configured.
	BHYT *bhytfake.Server
	HIS  *hisfake.Server
	// Payments is the fake payment back-end (hospital prepayment in --sim).
	Payments *sessionfake.Server
	// TrustDir holds the CSCA of this run's test PKI (the identity
	// pipeline is pointed at it); empty when no card reader is simulated.
	TrustDir string

	pki   *testpki.PKI
	mu    sync.Mutex
	cards map[cardKey]*testpki.Card

	devices []Device
	closers []func() error
	log     *slog.Logger
}

// Start starts a simulator for every device of cfg whose port (or bus) is
// "sim", and points cfg at them. dir receives simulator output.
func Start(ctx context.Context, cfg *config.Config, dir string, log *slog.Logger) (*Rig, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("simrig: %w", err)
	}
	r := &Rig{Dir: dir, log: log, cards: map[cardKey]*testpki.Card{}}
	roles := make([]string, 0, len(cfg.Devices))
	for role, spec := range cfg.Devices {
		if spec.IsSim() {
			roles = append(roles, role)
		}
	}
	sort.Strings(roles)
	for _, role := range roles {
		spec := cfg.Devices[role]
		d, err := r.start(ctx, role, &spec)
		if err != nil {
			r.Close()
			return nil, fmt.Errorf("simrig: %s (%s): %w", role, spec.Driver, err)
		}
		cfg.Devices[role] = spec
		r.devices = append(r.devices, d)
	}
	if r.TrustDir != "" {
		cfg.Identity.TrustDir = r.TrustDir
	}
	if cfg.Device.Profile == config.ProfileHospital {
		if err := r.startHospitalFakes(cfg); err != nil {
			r.Close()
			return nil, err
		}
	}
	if cfg.Device.Profile == config.ProfileParking && cfg.Parking.PaymentBIN != "" && cfg.Parking.PaymentURL == "" {
		if err := r.startPayments(cfg, cfg.Parking.PaymentAccount, &cfg.Parking.PaymentURL); err != nil {
			r.Close()
			return nil, err
		}
	}
	// An MQTT uplink names its own broker: the local collector speaks HTTPS only.
	if cfg.Uplink.BaseURL == "" && cfg.Uplink.Transport != config.TransportMQTT {
		if err := r.startCollector(); err != nil {
			r.Close()
			return nil, fmt.Errorf("simrig: collector: %w", err)
		}
		cfg.Uplink.BaseURL, cfg.Uplink.Token, cfg.Uplink.TokenFile = r.CollectorURL, "", ""
		r.devices = append(r.devices, Device{Role: "uplink", Driver: "collector", Path: r.CollectorURL, Spec: r.CollectorURL})
	}
	return r, nil
}

// startHospitalFakes serves the BHYT gateway, payment back-end and HIS
// fakes when the config names none, with a sim staff identity.
func (r *Rig) startHospitalFakes(cfg *config.Config) error {
	if cfg.BHYT.BaseURL == "" {
		const user, pass = "sim-kiosk", "sim-password"
		r.BHYT = bhytfake.New(user, pass)
		r.closers = append(r.closers, func() error { r.BHYT.Close(); return nil })
		cfg.BHYT.BaseURL, cfg.BHYT.Username, cfg.BHYT.Password, cfg.BHYT.PasswordFile = r.BHYT.URL(), user, pass, ""
		cfg.BHYT.StaffName, cfg.BHYT.StaffCCCD = "Nhân viên Mô phỏng", "001000000000"
		r.devices = append(r.devices, Device{Role: "bhyt", Driver: "bhytfake", Path: r.BHYT.URL(), Spec: r.BHYT.URL()})
	}
	if cfg.Hospital.Prepayment && cfg.Payments.BIN != "" && cfg.Payments.BaseURL == "" {
		if err := r.startPayments(cfg, cfg.Payments.Account, &cfg.Payments.BaseURL); err != nil {
			return err
		}
	}
	if cfg.HIS.BaseURL == "" {
		const token = "sim-his-token"
		r.HIS = hisfake.New(token)
		r.closers = append(r.closers, func() error { r.HIS.Close(); return nil })
		cfg.HIS.BaseURL, cfg.HIS.Token, cfg.HIS.TokenFile = r.HIS.URL(), token, ""
		r.devices = append(r.devices, Device{Role: "his", Driver: "hisfake", Path: r.HIS.URL(), Spec: r.HIS.URL()})
	}
	return nil
}

// startPayments serves the payment back-end fake crediting account and
// points *url at it. It signs with the device's checksum key: the
// configured file, or one made on first start in the simulators' directory
// (never on a real device: there the payment provider issues it).
func (r *Rig) startPayments(cfg *config.Config, account string, url *string) error {
	if cfg.Payments.ConfirmKeyFile == "" {
		cfg.Payments.ConfirmKeyFile = filepath.Join(r.Dir, "payment-confirm.key")
	}
	path := cfg.Payments.ConfirmKeyFile
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		k := make([]byte, 32)
		if _, err := rand.Read(k); err != nil {
			return fmt.Errorf("simrig: payment key: %w", err)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return fmt.Errorf("simrig: payment key: %w", err)
		}
		if err := os.WriteFile(path, []byte(hex.EncodeToString(k)+"\n"), 0o600); err != nil {
			return fmt.Errorf("simrig: payment key: %w", err)
		}
	}
	key, err := session.LoadKey(path)
	if err != nil {
		return fmt.Errorf("simrig: %w", err)
	}
	r.Payments = sessionfake.New(sessionfake.Options{Key: key, Account: account})
	r.closers = append(r.closers, func() error { r.Payments.Close(); return nil })
	*url = r.Payments.URL()
	r.devices = append(r.devices, Device{Role: "payments", Driver: "sessionfake", Path: r.Payments.URL(), Spec: r.Payments.URL()})
	return nil
}

// PayPending plays the patient's bank transfer: the newest payment session
// the kiosk created (as uploaded to the local collector) is paid in full.
func (r *Rig) PayPending(deviceID string) (string, error) {
	if r.Payments == nil || r.Collector == nil {
		return "", errors.New("simrig: no simulated payment back-end (prepayment off?)")
	}
	type transition struct {
		Ref    string `json:"ref"`
		To     string `json:"to"`
		Amount int64  `json:"amount"`
	}
	open := map[string]int64{}
	var order []string
	for _, rec := range r.Collector.Records(deviceID) {
		if rec.Kind != "payment.session" {
			continue
		}
		var t transition
		if json.Unmarshal(rec.Payload, &t) != nil {
			continue
		}
		switch t.To {
		case "created":
			open[t.Ref] = t.Amount
			order = append(order, t.Ref)
		case "paid", "expired", "cancelled", "failed":
			delete(open, t.Ref)
		}
	}
	for i := len(order) - 1; i >= 0; i-- {
		if amount, ok := open[order[i]]; ok {
			return r.Payments.Pay(order[i], amount), nil
		}
	}
	return "", errors.New("simrig: no payment waiting (yet): the QR's session is uploaded within a few seconds")
}

// startCollector serves the reference backend (tests/collector) on loopback.
func (r *Rig) startCollector() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	r.Collector = collector.New(collector.Options{Logger: r.log})
	srv := &http.Server{Handler: r.Collector.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	r.CollectorURL = "http://" + ln.Addr().String()
	r.closers = append(r.closers, srv.Close)
	return nil
}

// newPKI makes this run's test PKI from a fresh random seed, so no test
// key is fixed in the binary, and writes its CSCA as the trust store.
func (r *Rig) newPKI() error {
	seed := make([]byte, 16)
	if _, err := rand.Read(seed); err != nil {
		return err
	}
	pki, err := testpki.NewPKI("simrig-" + hex.EncodeToString(seed))
	if err != nil {
		return err
	}
	dir := filepath.Join(r.Dir, "trust")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := pki.WriteTrustDir(dir); err != nil {
		return err
	}
	r.pki, r.TrustDir = pki, dir
	return nil
}

// Variants are the virtual cards the rig can put in the reader's field.
var Variants = []testpki.Variant{testpki.Genuine, testpki.DG13Altered, testpki.UntrustedSigner, testpki.ExpiredSigner, testpki.Clone, testpki.BACOnly, testpki.CardAccessTampered}

// cardKey names one virtual card: whose, and which variant.
type cardKey struct {
	who testpki.Person
	v   testpki.Variant
}

// Citizen returns the data of simulated person who as of today: for the
// child, who has no card, it is what a kiosk would have typed (ID number
// and date of birth); testpki.People lists them.
func (r *Rig) Citizen(who testpki.Person) testpki.Citizen { return who.Citizen(time.Now()) }

// Card returns this run's virtual CCCD of variant v for person who (made
// once, then kept). The child has no card (testpki.ErrNoCard).
func (r *Rig) Card(who testpki.Person, v testpki.Variant) (*testpki.Card, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pki == nil {
		return nil, errors.New("simrig: no card reader is simulated")
	}
	if c, ok := r.cards[cardKey{who, v}]; ok {
		return c, nil
	}
	cz := r.Citizen(who)
	if cz.ID == "" {
		return nil, fmt.Errorf("simrig: no simulated person %q", who)
	}
	c, err := testpki.NewCCCD(&testpki.Options{Seed: "simrig-card-" + v.String(), Citizen: &cz, Variant: v, PKI: r.pki})
	if err != nil {
		return nil, fmt.Errorf("simrig: card of %s: %w", who, err)
	}
	r.cards[cardKey{who, v}] = c
	return c, nil
}

// TapCard puts the virtual CCCD of variant v of person who in the reader's
// field. With removeAfter > 0 it leaves the field after that many APDUs (a
// card pulled away mid-read).
func (r *Rig) TapCard(who testpki.Person, v testpki.Variant, removeAfter int) error {
	if r.NFC == nil {
		return errors.New("simrig: no simulated card reader")
	}
	c, err := r.Card(who, v)
	if err != nil {
		return err
	}
	chip, err := emrtdsim.NewCCCD(c, &emrtdsim.Options{RemoveAfter: removeAfter})
	if err != nil {
		return err
	}
	r.NFC.SetCard(chip)
	return nil
}

// RemoveCard takes the card out of the field.
func (r *Rig) RemoveCard() {
	if r.NFC != nil {
		r.NFC.RemoveCard()
	}
}

// QRPayload is the QR printed on a virtual card, in the 2021-2024 CCCD format
// ID|old ID|name|DDMMYYYY|sex|address|DDMMYYYY(issue) (testpki.Citizen.QR).
func QRPayload(c *testpki.Card) string { return c.Citizen.QR() }

// ScanQR makes the simulated scanner read the QR of person who's variant-v
// card.
func (r *Rig) ScanQR(who testpki.Person, v testpki.Variant) error {
	if r.Scanner == nil {
		return errors.New("simrig: no simulated scanner")
	}
	c, err := r.Card(who, v)
	if err != nil {
		return err
	}
	return r.Scanner.Scan(QRPayload(c))
}

// start launches the simulator for one device and rewrites its spec.
func (r *Rig) start(ctx context.Context, role string, spec *config.DeviceSpec) (Device, error) {
	d := Device{Role: role, Driver: spec.Driver}
	switch spec.Driver {
	case "escpos":
		sim, err := escpossim.Start(ctx, &escpossim.Options{Dir: r.OutputDir(role), Width: spec.Width, Baud: spec.Baud, Logger: r.log})
		if err != nil {
			return d, err
		}
		r.Printer = sim
		r.closers = append(r.closers, sim.Close)
		d.Path, d.Spec = sim.Path(), sim.DeviceString()
	case "r30x":
		sim, err := fingerprintsim.Start(ctx, &fingerprintsim.Options{Address: uint32(spec.Address), Password: uint32(spec.Password), Baud: spec.Baud, Logger: r.log})
		if err != nil {
			return d, err
		}
		r.Fingerprint = sim
		r.closers = append(r.closers, sim.Close)
		d.Path, d.Spec = sim.Path(), sim.DeviceString()
	case "pn532-uart":
		if err := r.newPKI(); err != nil {
			return d, err
		}
		sim, err := pn532sim.Start(ctx, &pn532sim.Options{Logger: r.log})
		if err != nil {
			return d, err
		}
		r.NFC = sim
		r.closers = append(r.closers, sim.Close)
		d.Path, d.Spec = sim.Path(), sim.DeviceString()
	case "scanner":
		sim, err := scannersim.Start(ctx, &scannersim.Options{Suffix: scannerSuffix(spec.Suffix)})
		if err != nil {
			return d, err
		}
		r.Scanner = sim
		r.closers = append(r.closers, sim.Close)
		d.Path, d.Spec = sim.Path(), sim.DeviceString()
	case "gpio-in", "gpio-out":
		// In-memory gpiotest pins (firmware/devices.Pins): nothing to start.
		d.Path, d.Spec = "sim", "gpiotest:"+role
		return d, nil
	default:
		return d, fmt.Errorf("no simulator for driver %q", spec.Driver)
	}
	spec.Port = d.Path
	return d, nil
}

// Devices lists the running simulators in role order.
func (r *Rig) Devices() []Device { return append([]Device(nil), r.devices...) }

// OutputDir is where simulator output of one role goes.
func (r *Rig) OutputDir(role string) string { return filepath.Join(r.Dir, role) }

// Close stops every simulator.
func (r *Rig) Close() error {
	var errs []error
	for i := len(r.closers) - 1; i >= 0; i-- {
		errs = append(errs, r.closers[i]())
	}
	r.closers = nil
	return errors.Join(errs...)
}

func scannerSuffix(s string) string {
	switch s {
	case "lf":
		return "\n"
	case "crlf", "any":
		return "\r\n"
	}
	return "\r"
}
