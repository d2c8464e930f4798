package transit

import (
	"time"

	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/profile"
	"github.com/kiosk06/kiosk/firmware/store"
	"github.com/kiosk06/kiosk/payments/tariff"
)

// State is what the validator shows and signals: the last decision and the
// lights and buzzer as they are now. A small screen renders it; under
// --sim the --control socket streams it. It never holds a token, an ID
// number or a name.
type State struct {
	// Seq increases with every published state.
	Seq     uint64 `json:"seq"`
	Route   string `json:"route"`
	Vehicle string `json:"vehicle,omitempty"`
	// Taps is the number of decisions since the validator started.
	Taps uint64 `json:"taps"`
	// Last is the newest decision (nil before the first).
	Last *Decision `json:"last,omitempty"`
	// Lights are the feedback outputs now (GPIOFeedback switches them off
	// by itself after the signal).
	Lights Lights `json:"lights"`
}

// Decision is one decision as the passenger is told it.
type Decision struct {
	Verdict Verdict    `json:"verdict"`
	Reason  Reason     `json:"reason"`
	Fare    tariff.VND `json:"fare"`
	Line    string     `json:"line,omitempty"`
	// Message is the short Vietnamese text for the screen.
	Message string          `json:"message"`
	Method  identity.Method `json:"method,omitempty"`
	// Record is the durable record's sequence number (0: none — an
	// unusable presentation, or the store failed).
	Record store.Seq `json:"record,omitempty"`
	At     time.Time `json:"at"`
}

// Lights is the state of the validator's feedback outputs.
type Lights struct {
	Green  bool `json:"green"`
	Red    bool `json:"red"`
	Buzzer bool `json:"buzzer"`
}

// Subscribe returns the validator's states, latest wins, the current one
// first, and a function ending the subscription (profile.Flow).
func (v *Validator) Subscribe() (<-chan State, func()) { return v.states.Subscribe() }

// Send implements profile.Flow: the validator takes no intents (a
// passenger only presents a card or a QR).
func (v *Validator) Send(profile.NoIntent) {}

// State returns the state last published.
func (v *Validator) State() State { return v.states.Current() }

// SetLights publishes the feedback outputs' state; wire
// GPIOFeedback.OnChange to it.
func (v *Validator) SetLights(l Lights) {
	v.states.Update(func(s *State) {
		if s.Lights != l {
			s.Seq++
			s.Lights = l
		}
	})
}

// published publishes decision r.
func (v *Validator) published(r Result) {
	v.states.Update(func(s *State) {
		s.Seq++
		s.Taps++
		s.Last = &Decision{Verdict: r.Verdict, Reason: r.Reason, Fare: r.Fare, Line: r.Line, Message: r.Message,
			Method: r.Method, Record: r.Seq, At: r.At}
	})
}
