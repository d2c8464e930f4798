// Package profile owns the shape every device profile has — the hospital
// kiosk, the bus validator, the parking lane and those to come — so that a
// profile is one unit: a package that implements Profile and one line in
// firmware/cmd/kioskd/profiles.go that registers it.
//
// A Profile names itself (the value of [device] profile), supplies a fresh
// Section for its own [<name>] table (firmware/config decodes and checks it
// strictly), and starts from an Env: the checked configuration, the durable
// store, metrics, the configured devices opened on demand and the identity
// Acquirer, all built by firmware/kiosk. What it started comes back as a
// Running: components stopped in reverse order, the Screen (states out,
// intents in: the one contract the UI and the --control socket share), the
// simulator panel's controls as data (SimGroup), and the record kinds it
// writes. Registry is the list of profiles, a value built in main — no
// global registration.
//
// It also holds what several profiles start the same way: the operator
// keys (OperatorKey), the VietQR payment session manager with its push
// listener (StartPayments), the staff menu from [admin] (StaffMenu), the queue engine, its API and the ticket
// dispenser (StartQueue, StartDispenser), a goroutine as a Component (Go)
// and a latest-wins state fan-out (States).
//
// It imports firmware/config, store, metrics, identity, records, tickets,
// dispenser, queue, payments/session, speech (the voice's types), admin,
// staffmenu and the
// driver types a profile opens
// (never a driver's constructor: firmware/kiosk opens devices); it must not
// import firmware/kiosk, a profile package, firmware/simrig, Fyne or ui/.
package profile

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"

	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/metrics"
	"github.com/kiosk06/kiosk/firmware/speech"
	"github.com/kiosk06/kiosk/firmware/store"
	"github.com/kiosk06/kiosk/queue"
)

// Profile is one kind of device: what [device] profile names.
type Profile interface {
	// Name is the profile's name, the value of [device] profile and of its
	// own table's name ("hospital" → [hospital]).
	Name() string
	// Section returns a fresh, zero Section for the profile's [<name>]
	// table, which config decodes into and validates (nil: the profile has
	// no table of its own). The profile package owns its type.
	Section() config.Section
	// Start starts the profile: the devices it needs (through env.Devices),
	// its flow and its background work. It returns what runs; on an error
	// the Running it returns (it may be nil) holds what was started before
	// the failure, which the caller stops.
	Start(ctx context.Context, env Env) (*Running, error)
}

// Env is what firmware/kiosk hands every profile.
type Env struct {
	// Config is the whole checked configuration (shared sections).
	Config *config.Config
	// Section is the profile's own table, as its Section() made it and
	// config filled it (nil when the profile has none).
	Section config.Section
	Log     *slog.Logger
	// Store is the durable store: a record is fsync'd when Append returns.
	Store   *store.Store
	Metrics *metrics.Metrics
	// Devices opens the configured device roles on demand; kiosk closes
	// what was opened when the profile has stopped.
	Devices Devices
	// Identity builds the identity Acquirer over the configured card
	// reader and scanner as need says (firmware/kiosk: [identity] read
	// timeout, trust anchors, metrics).
	Identity func(ctx context.Context, need IdentityNeed) (*identity.Acquirer, error)
	// Calls, when set, calls the numbers of events aloud on the kiosk's
	// loudspeaker (firmware/voicekit.FollowQueue over the [audio] voice
	// firmware/kiosk opened) until events closes or ctx ends; StartQueue
	// hands it the queue's events. Nil: the kiosk has no voice.
	Calls func(ctx context.Context, events <-chan queue.Event)
	// Restart ends kioskd with the restart exit code (75, as a remote
	// configuration does) so that systemd starts it again: the admin
	// menu's "restart". Nil: no restart (tests).
	Restart func()
}

// IdentityNeed is what a profile needs of identity acquisition.
type IdentityNeed struct {
	// Reader and Scanner: take cards from the configured [devices.nfc] and
	// QR codes from [devices.scanner] (each only when configured).
	Reader, Scanner bool
	// Policy is the acquisition policy; a zero ReadTimeout is [identity]
	// read_timeout.
	Policy identity.Policy
	// Verify: chip reads are verified against the CSCA trust anchors of
	// [identity] trust_dir (Passive Authentication) and read the face when
	// [identity] read_face is set. Without it a chip read is never
	// "genuine", only "unverified".
	Verify bool
	// QRFilter, when set, stands between the scanner and the Acquirer:
	// it is handed the scanner's QR source and returns the one the
	// Acquirer reads (the one-stop kiosk routes its provincial-app QRs
	// away from card acquisition this way).
	QRFilter func(identity.QRSource) identity.QRSource
}

// Component is one running part; Stop stops it within ctx.
type Component struct {
	Name string
	Stop func(ctx context.Context) error
}

// Running is what a started profile runs.
type Running struct {
	// Profile is the profile's name (filled by the caller of Start).
	Profile string
	// Components are stopped in reverse order.
	Components []Component
	// Screen is the profile's states and intents (nil: none, a headless
	// profile).
	Screen Screen
	// Sim are the simulator panel's controls this profile offers under
	// --sim, besides the simulated devices' own (firmware/simrig): data
	// that the panel and the --control socket both execute.
	Sim []SimGroup
	// Records are the record kinds the profile writes (firmware/records
	// describes their payloads).
	Records []string
	// Speech is the kiosk's voice (filled by the caller of Start, like
	// Profile): the engine the screens speak their guidance and results
	// on (ui/voice). Nil: the kiosk does not speak ([audio] enabled =
	// false, no synthesizer, or a build without voice books).
	Speech *speech.Engine
}

// Add appends components.
func (r *Running) Add(c ...Component) { r.Components = append(r.Components, c...) }

// ErrUnknownProfile is returned by Registry.Lookup for a name that is not
// registered.
var ErrUnknownProfile = errors.New("profile: unknown profile")

// Registry is the list of profiles a kioskd runs, by name. Build it once in
// main (firmware/cmd/kioskd/profiles.go) and pass it down; it is immutable.
// It implements config.Profiles.
type Registry struct {
	byName map[string]Profile
	names  []string
}

// NewRegistry registers ps. Two profiles with one name, or a profile
// without a name, is a programming error: it panics, at start.
func NewRegistry(ps ...Profile) *Registry {
	r := &Registry{byName: map[string]Profile{}}
	for _, p := range ps {
		n := p.Name()
		if n == "" || strings.TrimSpace(n) != n || strings.ContainsAny(n, ".[]\"") {
			panic(fmt.Sprintf("profile: NewRegistry: bad profile name %q", n))
		}
		if _, dup := r.byName[n]; dup {
			panic(fmt.Sprintf("profile: NewRegistry: profile %q registered twice", n))
		}
		r.byName[n] = p
		r.names = append(r.names, n)
	}
	sort.Strings(r.names)
	return r
}

// Names returns the registered names, sorted.
func (r *Registry) Names() []string { return append([]string(nil), r.names...) }

// Lookup returns the profile named name, or an error wrapping
// ErrUnknownProfile that lists the registered ones.
func (r *Registry) Lookup(name string) (Profile, error) {
	if p, ok := r.byName[name]; ok {
		return p, nil
	}
	return nil, fmt.Errorf("%w %q (this kioskd runs %s)", ErrUnknownProfile, name, strings.Join(r.names, ", "))
}

// NewSection implements config.Profiles.
func (r *Registry) NewSection(name string) config.Section {
	if p, ok := r.byName[name]; ok {
		return p.Section()
	}
	return nil
}

// Config returns the configuration options for these profiles (sim: the
// document runs under --sim).
func (r *Registry) Config(sim bool) config.Options {
	return config.Options{Sim: sim, Profiles: r}
}
