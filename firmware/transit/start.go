package transit

import (
	"context"
	"fmt"
	"time"

	"github.com/kiosk06/kiosk/drivers/gpio"
	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/metrics"
	"github.com/kiosk06/kiosk/firmware/profile"
)

// Name is the profile's name: [device] profile = "transit" and its
// [transit] table.
const Name = "transit"

// Profile is the bus validator as a device profile (firmware/profile): it
// loads the signed lists and keeps them synced, drives the green and red
// LEDs and the buzzer, and decides every card tap and QR scan of the
// configured reader and scanner. Its Screen streams the last decision and
// the lights; it takes no intents.
type Profile struct{}

var _ profile.Profile = Profile{}

// Name implements profile.Profile.
func (Profile) Name() string { return Name }

// Section implements profile.Profile: the [transit] table.
func (Profile) Section() config.Section { return &Section{} }

// Start implements profile.Profile.
func (Profile) Start(ctx context.Context, e profile.Env) (*profile.Running, error) {
	cfg := e.Config
	sec, ok := e.Section.(*Section)
	if !ok {
		return nil, fmt.Errorf("transit: the [transit] section is %T", e.Section)
	}
	r := &profile.Running{Records: []string{RecordKind}}
	key, err := profile.OperatorKey(cfg, sec.KeyFile(cfg.Device.DataDir), identity.LoadKey)
	if err != nil {
		return r, fmt.Errorf("transit: token key: %w", err)
	}
	ls, lists, err := startLists(ctx, e, sec)
	if err != nil {
		return r, err
	}
	tok, err := identity.NewTokenizer(key)
	if err != nil {
		return r, err
	}
	fb := &GPIOFeedback{}
	for role, out := range map[string]**gpio.Output{"led_green": &fb.Green, "led_red": &fb.Red, "buzzer": &fb.Buzzer} {
		if *out, err = e.Devices.Output(role); err != nil {
			return r, err
		}
	}
	tc := ConfigFrom(*sec)
	tc.Latency = func(d time.Duration) { e.Metrics.Observe(metrics.OpTransitVerdict, d) }
	tc.Logger = e.Log
	v, err := New(tc, Deps{Store: e.Store, Tokens: tok, Feedback: fb, Lists: lists})
	if err != nil {
		return r, err
	}
	fb.OnChange = v.SetLights
	if err := v.Restore(ctx); err != nil {
		return r, fmt.Errorf("transit: restore: %w", err)
	}
	switch {
	case ls == nil:
	case sec.ListsURL == "" && cfg.Uplink.BaseURL == "":
		e.Log.Warn("transit: no lists_url or uplink.base_url: deny and pass lists are not synced")
	default:
		sy, err := NewSyncer(*sec, cfg.Uplink, ls, e.Log)
		if err != nil {
			return r, err
		}
		r.Add(profile.Go(ctx, "transit lists", e.Log, func(c context.Context) error {
			return sy.Run(c, v, sec.SyncInterval.D())
		}))
	}
	// A chip read on the fast path (when its key is known beforehand) is
	// verified: a forged or cloned chip identifies no one.
	acq, err := e.Identity(ctx, profile.IdentityNeed{Reader: true, Scanner: true, Verify: true, Policy: identity.Policy{StaticUID: sec.AllowUID}})
	if err != nil {
		return r, err
	}
	r.Add(profile.Go(ctx, "transit validator", e.Log, func(c context.Context) error { return v.Run(c, acq) }))
	r.Screen = profile.NewScreen[State, profile.NoIntent](Name, v)
	r.Sim = simControls()
	return r, nil
}

// startLists opens the signed deny and pass lists and exposes their state
// as metrics. A corrupt or missing list never stops the validator: the list
// store falls back to the last good files with an alert (error log,
// kiosk_transit_list_faults, kiosk_transit_list_degraded). Without
// lists_public_key nothing can be verified: both lists stay empty (every
// pass holder pays the fare) and ls is nil.
func startLists(ctx context.Context, e profile.Env, sec *Section) (*ListStore, *Lists, error) {
	pk := sec.PublicKey()
	if pk == nil {
		e.Log.Warn("transit: no lists_public_key: no deny or pass list is loaded or synced; pass holders pay the fare")
		return nil, nil, nil
	}
	ls, err := NewListStore(sec.ListsPath(e.Config.Device.DataDir), pk, e.Store, e.Log)
	if err != nil {
		return nil, nil, err
	}
	lists := ls.Load(ctx)
	gauge := func(f func(ListStatus) float64) func() map[string]float64 {
		return func() map[string]float64 {
			out := map[string]float64{}
			for _, s := range ls.Status() {
				out[s.Name] = f(s)
			}
			return out
		}
	}
	m := e.Metrics
	_ = m.LabeledGauge("transit_list_version", "Version of each transit list in use (0: none).", "list",
		gauge(func(s ListStatus) float64 { return float64(s.Version) }))
	_ = m.LabeledGauge("transit_list_floor", "Highest version of each transit list ever accepted.", "list",
		gauge(func(s ListStatus) float64 { return float64(s.Floor) }))
	_ = m.LabeledGauge("transit_list_faults", "Transit list files or documents refused since start (corrupt, forged, below the version floor).", "list",
		gauge(func(s ListStatus) float64 { return float64(s.Faults) }))
	_ = m.LabeledGauge("transit_list_degraded", "1 while a transit list is missing or older than its version floor.", "list",
		gauge(func(s ListStatus) float64 {
			if s.Degraded != "" {
				return 1
			}
			return 0
		}))
	return ls, lists, nil
}

// simControls are the validator's scenarios on the simulator panel: a
// passenger scanning a CCCD's QR or tapping the card itself.
func simControls() []profile.SimGroup {
	one := func(label string, c profile.SimCommand) profile.SimAction {
		return profile.SimAction{Label: label, Commands: []profile.SimCommand{c}}
	}
	// A passenger's tap: the card leaves the reader once it has been read
	// (a card left there would be presented again).
	tap := func(who, variant string) profile.SimCommand {
		return profile.SimCommand{Sim: profile.SimTap, Citizen: who, Variant: variant, Once: true}
	}
	return []profile.SimGroup{{Title: "Hành khách", Actions: []profile.SimAction{
		one("Quét QR trên thẻ CCCD (người lớn: thu phí)", profile.SimCommand{Sim: profile.SimScan, Citizen: "adult"}),
		one("Quét QR thẻ người cao tuổi (miễn phí)", profile.SimCommand{Sim: profile.SimScan, Citizen: "elderly"}),
		one("Chạm thẻ CCCD thật", tap("adult", "genuine")),
		one("Người cao tuổi chạm thẻ CCCD thật (miễn phí)", tap("elderly", "genuine")),
		one("Chạm thẻ giả (DG13 bị sửa)", tap("adult", "dg13-altered")),
		one("Chạm thẻ nhân bản (clone)", tap("adult", "clone")),
		one("Quét mã VNeID (cần kiểm tra trực tuyến)", profile.SimCommand{Sim: profile.SimScan, Text: "https://vneid.gov.vn/qr/placeholder"}),
		one("Hành khách rút thẻ ra", profile.SimCommand{Sim: profile.SimRemove}),
	}}}
}
