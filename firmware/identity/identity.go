package identity

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/kiosk06/kiosk/drivers/cccd"
	"github.com/kiosk06/kiosk/drivers/emrtd"
	"github.com/kiosk06/kiosk/drivers/emrtd/pa"
	"github.com/kiosk06/kiosk/drivers/nfc"
)

// Verdict is the answer to "is this a genuine CCCD?".
type Verdict string

// Verdicts.
const (
	// Genuine: Passive Authentication chained to a trusted CSCA and the
	// chip proved it holds its private key (Chip or Active Authentication).
	Genuine Verdict = "genuine"
	// NotGenuine: the card is forged, altered or a copy; Reason says how.
	NotGenuine Verdict = "not_genuine"
	// Unverified: nothing proved false, but genuineness could not be
	// established (no trust anchor, no chip authentication offered …).
	Unverified Verdict = "unverified"
)

// Reason qualifies a NotGenuine or Unverified verdict.
type Reason string

// Reasons.
const (
	ReasonNone            Reason = ""
	ReasonHashMismatch    Reason = "hash_mismatch"    // a data group differs from the signed hash
	ReasonBadSignature    Reason = "bad_signature"    // the SOD signature does not verify
	ReasonUntrustedSigner Reason = "untrusted_signer" // the document signer chains to no trusted CSCA
	ReasonExpiredSigner   Reason = "expired_signer"   // the document signer (or CSCA) is outside its validity
	ReasonMalformed       Reason = "malformed"        // the security object cannot be parsed
	ReasonClone           Reason = "clone"            // Chip/Active Authentication failed: copied data
	// ReasonCardAccessMismatch: the unsigned EF.CardAccess advertises
	// protocols the signed DG14 does not (altered, e.g. a PACE downgrade).
	ReasonCardAccessMismatch Reason = "card_access_mismatch"
	ReasonDataMismatch       Reason = "data_mismatch"   // QR, DG13 and MRZ name different ID numbers
	ReasonNoTrustAnchor      Reason = "no_trust_anchor" // no CSCA configured
	ReasonNoChipAuth         Reason = "no_chip_auth"    // the card offers neither CA nor AA
	ReasonUnsupported        Reason = "unsupported"     // an algorithm or curve this build cannot verify
	// ReasonQROnly: only the printed QR was presented; nothing proved it.
	ReasonQROnly Reason = "qr_only"
	// ReasonUIDOnly: only a fixed chip UID was presented (Policy.StaticUID).
	ReasonUIDOnly Reason = "uid_only"
	// ReasonTyped: the identity was typed (MethodTyped), no card read.
	ReasonTyped Reason = "typed"
)

// Errors callers branch on (the card could not be read at all; a card that
// was read always yields an Identity with a Verdict instead).
var (
	ErrNoKey       = errors.New("identity: no access key: scan the card's QR code or enter its CAN")
	ErrWrongKey    = errors.New("identity: the access key does not open this card")
	ErrNotIDCard   = errors.New("identity: not an ID card (no eMRTD application)")
	ErrCardRemoved = errors.New("identity: card removed during the read")
	ErrUnreadable  = errors.New("identity: the chip answered in a way that cannot be read")
)

// Keys are what the kiosk knows before opening the chip; any one suffices.
type Keys struct {
	// QR is the parsed QR printed on the card: gives the CAN and BAC candidates.
	QR *cccd.QRData
	// CAN typed by the person or the staff (6 digits).
	CAN string
	// MRZ fields (document number, YYMMDD dates) when scanned from the back.
	DocumentNumber, DateOfBirth, DateOfExpiry string
}

func (k Keys) accessKeys() ([]emrtd.AccessKey, error) {
	var out []emrtd.AccessKey
	can := k.CAN
	var bac []cccd.BACKey
	if k.QR != nil {
		if can == "" {
			c, err := cccd.CAN(k.QR.ID)
			if err != nil {
				return nil, fmt.Errorf("identity: QR: %w", err)
			}
			can = c
		}
		var err error
		if bac, err = cccd.BACCandidates(k.QR.ID, k.QR.DOB, k.QR.IssueDate); err != nil {
			return nil, fmt.Errorf("identity: QR: %w", err)
		}
	}
	if k.DocumentNumber != "" {
		bac = append([]cccd.BACKey{{Doc: k.DocumentNumber, DOB: k.DateOfBirth, Exp: k.DateOfExpiry}}, bac...)
	}
	// The first attempt carries the CAN and the most likely MRZ key, so
	// PACE-CAN, PACE-MRZ and BAC are all tried on it; later attempts try
	// the other MRZ candidates.
	first := emrtd.AccessKey{CAN: can}
	if len(bac) > 0 {
		first.DocumentNumber, first.DateOfBirth, first.DateOfExpiry = bac[0].Doc, bac[0].DOB, bac[0].Exp
		bac = bac[1:]
	}
	if first.CAN == "" && first.DocumentNumber == "" {
		return nil, ErrNoKey
	}
	out = append(out, first)
	for _, b := range bac {
		out = append(out, emrtd.AccessKey{DocumentNumber: b.Doc, DateOfBirth: b.DOB, DateOfExpiry: b.Exp})
	}
	return out, nil
}

// Progress is a step of a read, for the UI's progress indicator.
type Progress struct {
	Step  string // "access", "DG1", "DG13", "DG14", "DG15", "DG2", "SOD", "verify", "chip_auth"
	Done  int    // bytes of the current file read so far
	Total int    // bytes of the current file
	// Fraction is the estimated share of the whole read done, 0..1.
	Fraction float64
}

// Timings break a read down.
type Timings struct {
	Access   time.Duration `json:"access_ms"`
	Read     time.Duration `json:"read_ms"`
	Passive  time.Duration `json:"passive_auth_ms"`
	ChipAuth time.Duration `json:"chip_auth_ms"`
	Total    time.Duration `json:"total_ms"`
}

// Identity is the outcome of reading a card.
type Identity struct {
	Citizen cccd.Citizen // from DG13 (personal: never log)
	MRZ     string       // DG1's MRZ (personal: never log)
	Face    *emrtd.Face  // DG2, only when Options.ReadFace
	Verdict Verdict
	Reason  Reason
	Detail  string // a technician's explanation of Reason (no personal data)
	// Method is how the person was identified (an Acquirer sets it;
	// Pipeline.Read leaves it empty).
	Method Method
	// Access is how the chip was opened (PACE-CAN, PACE-MRZ, BAC).
	Access emrtd.Method
	// UID is the fixed chip UID of a MethodUID identity (nil otherwise).
	UID []byte
	// ChipAuth is how the chip proved itself: "CA", "AA" or "".
	ChipAuth string
	Signer   string // document signer subject (a state authority)
	// Warnings are a technician's notes on what Passive Authentication
	// accepted although ICAO 9303 asks otherwise (a BER-encoded SOD, a
	// signer named with its RDNs in another order). They never lower a
	// verdict and hold no personal data.
	Warnings  []string
	Timings   Timings
	Stats     emrtd.Stats
	UIDRandom bool
}

// LogValue keeps personal data out of logs.
func (i *Identity) LogValue() slog.Value {
	return slog.GroupValue(slog.String("verdict", string(i.Verdict)), slog.String("reason", string(i.Reason)),
		slog.String("method", string(i.Method)), slog.String("access", string(i.Access)), slog.String("chip_auth", i.ChipAuth), slog.Any("warnings", i.Warnings))
}

// Options configure a Pipeline.
type Options struct {
	// Trust anchors for Passive Authentication; nil or empty gives an
	// Unverified verdict (never Genuine).
	Trust *pa.TrustStore
	// ReadFace also reads DG2 (15-25 KB: only when a face image is needed).
	ReadFace bool
	// MaxLe bounds READ BINARY (emrtd.DefaultMaxLe when 0).
	MaxLe int
	// Rand for protocol randomness (crypto/rand when nil).
	Rand io.Reader
	// Now is the clock for certificate validity (time.Now when nil).
	Now func() time.Time
	// Progress receives read progress (may be nil); called on the reading goroutine.
	Progress func(Progress)
	Logger   *slog.Logger
}

// Pipeline reads and verifies CCCDs.
type Pipeline struct{ opt Options }

// NewPipeline returns a pipeline with opt.
func NewPipeline(opt Options) *Pipeline {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	return &Pipeline{opt: opt}
}

// Typical sizes, for the progress fraction before a file's length is known.
var stepWeights = map[string]float64{"access": 0.15, "DG14": 0.05, "DG1": 0.03, "DG13": 0.2, "DG15": 0.03, "SOD": 0.2, "DG2": 0.5, "verify": 0.09, "chip_auth": 0.25}

type progressor struct {
	f     func(Progress)
	done  float64
	total float64
}

func (p *progressor) step(name string, done, total int) {
	if p.f == nil {
		return
	}
	frac := p.done
	if total > 0 {
		frac += stepWeights[name] * float64(done) / float64(total)
	}
	p.f(Progress{Step: name, Done: done, Total: total, Fraction: min(frac/p.total, 1)})
}

func (p *progressor) finish(name string) { p.done += stepWeights[name]; p.step(name, 0, 0) }

// Read opens the card with keys, reads DG14 (and DG15 when the chip offers
// no Chip Authentication), DG1, DG13, the SOD (and DG2 when asked), runs
// Passive Authentication, then Chip Authentication (or Active
// Authentication), and checks that QR, DG13 and MRZ agree.
func (p *Pipeline) Read(ctx context.Context, card nfc.Card, keys Keys) (*Identity, error) {
	start := time.Now()
	keyList, err := keys.accessKeys()
	if err != nil {
		return nil, err
	}
	prog := &progressor{f: p.opt.Progress, total: 1.0 - stepWeights["DG2"] - stepWeights["DG15"]}
	if p.opt.ReadFace {
		prog.total += stepWeights["DG2"]
	}
	prog.step("access", 0, 1)
	sess, err := p.open(ctx, card, keyList)
	if err != nil {
		return nil, err
	}
	id := &Identity{Access: sess.Method(), UIDRandom: card.Info().UIDRandom}
	id.Timings.Access = time.Since(start)
	prog.finish("access")

	readStart := time.Now()
	dgs := map[int][]byte{}
	read := func(step string, fid uint16, dg int) ([]byte, error) {
		b, err := sess.ReadFile(ctx, fid, func(done, total int) { prog.step(step, done, total) })
		if err != nil {
			return nil, err
		}
		if dg > 0 {
			dgs[dg] = b
		}
		prog.finish(step)
		return b, nil
	}
	dg14, err := read("DG14", emrtd.DGFile(14), 14)
	if err != nil && !errors.Is(err, emrtd.ErrFileNotFound) {
		return nil, readErr("DG14", err)
	}
	caInfo := chipAuthOffered(dg14)
	var dg15 []byte
	if !caInfo {
		if dg15, err = read("DG15", emrtd.DGFile(15), 15); err != nil && !errors.Is(err, emrtd.ErrFileNotFound) {
			return nil, readErr("DG15", err)
		}
	}
	dg1, err := read("DG1", emrtd.DGFile(1), 1)
	if err != nil {
		return nil, readErr("DG1", err)
	}
	dg13, err := read("DG13", emrtd.DGFile(13), 13)
	if err != nil {
		return nil, readErr("DG13", err)
	}
	if p.opt.ReadFace {
		dg2, err := read("DG2", emrtd.DGFile(2), 2)
		if err != nil {
			return nil, readErr("DG2", err)
		}
		if id.Face, err = emrtd.ParseDG2(dg2); err != nil {
			p.opt.Logger.Warn("DG2 unreadable", "err", err)
		}
	}
	sod, err := read("SOD", emrtd.FileSOD, 0)
	if err != nil {
		return nil, readErr("SOD", err)
	}
	id.Timings.Read = time.Since(readStart)

	p.fillData(id, dg1, dg13)
	paStart := time.Now()
	res, paErr := pa.Verify(sod, dgs, p.opt.Trust, p.opt.Now())
	id.Timings.Passive = time.Since(paStart)
	id.Signer, id.Warnings = res.SignerSubject, res.Warnings
	prog.finish("verify")
	p.judgePassive(id, paErr)
	if id.Verdict == Genuine && len(dg14) > 0 {
		// DG14 is now verified: EF.CardAccess, which steered PACE, must
		// carry only what DG14 signs (ICAO 9303-11 §9.2).
		if err := sess.CheckCardAccess(dg14); err != nil {
			id.Verdict, id.Reason, id.Detail = NotGenuine, ReasonCardAccessMismatch, err.Error()
			if !errors.Is(err, emrtd.ErrCardAccessMismatch) {
				id.Reason = ReasonMalformed
			}
		}
	}

	caStart := time.Now()
	if err := p.authenticateChip(ctx, sess, id, dg14, dg15, caInfo); err != nil {
		return nil, err
	}
	id.Timings.ChipAuth = time.Since(caStart)
	prog.finish("chip_auth")
	p.checkConsistency(id, keys)
	id.Stats = sess.Stats()
	id.Timings.Total = time.Since(start)
	p.opt.Logger.Info("card read", "identity", id, "apdus", id.Stats.APDUs, "total_ms", id.Timings.Total.Milliseconds())
	return id, nil
}

// open tries each access key in turn; only a wrong key moves to the next.
func (p *Pipeline) open(ctx context.Context, card nfc.Card, keys []emrtd.AccessKey) (*emrtd.Session, error) {
	opt := emrtd.Options{Rand: p.opt.Rand, MaxLe: p.opt.MaxLe, Logger: p.opt.Logger}
	var last error
	for _, k := range keys {
		sess, err := emrtd.Open(ctx, card, k, opt)
		if err == nil {
			return sess, nil
		}
		last = err
		if !errors.Is(err, emrtd.ErrWrongKey) {
			return nil, readErr("access", err)
		}
	}
	return nil, fmt.Errorf("%w (%d keys tried): %v", ErrWrongKey, len(keys), last)
}

// readErr maps a chip or transport failure onto the pipeline's errors.
func readErr(step string, err error) error {
	switch {
	case errors.Is(err, nfc.ErrCardRemoved), errors.Is(err, nfc.ErrNoCard):
		return fmt.Errorf("%w (%s): %v", ErrCardRemoved, step, err)
	case errors.Is(err, emrtd.ErrNotEMRTD):
		return fmt.Errorf("%w: %v", ErrNotIDCard, err)
	case errors.Is(err, emrtd.ErrNoAccessKey):
		return ErrNoKey
	case errors.Is(err, emrtd.ErrMalformed), errors.Is(err, emrtd.ErrSecureMessaging), errors.Is(err, emrtd.ErrUnsupported):
		return fmt.Errorf("%w (%s): %v", ErrUnreadable, step, err)
	}
	return fmt.Errorf("identity: %s: %w", step, err)
}

func chipAuthOffered(dg14 []byte) bool {
	if len(dg14) == 0 {
		return false
	}
	si, err := emrtd.ParseDG14(dg14)
	// A ChipAuthenticationPublicKeyInfo alone implies CA (3DES, ICAO 9303-11 §6.2).
	return err == nil && len(si.CAKeys) > 0
}

func (p *Pipeline) fillData(id *Identity, dg1, dg13 []byte) {
	if mrz, err := emrtd.ParseDG1(dg1); err == nil {
		id.MRZ = mrz
	}
	if c, err := cccd.ParseDG13(dg13); err == nil {
		id.Citizen = c
	} else {
		p.opt.Logger.Warn("DG13 unparsable", "err", err)
	}
}

// judgePassive sets the verdict from Passive Authentication. A missing
// trust anchor leaves the door open to Unverified; anything proven false
// is NotGenuine.
func (p *Pipeline) judgePassive(id *Identity, err error) {
	id.Verdict, id.Reason = PassiveVerdict(err)
	if err != nil {
		id.Detail = err.Error()
	}
}

// PassiveVerdict maps the result of pa.Verify onto a verdict and reason:
// Genuine for nil (Chip or Active Authentication must still follow),
// Unverified when no trust anchor or algorithm allows a decision,
// NotGenuine for anything proven false. `kioskd diag pa verify` uses it
// too, so the technician's tool and the kiosk cannot disagree.
func PassiveVerdict(err error) (Verdict, Reason) {
	switch {
	case err == nil:
		return Genuine, ReasonNone
	case errors.Is(err, pa.ErrNoTrustAnchor):
		return Unverified, ReasonNoTrustAnchor
	case errors.Is(err, pa.ErrHashMismatch):
		return NotGenuine, ReasonHashMismatch
	case errors.Is(err, pa.ErrBadSignature):
		return NotGenuine, ReasonBadSignature
	case errors.Is(err, pa.ErrUntrustedSigner):
		return NotGenuine, ReasonUntrustedSigner
	case errors.Is(err, pa.ErrExpiredSigner):
		return NotGenuine, ReasonExpiredSigner
	case errors.Is(err, pa.ErrUnsupported):
		return Unverified, ReasonUnsupported
	}
	return NotGenuine, ReasonMalformed
}

// authenticateChip runs CA (preferred) or AA. A failure is a clone and
// overrides any other reason; a transport failure aborts the read.
func (p *Pipeline) authenticateChip(ctx context.Context, sess *emrtd.Session, id *Identity, dg14, dg15 []byte, caOffered bool) error {
	var err error
	switch {
	case caOffered:
		id.ChipAuth = "CA"
		err = sess.ChipAuthenticate(ctx, dg14)
	case len(dg15) > 0:
		id.ChipAuth = "AA"
		err = sess.ActiveAuthenticate(ctx, dg15, dg14)
	default:
		if id.Verdict == Genuine {
			id.Verdict, id.Reason, id.Detail = Unverified, ReasonNoChipAuth, "the card offers neither Chip nor Active Authentication"
		}
		return nil
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, emrtd.ErrChipAuthentication), errors.Is(err, emrtd.ErrActiveAuthentication):
		id.Verdict, id.Reason, id.Detail = NotGenuine, ReasonClone, err.Error()
		return nil
	case errors.Is(err, emrtd.ErrUnsupported):
		if id.Verdict == Genuine {
			id.Verdict, id.Reason, id.Detail = Unverified, ReasonUnsupported, err.Error()
		}
		return nil
	}
	return readErr("chip_auth", err)
}

// checkConsistency: the ID number on the QR, in DG13 and in the MRZ's
// optional data must be the same person's.
func (p *Pipeline) checkConsistency(id *Identity, keys Keys) {
	if id.Verdict == NotGenuine {
		return
	}
	ids := map[string]string{}
	if id.Citizen.ID != "" {
		ids["DG13"] = id.Citizen.ID
	}
	if keys.QR != nil {
		ids["QR"] = keys.QR.ID
	}
	if id.MRZ != "" {
		if m, err := cccd.ParseTD1(id.MRZ); err == nil && m.ID != "" {
			ids["MRZ"] = m.ID
		}
	}
	var ref, refSrc string
	for _, src := range []string{"DG13", "MRZ", "QR"} {
		v, ok := ids[src]
		if !ok {
			continue
		}
		if ref == "" {
			ref, refSrc = v, src
			continue
		}
		if v != ref {
			id.Verdict, id.Reason = NotGenuine, ReasonDataMismatch
			id.Detail = fmt.Sprintf("the ID number in %s differs from the one in %s", src, refSrc)
			return
		}
	}
}
