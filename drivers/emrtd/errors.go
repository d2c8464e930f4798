package emrtd

import (
	"errors"
	"fmt"
)

// Errors callers branch on (errors.Is).
var (
	// ErrWrongKey: the chip rejected the access key (PACE token mismatch,
	// BAC EXTERNAL AUTHENTICATE refused) — the CAN or MRZ is wrong.
	ErrWrongKey = errors.New("emrtd: access key rejected (wrong CAN or MRZ)")
	// ErrNoAccessKey: the AccessKey has nothing usable for what the chip offers.
	ErrNoAccessKey = errors.New("emrtd: no usable access key")
	// ErrNotEMRTD: the card has no eMRTD (LDS1) application.
	ErrNotEMRTD = errors.New("emrtd: not an eMRTD (no LDS1 application)")
	// ErrAccessDenied: the chip answered 6982 (security status not
	// satisfied), e.g. DG3 without Terminal Authentication.
	ErrAccessDenied = errors.New("emrtd: access denied by the chip (6982)")
	// ErrFileNotFound: the chip answered 6A82.
	ErrFileNotFound = errors.New("emrtd: file not found (6A82)")
	// ErrSecureMessaging: a protected response failed verification (bad
	// MAC, malformed, or the chip dropped the session).
	ErrSecureMessaging = errors.New("emrtd: secure messaging failure")
	// ErrUnsupported: the chip offers only protocols or parameters this
	// package does not implement.
	ErrUnsupported = errors.New("emrtd: unsupported protocol or parameters")
	// ErrMalformed: a file or a chip response does not parse.
	ErrMalformed = errors.New("emrtd: malformed data")
	// ErrChipAuthentication: Chip Authentication failed — the chip does not
	// hold the DG14 private key (a clone).
	ErrChipAuthentication = errors.New("emrtd: chip authentication failed")
	// ErrActiveAuthentication: the INTERNAL AUTHENTICATE signature does not
	// verify with the DG15 key (a clone).
	ErrActiveAuthentication = errors.New("emrtd: active authentication failed")
	// ErrCardAccessMismatch: EF.CardAccess advertises a SecurityInfo the
	// signed DG14 does not carry (EF.CardAccess was altered).
	ErrCardAccessMismatch = errors.New("emrtd: EF.CardAccess differs from the signed DG14")
)

// StatusError is an unexpected status word (ISO/IEC 7816-4 §5.6). It
// matches ErrAccessDenied (6982) and ErrFileNotFound (6A82) with errors.Is.
type StatusError struct {
	SW uint16
}

// Error implements the error interface.
func (e *StatusError) Error() string { return fmt.Sprintf("emrtd: status %04X", e.SW) }

// Is maps well-known status words onto the sentinel errors.
func (e *StatusError) Is(target error) bool {
	switch target {
	case ErrAccessDenied:
		return e.SW == 0x6982
	case ErrFileNotFound:
		return e.SW == 0x6A82
	}
	return false
}

// StepError says which protocol step failed (like crypto/tls's alerts).
type StepError struct {
	Protocol string // "PACE", "BAC", "CA", "AA", "SELECT", "READ BINARY"
	Step     string // e.g. "General Authenticate (map nonce)"
	Err      error
}

// Error implements the error interface.
func (e *StepError) Error() string {
	if e.Step == "" {
		return fmt.Sprintf("emrtd: %s: %v", e.Protocol, e.Err)
	}
	return fmt.Sprintf("emrtd: %s: %s: %v", e.Protocol, e.Step, e.Err)
}

// Unwrap returns the underlying error.
func (e *StepError) Unwrap() error { return e.Err }

func stepErr(proto, step string, err error) error {
	return &StepError{Protocol: proto, Step: step, Err: err}
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
}
