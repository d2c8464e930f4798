package testpki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// ErrNoCard: NewCCCD was asked for the card of a citizen who has none (no
// issue date, like the simulated Child).
var ErrNoCard = errors.New("testpki: the citizen has no chip card")

// DefaultSeed is the seed NewPKI and NewCCCD use when none is given.
const DefaultSeed = "kiosk06 test PKI v1"

// PKI is a complete test PKI.
type PKI struct {
	CSCA      *Authority // trusted: goes into the trust dir
	DS        *Signer    // genuine document signer, valid 2021-01-01 … 2036-01-01
	ExpiredDS *Signer    // same CSCA, valid 2010-01-01 … 2020-01-01
	MLSigner  *Signer    // master list signer, issued by CSCA
	RogueCSCA *Authority // same names as CSCA, different key, never trusted
	RogueDS   *Signer    // P-256 DS issued by RogueCSCA, same names as DS
}

func date(y int) time.Time { return time.Date(y, time.January, 1, 0, 0, 0, 0, time.UTC) }

func name(cn string) pkix.Name {
	return pkix.Name{Country: []string{"VN"}, Organization: []string{"kiosk06 TEST - not a real authority"},
		OrganizationalUnit: []string{"Test PKI"}, CommonName: cn}
}

// NewPKI derives the test PKI from seed ("" = DefaultSeed).
func NewPKI(seed string) (*PKI, error) {
	if seed == "" {
		seed = DefaultSeed
	}
	s := []byte(seed)
	p := &PKI{}
	var err error
	if p.CSCA, err = NewCSCA(s, "csca", name("CSCA Viet Nam TEST"), date(2005), date(2045)); err != nil {
		return nil, err
	}
	steps := []struct {
		dst    **Signer
		ca     *Authority
		label  string
		curve  string
		serial int64
		cn     string
		from   int
		to     int
	}{
		{&p.DS, p.CSCA, "ds", "brainpoolP256r1", 0x1001, "Document Signer ID TEST 01", 2021, 2036},
		{&p.ExpiredDS, p.CSCA, "ds-expired", "brainpoolP256r1", 0x1000, "Document Signer ID TEST 00", 2010, 2020},
		{&p.MLSigner, p.CSCA, "ml", "brainpoolP256r1", 0x2001, "Master List Signer TEST", 2021, 2036},
	}
	for _, st := range steps {
		if *st.dst, err = st.ca.NewSigner(s, st.label, st.curve, st.serial, name(st.cn), date(st.from), date(st.to), crypto.SHA256); err != nil {
			return nil, err
		}
	}
	if p.RogueCSCA, err = NewCSCA(s, "rogue-csca", name("CSCA Viet Nam TEST"), date(2005), date(2045)); err != nil {
		return nil, err
	}
	if p.RogueDS, err = p.RogueCSCA.NewSigner(s, "rogue-ds", "P-256", 0x1001, name("Document Signer ID TEST 01"), date(2021), date(2036), crypto.SHA256); err != nil {
		return nil, err
	}
	return p, nil
}

// TrustAnchors returns the DER certificates to trust (the CSCA only).
func (p *PKI) TrustAnchors() [][]byte { return [][]byte{p.CSCA.DER} }

// MasterList returns an ICAO master list of the CSCA signed by MLSigner.
func (p *PKI) MasterList() ([]byte, error) { return MasterList(p.TrustAnchors(), p.MLSigner) }

// WriteTrustDir writes csca.pem and csca.ml (a master list carrying the same
// CSCA) into dir, creating it, for `--trust DIR` and pa.LoadTrustStore.
func (p *PKI) WriteTrustDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("testpki: %w", err)
	}
	ml, err := p.MasterList()
	if err != nil {
		return fmt.Errorf("testpki: master list: %w", err)
	}
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.CSCA.DER})
	for file, data := range map[string][]byte{"csca.pem": pemBytes, "csca.ml": ml} {
		if err := os.WriteFile(filepath.Join(dir, file), data, 0o644); err != nil {
			return fmt.Errorf("testpki: %w", err)
		}
	}
	return nil
}

// WriteTrustDir writes the trust dir of the DefaultSeed PKI (see PKI.WriteTrustDir).
func WriteTrustDir(dir string) error {
	p, err := NewPKI("")
	if err != nil {
		return err
	}
	return p.WriteTrustDir(dir)
}

// Variant selects a genuine or forged card.
type Variant int

// Card variants. Clone and BACOnly carry genuine files; see Card.
const (
	Genuine         Variant = iota
	DG13Altered             // DG13 changed after the SOD was signed → pa.ErrHashMismatch
	UntrustedSigner         // SOD signed by RogueDS (RogueCSCA not trusted) → pa.ErrUntrustedSigner
	ExpiredSigner           // SOD signed by ExpiredDS → pa.ErrExpiredSigner
	Clone                   // files copied; Card.CAKey/AAKey do not match DG14/DG15 → CA/AA fail
	BACOnly                 // genuine files; emrtdsim offers no EF.CardAccess/PACE
	// CardAccessTampered: genuine signed files and chip keys, but the
	// unsigned EF.CardAccess steers PACE to 3DES, unlike the PACEInfo DG14
	// signs → emrtd.ErrCardAccessMismatch.
	CardAccessTampered
)

// String implements fmt.Stringer.
func (v Variant) String() string {
	switch v {
	case Genuine:
		return "genuine"
	case DG13Altered:
		return "dg13-altered"
	case UntrustedSigner:
		return "untrusted-signer"
	case ExpiredSigner:
		return "expired-signer"
	case Clone:
		return "clone"
	case BACOnly:
		return "bac-only"
	case CardAccessTampered:
		return "card-access-tampered"
	}
	return fmt.Sprintf("Variant(%d)", int(v))
}

// AAKeyType selects the Active Authentication key in DG15.
type AAKeyType int

// AA key types.
const (
	AAECDSA   AAKeyType = iota // ECDSA brainpoolP256r1 (namedCurve), deterministic; DG14 gets ActiveAuthenticationInfo
	AARSA1024                  // RSA-1024 e=65537 for ISO 9796-2 AA; random (not reproducible)
)

// Options configure NewCCCD. The zero value (or nil) gives the genuine
// DefaultCitizen card.
type Options struct {
	Seed    string   // "" = DefaultSeed; also derives the chip keys
	Citizen *Citizen // nil = DefaultCitizen()
	Variant Variant
	PKI     *PKI // nil = NewPKI(Seed); pass one to share it across cards (faster)
	AAKey   AAKeyType
}

// File identifiers of the LDS files (ICAO 9303-10 §3.11).
const (
	FIDCOM  = 0x011E
	FIDSOD  = 0x011D
	FIDDG1  = 0x0101
	FIDDG2  = 0x0102
	FIDDG3  = 0x0103
	FIDDG13 = 0x010D
	FIDDG14 = 0x010E
	FIDDG15 = 0x010F
)

// Card is a generated CCCD: its LDS files, chip keys and access data.
type Card struct {
	Citizen Citizen
	Variant Variant

	COM, SOD []byte
	// CardAccess is EF.CardAccess (unsigned, in the MF; nil for BACOnly):
	// its SecurityInfos are also in DG14, except for CardAccessTampered.
	CardAccess []byte
	// DataGroups are the files as stored on the chip (after any forgery),
	// keyed by DG number: 1, 2, 13, 14, 15. DG3 is listed in EF.COM but not
	// readable (needs Terminal Authentication; the simulator answers 6982).
	DataGroups map[int][]byte
	// Files maps file identifiers (FIDCOM, FIDSOD, FIDDG1, …) to contents.
	Files map[uint16][]byte
	// FaceJPEG is the image inside DG2.
	FaceJPEG []byte

	// CAKey is the chip's Chip Authentication private key (ECDH
	// brainpoolP256r1). For Clone it does NOT match DG14's public key.
	CAKey *ecdsa.PrivateKey
	// AAKey is the chip's Active Authentication key (*ecdsa.PrivateKey or
	// *rsa.PrivateKey). For Clone it does NOT match DG15.
	AAKey crypto.Signer

	CAN            string    // PACE CAN: last 6 digits of the ID
	MRZ            [3]string // TD1 lines
	DocumentNumber string    // MRZ document number (BAC key input)
	DateOfBirth    string    // YYMMDD (BAC key input)
	DateOfExpiry   string    // YYMMDD, "<<<<<<" if none (BAC key input)

	PKI          *PKI
	TrustAnchors [][]byte // DER CSCA certificates to trust
}

// NewCCCD generates a CCCD-shaped card. The same Options give the same bytes
// (except with AARSA1024). nil opts means defaults.
func NewCCCD(opts *Options) (*Card, error) {
	if opts == nil {
		opts = &Options{}
	}
	seed := opts.Seed
	if seed == "" {
		seed = DefaultSeed
	}
	pki := opts.PKI
	if pki == nil {
		var err error
		if pki, err = NewPKI(seed); err != nil {
			return nil, err
		}
	}
	cz := DefaultCitizen()
	if opts.Citizen != nil {
		cz = *opts.Citizen
	}
	if len(cz.ID) != 12 {
		return nil, fmt.Errorf("testpki: citizen ID must have 12 digits")
	}
	if !cz.HasCard() {
		return nil, ErrNoCard
	}
	c := &Card{Citizen: cz, Variant: opts.Variant, PKI: pki, TrustAnchors: pki.TrustAnchors(),
		CAN: cz.ID[6:], MRZ: TD1(cz), DocumentNumber: DocumentNumber(cz.ID),
		DateOfBirth: yymmdd(cz.DateOfBirth), DateOfExpiry: yymmdd(cz.DateOfExpiry)}
	keySeed := []byte(seed + "/" + cz.ID)
	if err := c.buildFiles(keySeed, opts.AAKey); err != nil {
		return nil, err
	}
	if err := c.sign(pki); err != nil {
		return nil, err
	}
	if opts.Variant == Clone {
		if err := c.cloneKeys(keySeed, opts.AAKey); err != nil {
			return nil, err
		}
	}
	switch opts.Variant {
	case BACOnly:
	case CardAccessTampered:
		c.CardAccess = tamperedCardAccess()
	default:
		c.CardAccess = efCardAccess(cardAccessInfos())
	}
	c.Files = map[uint16][]byte{FIDCOM: c.COM, FIDSOD: c.SOD, FIDDG1: c.DataGroups[1], FIDDG2: c.DataGroups[2],
		FIDDG13: c.DataGroups[13], FIDDG14: c.DataGroups[14], FIDDG15: c.DataGroups[15]}
	return c, nil
}

func (c *Card) buildFiles(keySeed []byte, aa AAKeyType) error {
	var err error
	if c.CAKey, err = DeriveKey(keySeed, "chip-authentication", "brainpoolP256r1"); err != nil {
		return err
	}
	dg15, err := c.makeAAKey(keySeed, "active-authentication", aa)
	if err != nil {
		return err
	}
	dg14, err := dg14(&c.CAKey.PublicKey, aa == AAECDSA)
	if err != nil {
		return err
	}
	if c.FaceJPEG, err = faceJPEG(keySeed); err != nil {
		return err
	}
	c.COM = efCOM()
	c.DataGroups = map[int][]byte{1: dg1(c.MRZ), 2: dg2(c.FaceJPEG), 13: DG13(c.Citizen), 14: dg14, 15: dg15}
	return nil
}

// makeAAKey sets c.AAKey and returns DG15.
func (c *Card) makeAAKey(keySeed []byte, label string, aa AAKeyType) ([]byte, error) {
	var spki []byte
	switch aa {
	case AAECDSA:
		k, err := DeriveKey(keySeed, label, "brainpoolP256r1")
		if err != nil {
			return nil, err
		}
		c.AAKey = k
		if spki, err = ECPublicKeyInfo(&k.PublicKey, false); err != nil {
			return nil, err
		}
	case AARSA1024:
		k, err := rsa.GenerateKey(rand.Reader, 1024)
		if err != nil {
			return nil, fmt.Errorf("testpki: AA key: %w", err)
		}
		c.AAKey = k
		if spki, err = x509.MarshalPKIXPublicKey(&k.PublicKey); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("testpki: unknown AA key type %d", aa)
	}
	return dg15(spki), nil
}

// sign produces EF.SOD with the variant's signer, then applies post-signing forgeries.
func (c *Card) sign(pki *PKI) error {
	signer := pki.DS
	switch c.Variant {
	case UntrustedSigner:
		signer = pki.RogueDS
	case ExpiredSigner:
		signer = pki.ExpiredDS
	}
	var err error
	if c.SOD, err = SignSOD(c.DataGroups, signer); err != nil {
		return err
	}
	if c.Variant == DG13Altered {
		forged := c.Citizen
		forged.FullName = "Trần Văn Giả"
		forged.DateOfBirth = forged.DateOfBirth.AddDate(-10, 0, 0)
		c.DataGroups[13] = DG13(forged)
	}
	return nil
}

// cloneKeys gives the chip fresh keys: a cloner copies the files but cannot
// extract the chip's private keys.
func (c *Card) cloneKeys(keySeed []byte, aa AAKeyType) error {
	var err error
	if c.CAKey, err = DeriveKey(keySeed, "clone-chip-authentication", "brainpoolP256r1"); err != nil {
		return err
	}
	_, err = c.makeAAKey(keySeed, "clone-active-authentication", aa)
	return err
}
