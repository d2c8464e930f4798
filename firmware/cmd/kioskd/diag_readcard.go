package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/kiosk06/kiosk/drivers/cccd"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/logging"
)

// readCardReport is what `kioskd diag read-card` prints.
type readCardReport struct {
	Verdict   identity.Verdict  `json:"verdict"`
	Reason    identity.Reason   `json:"reason,omitempty"`
	Detail    string            `json:"detail,omitempty"`
	Method    string            `json:"method"`
	ChipAuth  string            `json:"chip_auth,omitempty"`
	Signer    string            `json:"signer,omitempty"`
	Warnings  []string          `json:"warnings,omitempty"`
	Citizen   map[string]string `json:"citizen"`
	UIDRandom bool              `json:"uid_random"`
	Timings   map[string]int64  `json:"timings_ms"`
	APDUs     int               `json:"apdus"`
	BytesSent int               `json:"bytes_sent"`
	BytesRecv int               `json:"bytes_received"`
	Face      string            `json:"face,omitempty"`
}

// diagReadCard reads and verifies a CCCD on a reader.
func diagReadCard(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "read-card", "kioskd diag read-card --device DEVICE [--qr PAYLOAD | --can NNNNNN | --mrz DOC,YYMMDD,YYMMDD] [--trust DIR] [--dg2 OUT.jpg] [--show-pii]")
	device := fs.String("device", "", "reader, as for `kioskd diag nfc`")
	qr := fs.String("qr", "", "the QR payload printed on the card (gives the CAN and BAC keys)")
	can := fs.String("can", "", "the card access number (CCCD: last 6 digits of the ID)")
	mrz := fs.String("mrz", "", "MRZ key: document number, date of birth and expiry (YYMMDD), comma-separated")
	trustDir := fs.String("trust", "", "directory of CSCA certificates (PEM/DER) and master lists (.ml)")
	dg2 := fs.String("dg2", "", "also read the face image (DG2) and write it to this file")
	showPII := fs.Bool("show-pii", false, "print personal fields instead of redacting them")
	timeout := fs.Duration("timeout", 30*time.Second, "how long to wait for the card and the read")
	if code, ok := parseFlags(fs, e, args); !ok {
		return code
	}
	if *device == "" || fs.NArg() != 0 {
		fs.Usage()
		return exitUsage
	}
	keys, err := readCardKeys(*qr, *can, *mrz)
	if err != nil {
		return failf(e, exitUsage, "diag read-card: %v", err)
	}
	opt := identity.Options{ReadFace: *dg2 != ""}
	if *trustDir != "" {
		// Anchors left out are reported on stderr; the rest still verify.
		log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
		if opt.Trust, err = identity.LoadTrust(*trustDir, log); err != nil {
			return failf(e, exitUsage, "diag read-card: %v", err)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	reader, _, code, err := openNFCReader(ctx, *device)
	if err != nil {
		return failf(e, code, "diag read-card: %v", err)
	}
	defer reader.Close()
	card, err := reader.WaitCard(ctx)
	if err != nil {
		return failf(e, exitFailure, "diag read-card: no card: %v", err)
	}
	id, err := identity.NewPipeline(opt).Read(ctx, card, keys)
	if err != nil {
		return failf(e, exitFailure, "diag read-card: %v", err)
	}
	rep := readCardReportOf(id, *showPII)
	if *dg2 != "" && id.Face != nil {
		if err := os.WriteFile(*dg2, id.Face.Image, 0o600); err != nil {
			return failf(e, exitFailure, "diag read-card: %v", err)
		}
		rep.Face = fmt.Sprintf("%s %dx%d written to %s", id.Face.MIME, id.Face.Width, id.Face.Height, *dg2)
	}
	if err := json.NewEncoder(e.stdout).Encode(rep); err != nil {
		return failf(e, exitFailure, "diag read-card: %v", err)
	}
	return exitOK
}

func readCardKeys(qr, can, mrz string) (identity.Keys, error) {
	var k identity.Keys
	if qr != "" {
		q, err := cccd.ParseQR(qr)
		if err != nil {
			return k, err
		}
		k.QR = &q
	}
	k.CAN = can
	if mrz != "" {
		parts := strings.Split(mrz, ",")
		if len(parts) != 3 || len(parts[1]) != 6 || len(parts[2]) != 6 {
			return k, fmt.Errorf("--mrz wants DOC,YYMMDD,YYMMDD")
		}
		k.DocumentNumber, k.DateOfBirth, k.DateOfExpiry = parts[0], parts[1], parts[2]
	}
	if k.QR == nil && k.CAN == "" && k.DocumentNumber == "" {
		return k, fmt.Errorf("one of --qr, --can or --mrz is needed to open the chip")
	}
	return k, nil
}

func readCardReportOf(id *identity.Identity, showPII bool) readCardReport {
	c := id.Citizen
	fields := map[string]string{"id": c.ID, "name": c.Name, "dob": c.DOB, "sex": c.Sex, "nationality": c.Nationality,
		"ethnicity": c.Ethnicity, "religion": c.Religion, "hometown": c.Hometown, "residence": c.Residence,
		"issue_date": c.IssueDate, "expiry": c.Expiry, "old_id": c.OldID}
	for k, v := range fields {
		switch {
		case v == "":
			delete(fields, k)
		case !showPII:
			fields[k] = logging.RedactedText
		}
	}
	ms := func(d time.Duration) int64 { return d.Milliseconds() }
	return readCardReport{
		Verdict: id.Verdict, Reason: id.Reason, Detail: id.Detail, Method: string(id.Access), ChipAuth: id.ChipAuth,
		Signer: id.Signer, Warnings: id.Warnings, Citizen: fields, UIDRandom: id.UIDRandom,
		Timings: map[string]int64{"access": ms(id.Timings.Access), "read": ms(id.Timings.Read),
			"passive_auth": ms(id.Timings.Passive), "chip_auth": ms(id.Timings.ChipAuth), "total": ms(id.Timings.Total)},
		APDUs: id.Stats.APDUs, BytesSent: id.Stats.BytesSent, BytesRecv: id.Stats.BytesRecv,
	}
}
