package config

// Identity is the [identity] section: how cards are verified.
type Identity struct {
	// TrustDir holds CSCA certificates (PEM/DER) and ICAO master lists (.ml).
	// Without anchors a card can never be "genuine", only "unverified".
	TrustDir string `toml:"trust_dir" expect:"a directory of CSCA certificates and master lists"`
	// ReadFace also reads DG2 (the face image, 15-25 KB) on every read.
	ReadFace bool `toml:"read_face"`
	// ReadTimeout bounds one whole card read.
	ReadTimeout Duration `toml:"read_timeout" expect:"a duration such as \"15s\""`
}

func (i Identity) validate(v *validator) {
	v.check(i.ReadTimeout.D() >= 2e9 && i.ReadTimeout.D() <= 120e9, "identity.read_timeout", i.ReadTimeout.D().String(), "between \"2s\" and \"2m\"")
}
