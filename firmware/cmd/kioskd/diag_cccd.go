package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/kiosk06/kiosk/drivers/cccd"
)

// cccdQRJSON is what `diag cccd-qr` prints.
type cccdQRJSON struct {
	ID            string        `json:"id"`
	OldID         string        `json:"old_id"`
	Name          string        `json:"name"`
	DOB           string        `json:"dob"`
	Sex           string        `json:"sex"`
	Address       string        `json:"address"`
	IssueDate     string        `json:"issue_date"`
	CAN           string        `json:"can"`
	BACCandidates []cccd.BACKey `json:"bac_candidates"`
}

// diagCCCDQR decodes a CCCD QR payload and derives the chip access keys.
func diagCCCDQR(_ context.Context, e *env, args []string) int {
	fs := newFlags(e, "diag cccd-qr", "kioskd diag cccd-qr 'PAYLOAD'  (prints JSON; exit 2 on a bad payload)")
	if code, ok := parseFlags(fs, e, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitUsage
	}
	q, err := cccd.ParseQR(fs.Arg(0))
	if err != nil {
		return failf(e, exitUsage, "kioskd diag cccd-qr: %v", err)
	}
	can, err := cccd.CAN(q.ID)
	if err != nil {
		return failf(e, exitUsage, "kioskd diag cccd-qr: %v", err)
	}
	keys, err := cccd.BACCandidates(q.ID, q.DOB, q.IssueDate)
	if err != nil {
		return failf(e, exitUsage, "kioskd diag cccd-qr: %v", err)
	}
	out := cccdQRJSON{ID: q.ID, OldID: q.OldID, Name: q.Name, DOB: q.DOB.Format("2006-01-02"), Sex: q.Sex,
		Address: q.Address, IssueDate: q.IssueDate.Format("2006-01-02"), CAN: can, BACCandidates: keys}
	return cccdPrintJSON(e, out)
}

// mrzJSON is what `diag mrz` prints.
type mrzJSON struct {
	DocCode     string      `json:"doc_code"`
	Issuer      string      `json:"issuer"`
	DocNumber   string      `json:"doc_number"`
	Optional1   string      `json:"optional1"`
	ID          string      `json:"id,omitempty"`
	DOB         string      `json:"dob"`
	Sex         string      `json:"sex"`
	Expiry      string      `json:"expiry"`
	Nationality string      `json:"nationality"`
	Optional2   string      `json:"optional2"`
	Surname     string      `json:"surname"`
	GivenNames  string      `json:"given_names"`
	Checks      cccd.Checks `json:"checks"`
	Valid       bool        `json:"valid"`
}

// diagMRZ parses a TD1 MRZ read from stdin.
func diagMRZ(_ context.Context, e *env, args []string) int {
	fs := newFlags(e, "diag mrz", "kioskd diag mrz < LINES  (TD1, 3×30; JSON; exit 1 if a check digit fails)")
	if code, ok := parseFlags(fs, e, args); !ok {
		return code
	}
	in, err := io.ReadAll(io.LimitReader(e.stdin, 4096))
	if err != nil {
		return failf(e, exitFailure, "kioskd diag mrz: read stdin: %v", err)
	}
	m, err := cccd.ParseTD1(string(in))
	if err != nil && !errors.Is(err, cccd.ErrCheckDigit) {
		return failf(e, exitUsage, "kioskd diag mrz: %v", err)
	}
	out := mrzJSON{DocCode: m.DocCode, Issuer: m.Issuer, DocNumber: m.DocNumber, Optional1: m.Optional1, ID: m.ID,
		DOB: m.DOB, Sex: m.Sex, Expiry: m.Expiry, Nationality: m.Nationality, Optional2: m.Optional2,
		Surname: m.Surname, GivenNames: m.GivenNames, Checks: m.Checks, Valid: m.Checks.OK()}
	if code := cccdPrintJSON(e, out); code != exitOK {
		return code
	}
	if !m.Checks.OK() {
		fmt.Fprintln(e.stderr, "kioskd diag mrz: check digit mismatch")
		return exitFailure
	}
	return exitOK
}

// cccdPrintJSON writes v indented to stdout.
func cccdPrintJSON(e *env, v any) int {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return failf(e, exitFailure, "kioskd: encode JSON: %v", err)
	}
	fmt.Fprintln(e.stdout, string(b))
	return exitOK
}
