package config

import "sort"

// Fake profile sections for config's own tests: config imports no profile
// package, so these stand in for the real ones (each profile package
// tests its own section).

type fakeHospital struct {
	Name       string `toml:"name"`
	Address    string `toml:"address"`
	Prepayment bool   `toml:"prepayment"`
	EnrolOffer string `toml:"enrol_offer" expect:"offer or skip"`
}

func (h *fakeHospital) Validate(v *Validator) {
	if h.EnrolOffer == "" {
		h.EnrolOffer = "skip"
	}
	v.Check(OneOf(h.EnrolOffer, "offer", "skip"), "enrol_offer", h.EnrolOffer, "offer or skip")
}

type fakeTransit struct {
	Route    string           `toml:"route"`
	Fares    map[string]int64 `toml:"fares"`
	ListsURL string           `toml:"lists_url"`
	Window   Duration         `toml:"repeat_window" expect:"a duration such as \"2m\""`
}

func (t *fakeTransit) Validate(v *Validator) {
	if t.Window == 0 {
		t.Window = Duration(120e9)
	}
	v.Check(t.Window.D() >= 1e9, "repeat_window", t.Window, "at least \"1s\"")
}

func (t *fakeTransit) BackendURLs() []BackendURL { return []BackendURL{{"lists_url", t.ListsURL}} }

type fakeParking struct {
	PaymentURL string `toml:"payment_url"`
}

func (p *fakeParking) Validate(*Validator) {}

func (p *fakeParking) BackendURLs() []BackendURL { return []BackendURL{{"payment_url", p.PaymentURL}} }

// fakeProfiles registers hospital, transit and parking with the fake
// sections, and "kiosk", a profile without a table.
type fakeProfiles struct{}

func (fakeProfiles) Names() []string {
	n := []string{"hospital", "transit", "parking", "kiosk"}
	sort.Strings(n)
	return n
}

func (fakeProfiles) NewSection(name string) Section {
	switch name {
	case "hospital":
		return &fakeHospital{}
	case "transit":
		return &fakeTransit{}
	case "parking":
		return &fakeParking{}
	}
	return nil
}

// RealOptions are the options of a real device with the fake profiles.
func RealOptions() Options { return Options{Profiles: fakeProfiles{}} }

// SimOptions are RealOptions under --sim.
func SimOptions() Options { return Options{Sim: true, Profiles: fakeProfiles{}} }

// FakeProfiles returns the fake profiles.
func FakeProfiles() Profiles { return fakeProfiles{} }
