package vietqr

import (
	_ "embed"
	"strings"
)

//go:embed banks.tsv
var banksTSV string

// Bank is one NAPAS participant: its 6-digit BIN (acquirer ID in tag
// 38.01.00), the short name apps show and the full legal name.
type Bank struct {
	BIN   string `json:"bin"`
	Short string `json:"short"`
	Name  string `json:"name"`
}

// Banks returns the embedded NAPAS bank table (banks.tsv), ordered by BIN.
func Banks() []Bank {
	var out []Bank
	for _, line := range strings.Split(banksTSV, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 3 {
			continue
		}
		out = append(out, Bank{BIN: f[0], Short: f[1], Name: f[2]})
	}
	return out
}

// LookupBank returns the bank with the given BIN.
func LookupBank(bin string) (Bank, bool) {
	for _, b := range Banks() {
		if b.BIN == bin {
			return b, true
		}
	}
	return Bank{}, false
}
