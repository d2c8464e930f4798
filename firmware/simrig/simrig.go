// Package simrig starts the device side of every simulated device for
// `kioskd run --sim` and `kioskd sim`: each driver's …sim package on its own
// pseudo-terminal (pn532sim with a virtual CCCD, scannersim, escpossim,
// fingerprintsim), in-memory GPIO pins and the loudspeaker (audiosim,
// writing what the kiosk says as WAV files). It rewrites the configuration so
// that devices whose port is "sim" point at those ptys, serves the fake
// back-ends a profile asks for (profile.Simulated: payments, BHYT, HIS) and
// the local collector, and exposes the simulators for the simulator panel
// and end-to-end tests. Cards can be tapped, and their QR scanned, for each
// simulated citizen (testpki.People) in each variant.
//
// It is generic over profiles: it names none. What can be done to the
// simulated devices is data (profile.SimCommand, grouped as the rig's own
// Controls and the running profile's profile.Running.Sim), executed by Do
// and Run for the simulator panel and by the --control socket alike; the
// socket streams any profile's states and hands it intents
// (profile.Screen).
//
// It is development and test tooling wired in by firmware/cmd/kioskd only;
// production code paths (flows, drivers, firmware/kiosk, the profiles)
// must not import it.
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

	"github.com/kiosk06/kiosk/drivers/audio/audiosim"
	"github.com/kiosk06/kiosk/drivers/emrtd/emrtdsim"
	"github.com/kiosk06/kiosk/drivers/emrtd/testpki"
	"github.com/kiosk06/kiosk/drivers/escpos/escpossim"
	"github.com/kiosk06/kiosk/drivers/fingerprint/fingerprintsim"
	"github.com/kiosk06/kiosk/drivers/pn532/pn532sim"
	"github.com/kiosk06/kiosk/drivers/scanner/scannersim"
	"github.com/kiosk06/kiosk/firmware/bhyt/bhytfake"
	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/devices"
	"github.com/kiosk06/kiosk/firmware/his/hisfake"
	"github.com/kiosk06/kiosk/firmware/profile"
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
	// BHYTFake and HISFake are the fake social-insurance gateway and
	// hospital information system, served when the profile asked for them
	// (profile.SimBackends; nil otherwise).
	BHYTFake *bhytfake.Server
	HISFake  *hisfake.Server
	// Payments is the fake payment back-end, served when the profile asked
	// for one (hospital prepayment, a parking lane's VietQR).
	Payments *sessionfake.Server
	// TrustDir holds the CSCA of this run's test PKI (the identity
	// pipeline is pointed at it); empty when no card reader is simulated.
	TrustDir string
	// Audio is the loudspeaker's simulator when [audio] device = "sim": it
	// writes every clip the kiosk says to Dir/audio (var/sim/audio for
	// `make run`), what each says in its said.txt (nil otherwise).
	Audio *audiosim.Sim
	// Pins resolves the configured GPIO pins, in memory for pin = "sim":
	// hand it to kiosk.Options.Pins so the rig drives the same pins the
	// profile reads (a loop sensor, a button) and sees what it switches.
	Pins *devices.Pins

	pins     simPins
	cfg      *config.Config
	deviceID string
	pki      *testpki.PKI
	mu       sync.Mutex
	cards    map[cardKey]*testpki.Card
	// inField is the virtual card last put in the reader's field (nil:
	// none), for ChipKeys.
	inField *testpki.Card
	// fieldGen counts changes of the card in the field (a held tap only
	// takes its own card away).
	fieldGen uint64
	// actions are the profile's fake back-ends' actions (OnAction).
	actions map[string]func(context.Context) error

	// outages are the profile's own simulated back-ends by name
	// (profile.SimBackends.Outage), for SimOutage.
	outages map[string]func(down bool)

	devices []Device
	closers []func() error
	log     *slog.Logger
}

// Options configure Start.
type Options struct {
	// Dir receives simulator output (printed pages …).
	Dir string
	// Logger (nil: slog.Default()).
	Logger *slog.Logger
	// Profile is the profile the configuration runs (nil: none). When it
	// implements profile.Simulated, its hook points the configuration at
	// the rig's fake back-ends.
	Profile profile.Profile
}

// Start starts a simulator for every device of cfg whose port (or bus,
// pin) is "sim", points cfg at them, serves the fake back-ends the profile
// asks for and, when cfg names no uplink, the local collector.
func Start(ctx context.Context, cfg *config.Config, o Options) (*Rig, error) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("simrig: %w", err)
	}
	r := &Rig{Dir: o.Dir, log: o.Logger, cards: map[cardKey]*testpki.Card{}, cfg: cfg, deviceID: cfg.Device.ID}
	r.Pins = devices.NewPins(&r.pins)
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
	if cfg.Audio.Enabled && cfg.Audio.Device == config.SimDevice {
		if err := r.startAudio(ctx); err != nil {
			r.Close()
			return nil, fmt.Errorf("simrig: audio: %w", err)
		}
	}
	if s, ok := o.Profile.(profile.Simulated); ok {
		if err := s.Simulate(cfg, cfg.Section(o.Profile.Name()), r); err != nil {
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

var _ profile.SimBackends = (*Rig)(nil)

// BHYT implements profile.SimBackends: the fake social-insurance gateway
// (bhytfake), with its account.
func (r *Rig) BHYT() (url, username, password string, err error) {
	const user, pass = "sim-kiosk", "sim-password"
	if r.BHYTFake == nil {
		r.BHYTFake = bhytfake.New(user, pass)
		r.closers = append(r.closers, func() error { r.BHYTFake.Close(); return nil })
		r.devices = append(r.devices, Device{Role: "bhyt", Driver: "bhytfake", Path: r.BHYTFake.URL(), Spec: r.BHYTFake.URL()})
	}
	return r.BHYTFake.URL(), user, pass, nil
}

// HIS implements profile.SimBackends: the fake hospital information system
// (hisfake), with its token.
func (r *Rig) HIS() (url, token string, err error) {
	const tok = "sim-his-token"
	if r.HISFake == nil {
		r.HISFake = hisfake.New(tok)
		r.closers = append(r.closers, func() error { r.HISFake.Close(); return nil })
		r.devices = append(r.devices, Device{Role: "his", Driver: "hisfake", Path: r.HISFake.URL(), Spec: r.HISFake.URL()})
	}
	return r.HISFake.URL(), tok, nil
}

// Outage implements profile.SimBackends: SimOutage with Role = name calls
// set.
func (r *Rig) Outage(name string, set func(down bool)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.outages == nil {
		r.outages = map[string]func(bool){}
	}
	r.outages[name] = set
}

// OnAction implements profile.SimBackends: a SimBackend command naming
// action runs do.
func (r *Rig) OnAction(action string, do func(ctx context.Context) error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.actions == nil {
		r.actions = map[string]func(context.Context) error{}
	}
	r.actions[action] = do
}

// Own implements profile.SimBackends.
func (r *Rig) Own(role, url string, close func() error) {
	r.closers = append(r.closers, close)
	r.devices = append(r.devices, Device{Role: role, Driver: role + "-sim", Path: url, Spec: url})
}

// PaymentBackend implements profile.SimBackends: the fake payment back-end
// (sessionfake) crediting account.
func (r *Rig) PaymentBackend(account string) (string, error) {
	if err := r.startPayments(r.cfg, account); err != nil {
		return "", err
	}
	return r.Payments.URL(), nil
}

// startPayments serves the payment back-end fake crediting account. It
// signs with the device's checksum key: the configured file, or one made
// on first start in the simulators' directory (never on a real device:
// there the payment provider issues it).
func (r *Rig) startPayments(cfg *config.Config, account string) error {
	if r.Payments != nil {
		return errors.New("simrig: one simulated payment back-end per run")
	}
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
	r.mu.Lock()
	r.inField = c
	r.fieldGen++
	r.mu.Unlock()
	r.NFC.SetCard(chip)
	return nil
}

// tapOnceLimit bounds how long a TapOnce card waits to be read.
const tapOnceLimit = 20 * time.Second

// TapOnce is a passenger's tap: the card of variant v of person who is put
// in the field and taken away as soon as the reader has activated it and
// let it go (or after tapOnceLimit), unless another card was put there
// meanwhile. A card left on a reader would be presented again.
func (r *Rig) TapOnce(who testpki.Person, v testpki.Variant) error {
	if r.NFC == nil {
		return errors.New("simrig: no simulated card reader")
	}
	before := r.NFC.Stats()
	if err := r.TapCard(who, v, 0); err != nil {
		return err
	}
	r.mu.Lock()
	gen := r.fieldGen
	r.mu.Unlock()
	go func() {
		limit := time.Now().Add(tapOnceLimit)
		for time.Now().Before(limit) {
			st := r.NFC.Stats()
			if st.Activations > before.Activations && st.Releases > before.Releases {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		r.mu.Lock()
		mine := r.fieldGen == gen
		r.mu.Unlock()
		if mine {
			r.RemoveCard()
		}
	}()
	return nil
}

// RemoveCard takes the card out of the field.
func (r *Rig) RemoveCard() {
	r.mu.Lock()
	r.inField = nil
	r.fieldGen++
	r.mu.Unlock()
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
	r.mu.Lock()
	noChips := r.pki == nil
	r.mu.Unlock()
	if noChips {
		// Without a card reader no chip is made: the QR printed on the
		// card is the citizen's data alone (every variant prints the same).
		cz := r.Citizen(who)
		if cz.ID == "" || !cz.HasCard() {
			return fmt.Errorf("simrig: %q has no card to scan", who)
		}
		return r.Scanner.Scan(cz.QR())
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
		// In-memory gpiotest pins (simPins, served through Pins): nothing to start.
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

// startAudio starts the loudspeaker's simulator writing under
// OutputDir("audio"), emptied of the last run's clips first so that what
// is there is what this run said.
func (r *Rig) startAudio(ctx context.Context) error {
	dir := r.OutputDir("audio")
	old, _ := filepath.Glob(filepath.Join(dir, "[0-9][0-9][0-9][0-9]-*.wav"))
	for _, f := range append(old, filepath.Join(dir, audiosim.SaidFile)) {
		if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	sim, err := audiosim.Start(ctx, &audiosim.Options{Dir: dir, Logger: r.log})
	if err != nil {
		return err
	}
	r.Audio = sim
	r.closers = append(r.closers, sim.Close)
	r.devices = append(r.devices, Device{Role: "audio", Driver: "audiosim", Path: dir, Spec: sim.DeviceString()})
	return nil
}

// AudioDevice is the simulated loudspeaker's device string for
// kiosk.Options.AudioSim ("" when [audio] is not simulated).
func (r *Rig) AudioDevice() string {
	if r.Audio == nil {
		return ""
	}
	return r.Audio.DeviceString()
}

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
