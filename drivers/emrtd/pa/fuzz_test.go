package pa_test

import (
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/emrtd/pa"
)

// FuzzParseSOD feeds hostile EF.SOD bytes through parsing and full
// verification; nothing may panic.
func FuzzParseSOD(f *testing.F) {
	p, card := fixture(f)
	f.Add(card.SOD)
	f.Add(card.SOD[:len(card.SOD)/3])
	f.Add([]byte{0x77, 0x82, 0xFF, 0xFF})
	f.Add([]byte{0x77, 0x00})
	f.Add(realHex(f, "nz_sod")) // indefinite-length BER
	f.Add(realHex(f, "my_sod")) // issuer RDNs in another order
	f.Add(toIndefinite(f, card.SOD))
	trust := pa.NewTrustStore()
	trust.Add(p.CSCA.Cert)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, b []byte) {
		if s, err := pa.ParseSOD(b); err == nil {
			_ = s.DataGroups()
		}
		_, _ = pa.Verify(b, map[int][]byte{1: b}, trust, now)
	})
}

// FuzzParseCertificate feeds hostile certificates (and their use as issuer).
func FuzzParseCertificate(f *testing.F) {
	p, _ := fixture(f)
	f.Add(p.CSCA.DER)
	f.Add(p.DS.DER)
	f.Add(p.RogueDS.DER)
	f.Add([]byte{0x30, 0x80})
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := pa.ParseCertificate(b)
		if err != nil {
			return
		}
		_ = p.DS.Cert.CheckSignatureFrom(c)
		_ = c.CheckSignatureFrom(c)
	})
}

// FuzzParseMasterList feeds hostile master lists.
func FuzzParseMasterList(f *testing.F) {
	p, _ := fixture(f)
	ml, err := p.MasterList()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(ml)
	f.Add(ml[:200])
	f.Add(realMasterList(f)) // real CSCAs, one not DER, one not a CA
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = pa.ParseMasterList(b)
	})
}

// FuzzParseSubjectPublicKeyInfo feeds hostile keys (DG15 and DG14 use them too).
func FuzzParseSubjectPublicKeyInfo(f *testing.F) {
	p, _ := fixture(f)
	f.Add(p.CSCA.Cert.RawSPKI)
	f.Add(p.DS.Cert.RawSPKI)
	f.Add(p.RogueDS.Cert.RawSPKI)
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = pa.ParseSubjectPublicKeyInfo(b)
	})
}
