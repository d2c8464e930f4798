package main

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"time"

	"github.com/kiosk06/kiosk/firmware/bhyt"
	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/his"
)

// diagHospital is `kioskd diag hospital bhyt|clinics`: check the hospital
// kiosk's external systems with the configured credentials.
func diagHospital(ctx context.Context, e *env, args []string) int {
	return subcommand(ctx, e, "kioskd diag hospital", "check the BHYT and HIS services", []command{
		{"bhyt", "bhyt --config FILE --id CCCD_OR_CARD --name NAME --dob DD/MM/YYYY: one check-card lookup; prints the result code and next step as JSON (no personal data)", diagHospitalBHYT},
		{"clinics", "clinics --config FILE: list the HIS clinics as JSON", diagHospitalClinics},
	}, args)
}

// bhytDiagJSON is what `diag hospital bhyt` prints.
type bhytDiagJSON struct {
	Code      string `json:"code"`
	Class     string `json:"class"`
	Next      string `json:"next"`
	MessageVI string `json:"message_vi"`
	MessageEN string `json:"message_en"`
	NewCard   bool   `json:"new_card"`
	MaDKBD    string `json:"ma_dkbd,omitempty"`
	ValidFrom string `json:"valid_from,omitempty"`
	ValidTo   string `json:"valid_to,omitempty"`
	ElapsedMS int64  `json:"elapsed_ms"`
	Error     string `json:"error,omitempty"`
}

func diagHospitalBHYT(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "hospital bhyt", "kioskd diag hospital bhyt --config FILE --id CCCD_OR_CARD --name NAME --dob DD/MM/YYYY")
	path := fs.String("config", "", "configuration file with a [bhyt] section")
	id := fs.String("id", "", "12-digit CCCD number or 15-character card number (maThe)")
	name := fs.String("name", "", "full name as on the card")
	dob := fs.String("dob", "", "date of birth, DD/MM/YYYY")
	if code, ok := parseFlags(fs, e, args); !ok {
		return code
	}
	day, err := time.Parse(bhyt.DateLayout, *dob)
	if fs.NArg() != 0 || *path == "" || *id == "" || *name == "" || err != nil {
		fs.Usage()
		return exitUsage
	}
	cfg, code := loadRunningConfig(e, *path)
	if cfg == nil {
		return code
	}
	c, err := bhytClient(cfg.BHYT)
	if err != nil {
		return failf(e, exitUsage, "diag hospital bhyt: %v", err)
	}
	start := time.Now()
	r, err := c.Check(ctx, bhyt.Query{MaThe: *id, Name: *name, DOB: day})
	out := bhytDiagJSON{Code: r.Code, Class: string(r.Class), Next: string(r.Next), MessageVI: r.VI, MessageEN: r.EN,
		NewCard: r.Card.MaTheMoi != "", MaDKBD: r.Card.Effective().MaDKBD, ValidFrom: r.Card.Effective().GtTheTu,
		ValidTo: r.Card.Effective().GtTheDen, ElapsedMS: time.Since(start).Milliseconds()}
	if err != nil {
		out.Error = err.Error()
	}
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	_ = enc.Encode(out)
	if err != nil {
		return exitFailure
	}
	return exitOK
}

// bhytClient builds the client from [bhyt], reading password_file.
func bhytClient(b config.BHYT) (*bhyt.Client, error) {
	pw := b.Password
	if b.PasswordFile != "" {
		raw, err := os.ReadFile(b.PasswordFile)
		if err != nil {
			return nil, err
		}
		pw = strings.TrimSpace(string(raw))
	}
	return bhyt.New(bhyt.Config{BaseURL: b.BaseURL, Username: b.Username, Password: pw,
		StaffName: b.StaffName, StaffID: b.StaffCCCD, Timeout: b.Timeout.D()})
}

func diagHospitalClinics(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "hospital clinics", "kioskd diag hospital clinics --config FILE")
	path := fs.String("config", "", "configuration file with a [his] section")
	if code, ok := parseFlags(fs, e, args); !ok {
		return code
	}
	if fs.NArg() != 0 || *path == "" {
		fs.Usage()
		return exitUsage
	}
	cfg, code := loadRunningConfig(e, *path)
	if cfg == nil {
		return code
	}
	token := cfg.HIS.Token
	if cfg.HIS.TokenFile != "" {
		raw, err := os.ReadFile(cfg.HIS.TokenFile)
		if err != nil {
			return failf(e, exitFailure, "diag hospital clinics: %v", err)
		}
		token = strings.TrimSpace(string(raw))
	}
	c, err := his.New(his.Config{BaseURL: cfg.HIS.BaseURL, Token: token, Timeout: cfg.HIS.Timeout.D()})
	if err != nil {
		return failf(e, exitUsage, "diag hospital clinics: %v", err)
	}
	list, err := c.Clinics(ctx)
	if err != nil {
		return failf(e, exitFailure, "diag hospital clinics: %v", err)
	}
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	_ = enc.Encode(list)
	return exitOK
}
