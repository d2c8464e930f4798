//go:build race

package crosstest

// raceEnabled: this test binary was built with -race (see Native).
const raceEnabled = true
