package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"strings"

	"github.com/kiosk06/kiosk/drivers/emrtd"
)

// diagEmrtdKeys prints the BAC keys derived from MRZ fields (ICAO 9303-11
// §9.7.2): a technician check against a reader log or Appendix D.
func diagEmrtdKeys(_ context.Context, e *env, args []string) int {
	fs := newFlags(e, "emrtd-keys", "kioskd diag emrtd-keys --doc DOCNO --dob YYMMDD --exp YYMMDD")
	doc := fs.String("doc", "", "document number (as in the MRZ, '<' padded)")
	dob := fs.String("dob", "", "date of birth YYMMDD")
	exp := fs.String("exp", "", "date of expiry YYMMDD")
	if code, ok := parseFlags(fs, e, args); !ok {
		return code
	}
	if *doc == "" || !emrtdSixDigits(*dob) || !emrtdSixDigits(*exp) || fs.NArg() != 0 {
		fs.Usage()
		return exitUsage
	}
	kseed, kenc, kmac, err := emrtd.BACKeys(*doc, *dob, *exp)
	if err != nil {
		return failf(e, exitFailure, "diag emrtd-keys: %v", err)
	}
	up := func(b []byte) string { return strings.ToUpper(hex.EncodeToString(b)) }
	enc := json.NewEncoder(e.stdout)
	if err := enc.Encode(map[string]string{"kseed": up(kseed), "kenc": up(kenc), "kmac": up(kmac)}); err != nil {
		return failf(e, exitFailure, "diag emrtd-keys: %v", err)
	}
	return exitOK
}

func emrtdSixDigits(s string) bool {
	if len(s) != 6 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
