// Package emrtd is the terminal side of ICAO Doc 9303 parts 10 and 11: it
// reads an electronic machine-readable travel document (the Vietnamese
// CCCD chip is one) over an nfc.Card.
//
// It owns the ISO/IEC 7816-4 APDU layer (SELECT, READ BINARY with adaptive
// Le and odd-INS offsets), a bounded BER-TLV parser, the access protocols
// PACE v2 Generic Mapping ECDH (9303-11 §4.4) and BAC (§4.3), secure
// messaging with 3DES and AES (§9.8), Chip Authentication (§6.2) and Active
// Authentication (§6.1), and parsers for EF.CardAccess, EF.COM, DG1, DG2,
// DG14 and DG15 (9303-10 §4.6, 9303-11 §9.2), with the check that the
// unsigned EF.CardAccess says only what the signed DG14 says. Inside
// secure messaging it expects every answer protected (§9.8.4) and
// tolerates chips that refuse commands in plain: it recovers the SSC or
// re-establishes the session (Session.transmit).
//
// Passive Authentication (SOD, certificates) lives in drivers/emrtd/pa; the
// Vietnamese DG13 in drivers/cccd. This package imports only the standard
// library, drivers/nfc and the brainpool curves of
// github.com/ProtonMail/go-crypto (through internal/ecc); it never logs
// personal data (keys, MRZ, file contents).
//
// Terms: K_seed, KSenc, KSmac and SSC (send sequence counter) as in 9303-11
// §9.7–9.8; IFD is the terminal, IC the chip.
//
// The protocol code follows crypto/tls's handshake style: one function per
// protocol step, each failure wrapped in a *StepError naming the step.
package emrtd
