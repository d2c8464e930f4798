package onestop

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/onestop/backend"
)

// A provincial citizen app (Thừa Thiên Huế's Hue-S; seed 002 MH2: sign in
// "bằng phương thức dùng chức năng quét mã QR trên ứng dụng Hue-S hoặc đọc
// thẻ chip trên thẻ CCCD") shows a QR code on the phone. Its format is the
// province's and not public, so it is configuration: which prefix (or
// pattern) recognises it, and how its authenticity is checked:
//
//   - CheckOnline: the QR is an opaque token only the one-stop system (or
//     the app's back end behind it) can check. The kiosk says so on the
//     screen and sends it to backend.System.Resolve; without the network
//     the QR signs nobody in, and the screen says to use the CCCD.
//   - CheckSigned: the QR carries the person signed by the province: after
//     the prefix, base64url(JSON payload) "." base64url(Ed25519 signature
//     over the payload's base64url text), the JWS-compact idea (RFC 7515)
//     with EdDSA (RFC 8037). The kiosk checks the signature with the
//     configured public key and the payload's expiry offline.

// AppCheckMode is how an app QR's authenticity is established.
type AppCheckMode string

// App QR check modes.
const (
	CheckOnline AppCheckMode = "online"
	CheckSigned AppCheckMode = "signed"
)

// AppQR is one provincial app's QR format.
type AppQR struct {
	// Name is shown ("Hue-S").
	Name string
	// Format is the one-stop system's name for it (backend.System.Resolve).
	Format string
	// Prefix recognises its QR; Pattern (a regular expression), when set,
	// must match the whole text too.
	Prefix  string
	Pattern string
	Check   AppCheckMode
	// PublicKey verifies CheckSigned QRs.
	PublicKey ed25519.PublicKey
	// MaxAge bounds how old a signed QR's "iat" may be (default 5 min): a
	// screenshot of yesterday's QR signs nobody in.
	MaxAge time.Duration
}

// Errors of app QRs.
var (
	// ErrAppQR: the QR is the app's but not valid (bad signature, expired,
	// malformed).
	ErrAppQR = errors.New("onestop: provincial app QR not valid")
)

// appQR is a recognised app QR.
type appQR struct {
	format *AppQR
	text   string // the whole QR text (the token for CheckOnline)
}

// check validates the formats at New.
func checkAppQRs(fs []AppQR) ([]*regexp.Regexp, error) {
	res := make([]*regexp.Regexp, len(fs))
	for i, f := range fs {
		if f.Name == "" || f.Prefix == "" {
			return nil, fmt.Errorf("onestop: app QR %d: name and prefix are required: %w", i, ErrConfig)
		}
		switch f.Check {
		case CheckOnline:
			if f.Format == "" {
				return nil, fmt.Errorf("onestop: app QR %s: an online check needs the system's format name: %w", f.Name, ErrConfig)
			}
		case CheckSigned:
			if len(f.PublicKey) != ed25519.PublicKeySize {
				return nil, fmt.Errorf("onestop: app QR %s: a signed QR needs an Ed25519 public key: %w", f.Name, ErrConfig)
			}
		default:
			return nil, fmt.Errorf("onestop: app QR %s: check %q (online or signed): %w", f.Name, f.Check, ErrConfig)
		}
		if f.Pattern != "" {
			re, err := regexp.Compile(f.Pattern)
			if err != nil {
				return nil, fmt.Errorf("onestop: app QR %s: pattern: %v: %w", f.Name, err, ErrConfig)
			}
			res[i] = re
		}
	}
	return res, nil
}

// maxAppQR bounds an app QR's text.
const maxAppQR = 2048

// recognise finds the app format of text, if any.
func recognise(fs []AppQR, res []*regexp.Regexp, text string) (appQR, bool) {
	if len(text) > maxAppQR {
		return appQR{}, false
	}
	for i := range fs {
		if !strings.HasPrefix(text, fs[i].Prefix) {
			continue
		}
		if res[i] != nil && !res[i].MatchString(text) {
			continue
		}
		return appQR{format: &fs[i], text: text}, true
	}
	return appQR{}, false
}

// SignedClaims is the payload of a CheckSigned QR.
type SignedClaims struct {
	ID   string `json:"id"` // 12-digit ID number
	Name string `json:"name"`
	DOB  string `json:"dob"` // DD/MM/YYYY
	Sex  string `json:"sex,omitempty"`
	// Residence from the population database.
	Residence string `json:"residence,omitempty"`
	IssuedAt  int64  `json:"iat"` // Unix seconds
	Expires   int64  `json:"exp"` // Unix seconds
}

// VerifySigned checks a CheckSigned QR and returns its person.
func VerifySigned(f *AppQR, text string, now time.Time) (backend.Person, error) {
	body, ok := strings.CutPrefix(text, f.Prefix)
	if !ok {
		return backend.Person{}, fmt.Errorf("%w: prefix", ErrAppQR)
	}
	payload, sig, ok := strings.Cut(body, ".")
	if !ok {
		return backend.Person{}, fmt.Errorf("%w: no signature", ErrAppQR)
	}
	s, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || len(s) != ed25519.SignatureSize {
		return backend.Person{}, fmt.Errorf("%w: signature encoding", ErrAppQR)
	}
	if !ed25519.Verify(f.PublicKey, []byte(payload), s) {
		return backend.Person{}, fmt.Errorf("%w: bad signature", ErrAppQR)
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return backend.Person{}, fmt.Errorf("%w: payload encoding", ErrAppQR)
	}
	var c SignedClaims
	if err := json.Unmarshal(raw, &c); err != nil {
		return backend.Person{}, fmt.Errorf("%w: payload: %v", ErrAppQR, err)
	}
	maxAge := f.MaxAge
	if maxAge <= 0 {
		maxAge = 5 * time.Minute
	}
	switch iat, exp := time.Unix(c.IssuedAt, 0), time.Unix(c.Expires, 0); {
	case c.Expires == 0 || !now.Before(exp):
		return backend.Person{}, fmt.Errorf("%w: expired", ErrAppQR)
	case c.IssuedAt == 0 || now.Sub(iat) > maxAge || iat.Sub(now) > time.Minute:
		return backend.Person{}, fmt.Errorf("%w: issued too long ago (or in the future)", ErrAppQR)
	case len(c.ID) != 12 || strings.Trim(c.ID, "0123456789") != "" || c.Name == "" || len(c.Name) > 128 || len(c.DOB) > 32 ||
		len(c.Sex) > 16 || len(c.Residence) > 512:
		return backend.Person{}, fmt.Errorf("%w: person incomplete", ErrAppQR)
	}
	return backend.Person{IDNumber: c.ID, Name: c.Name, DOB: c.DOB, Sex: c.Sex, Residence: c.Residence, Verified: "app_signed"}, nil
}

// SignAppQR makes a CheckSigned QR text (the province's side; the
// simulator and tests use it).
func SignAppQR(f *AppQR, key ed25519.PrivateKey, c SignedClaims) (string, error) {
	raw, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	payload := base64.RawURLEncoding.EncodeToString(raw)
	sig := ed25519.Sign(key, []byte(payload))
	return f.Prefix + payload + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// QRSplit stands between the QR scanner and the identity Acquirer: a
// scanned text that one of the app formats recognises goes to App (for
// the flow), anything else to ReadQR (the Acquirer's QR source, which
// parses CCCD QRs). Run it with Run; ReadQR implements identity.QRSource.
type QRSplit struct {
	src     identity.QRSource
	formats []AppQR
	res     []*regexp.Regexp
	cccd    chan string
	app     chan string
}

// NewQRSplit splits src's scans by formats.
func NewQRSplit(src identity.QRSource, formats []AppQR) (*QRSplit, error) {
	res, err := checkAppQRs(formats)
	if err != nil {
		return nil, err
	}
	return &QRSplit{src: src, formats: formats, res: res, cccd: make(chan string, 1), app: make(chan string, 1)}, nil
}

// Run reads the scanner until ctx ends, handing each scan on (a scan
// nobody takes within a moment is dropped, as a scan with nobody looking).
func (q *QRSplit) Run(ctx context.Context) error {
	for ctx.Err() == nil {
		text, err := q.src.ReadQR(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			t := time.NewTimer(200 * time.Millisecond)
			select {
			case <-t.C:
			case <-ctx.Done():
			}
			t.Stop()
			continue
		}
		out := q.cccd
		if _, ok := recognise(q.formats, q.res, text); ok {
			out = q.app
		}
		select { // latest wins
		case <-out:
		default:
		}
		out <- text
	}
	return ctx.Err()
}

// ReadQR implements identity.QRSource with the scans that are not an app's.
func (q *QRSplit) ReadQR(ctx context.Context) (string, error) {
	select {
	case t := <-q.cccd:
		return t, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// App delivers the scans an app format recognises (the flow's
// Deps.AppQRs).
func (q *QRSplit) App() <-chan string { return q.app }
