package pa

import (
	"errors"
	"fmt"
	"strings"
)

// SkipReason classifies why a certificate or a file was left out of a
// trust store. The values are stable: they label a metric.
type SkipReason string

// Reasons a certificate or file is left out.
const (
	// SkipNotDER: the certificate breaks DER, which RFC 5280 §4.1 requires
	// of certificates (e.g. BOOLEAN TRUE encoded 01 instead of FF).
	SkipNotDER SkipReason = "not_der"
	// SkipMalformed: the certificate or file does not parse.
	SkipMalformed SkipReason = "malformed"
	// SkipUnsupported: an algorithm or curve this package does not implement.
	SkipUnsupported SkipReason = "unsupported"
	// SkipNotCA: a certificate that is not a CA (ICAO 9303-12 §7.1.1).
	SkipNotCA SkipReason = "not_ca"
	// SkipBadSignature: a master list whose signature does not verify.
	SkipBadSignature SkipReason = "bad_signature"
	// SkipUnreadable: a file that cannot be read or is too large.
	SkipUnreadable SkipReason = "unreadable"
)

// ErrNotCA: a certificate offered as a trust anchor is not a CA certificate.
var ErrNotCA = errors.New("pa: not a CA certificate")

// Skip is one certificate (or a whole file) a trust store left out.
type Skip struct {
	File    string     `json:"file,omitempty"`    // file in the trust directory; "" when added directly
	Index   int        `json:"index,omitempty"`   // 1-based position in a master list's certList or a PEM file; 0 for a lone certificate or the whole file
	Subject string     `json:"subject,omitempty"` // the certificate's subject when readable (a state authority: no personal data)
	Reason  SkipReason `json:"reason"`
	Detail  string     `json:"detail"`
}

// String renders the skip for a log line or a technician.
func (s Skip) String() string {
	var b strings.Builder
	if s.File != "" {
		b.WriteString(s.File)
	}
	if s.Index > 0 {
		fmt.Fprintf(&b, " certificate %d", s.Index)
	}
	if s.Subject != "" {
		fmt.Fprintf(&b, " (%s)", s.Subject)
	}
	where := strings.TrimSpace(b.String())
	if where == "" {
		where = "certificate"
	}
	return fmt.Sprintf("%s: %s: %s", where, s.Reason, s.Detail)
}

// AnchorError says why a certificate cannot be a trust anchor. It matches
// ErrMalformed, ErrUnsupported or ErrNotCA with errors.Is.
type AnchorError struct {
	Skip Skip
	err  error
}

// Error implements error.
func (e *AnchorError) Error() string { return "pa: trust anchor: " + e.Skip.String() }

// Unwrap returns the parse or policy error.
func (e *AnchorError) Unwrap() error { return e.err }

// skipFor classifies a ParseCertificate failure of der.
func skipFor(der []byte, err error, index int) Skip {
	s := Skip{Index: index, Subject: describeUnparsable(der), Reason: SkipMalformed, Detail: err.Error()}
	switch {
	case errors.Is(err, ErrUnsupported):
		s.Reason = SkipUnsupported
	case len(der) <= MaxCertificateSize:
		if v := derViolation(der); v != "" {
			s.Reason = SkipNotDER
			s.Detail = "not DER, as RFC 5280 §4.1 requires of certificates: " + v
		}
	}
	return s
}

// FileReport says what one trust-directory file contributed.
type FileReport struct {
	Name          string   `json:"name"`                     // file name in the directory
	Kind          string   `json:"kind"`                     // "master list", "certificate" or "PEM"
	Added         int      `json:"added"`                    // anchors it added
	Duplicates    int      `json:"duplicates"`               // anchors already in the store
	Skipped       int      `json:"skipped"`                  // certificates (or the whole file) left out
	Error         string   `json:"error,omitempty"`          // why the whole file was left out, "" otherwise
	Signer        string   `json:"signer,omitempty"`         // master list signer's subject
	SignerChained bool     `json:"signer_chained,omitempty"` // the signer's certificate verifies under a CSCA in the list
	Warnings      []string `json:"warnings,omitempty"`       // encodings accepted with a warning
}
