package profile

import (
	"context"

	"github.com/kiosk06/kiosk/firmware/config"
)

// SimGroup is a titled set of simulator controls ("Hành khách", "Xe",
// "Máy in" …), shown as a group of buttons by the simulator panel.
type SimGroup struct {
	Title   string      `json:"title"`
	Actions []SimAction `json:"actions"`
}

// SimAction is one simulator control: a Vietnamese label and the commands
// it runs, in order (a patient who scans the QR and then taps the card is
// two commands).
type SimAction struct {
	Label    string       `json:"label"`
	Commands []SimCommand `json:"commands"`
}

// SimCommand is one thing done to the simulated devices, as data: the
// simulator panel and the --control socket of a --sim run execute the same
// commands (firmware/simrig). Sim names the command; the other fields are
// its parameters.
type SimCommand struct {
	// Sim is one of the Sim… constants.
	Sim string `json:"sim"`
	// Citizen is whose card (SimTap, SimScan): adult (the default),
	// elderly, second-adult (the child has no card).
	Citizen string `json:"citizen,omitempty"`
	// Variant is the card's variant (SimTap, SimScan): genuine (the
	// default), dg13-altered, clone, …
	Variant string `json:"variant,omitempty"`
	// RemoveAfter (SimTap): the card leaves the field after that many
	// APDUs (pulled away mid-read); 0 stays.
	RemoveAfter int `json:"remove_after,omitempty"`
	// Once (SimTap): the card is taken away as soon as the reader has read
	// it and let it go, as a passenger's hand does; otherwise it stays in
	// the field until SimRemove.
	Once bool `json:"once,omitempty"`
	// Text (SimScan): scan this text instead of a card's QR.
	Text string `json:"text,omitempty"`
	// Paper (SimPaper): ok, near_end or end.
	Paper string `json:"paper,omitempty"`
	// Finger (SimFinger): whose finger is placed ("" lifts it).
	Finger string `json:"finger,omitempty"`
	// Role (SimInput, SimPress): the gpio-in role, e.g. loop or button;
	// (SimOutage) the name the profile's back-end was registered under.
	Role string `json:"role,omitempty"`
	// On: SimInput — active (a vehicle on the loop, the button held);
	// SimCover — the printer's cover open; SimBHYT — the gateway down;
	// SimOutage — the profile's back-end down.
	On bool `json:"on,omitempty"`
	// Label (SimRun): run the control of that label.
	Label string `json:"label,omitempty"`
	// Action (SimBackend): the name of a fake back-end's action the
	// profile's Simulate hook registered (SimBackends.OnAction).
	Action string `json:"action,omitempty"`
}

// Simulator commands (SimCommand.Sim).
const (
	SimTap         = "tap"          // a citizen's card into the reader's field
	SimRemove      = "remove"       // the card out of the field
	SimScan        = "scan"         // a citizen's card QR (or Text) under the scanner
	SimScanPrinted = "scan_printed" // the QR of the newest printed slip under the scanner
	SimPay         = "pay"          // the bank transfer of the newest open VietQR session
	SimPaper       = "paper"        // the printer's paper state
	SimCover       = "cover"        // the printer's cover opened or closed
	SimFinger      = "finger"       // a finger on the fingerprint module
	SimInput       = "input"        // a gpio-in role (loop, button) active or not
	SimPress       = "press"        // a button (Role) pressed and released
	SimBHYT        = "bhyt"         // the insurance gateway down (On) or back
	SimOutage      = "outage"       // a profile's own simulated back-end (Role) down (On) or back
	SimRun         = "action"       // run the control labelled Label
	SimBackend     = "backend"      // a fake back-end's registered Action (a help-desk member answers)
)

// SimBackends are the fake back-ends a simulated run can serve in place of
// real ones (firmware/simrig implements it). Each returns the base URL to
// configure.
type SimBackends interface {
	// PaymentBackend serves the fake VietQR payment back-end crediting
	// account, signing confirmations with the [payments] confirmation key
	// (made on first start when none is configured).
	PaymentBackend(account string) (url string, err error)
	// BHYT serves the fake social-insurance gateway and the account it
	// takes.
	BHYT() (url, username, password string, err error)
	// HIS serves the fake hospital information system and its token.
	HIS() (url, token string, err error)
	// Outage registers what SimOutage with Role = name does to a back-end
	// the profile simulates itself (the rig knows none of its kind):
	// set(true) takes it down, set(false) brings it back.
	Outage(name string, set func(down bool))
	// OnAction registers what a SimBackend command naming action does: a
	// profile's own fake back-end (served by its Simulate hook) offers its
	// controls this way — a help-desk member accepts the call, a
	// provincial app shows a sign-in QR. Registering a name twice replaces
	// it.
	OnAction(action string, do func(ctx context.Context) error)
	// Own lists a fake back-end the Simulate hook started itself (role,
	// its base URL) among the rig's simulators, and closes it with them.
	Own(role, url string, close func() error)
}

// Simulated is implemented by a profile that needs fake back-ends under
// --sim: Simulate points cfg and its section at them where the
// configuration names none. firmware/simrig calls it after starting the
// device simulators, before the profile starts.
type Simulated interface {
	Simulate(cfg *config.Config, section config.Section, b SimBackends) error
}
