// Package testpki generates, deterministically from a seed, a test eMRTD
// public key infrastructure and the signed LDS files of a CCCD-shaped
// virtual card, for tests and simulators (drivers/emrtd/emrtdsim) only.
//
// NO PRODUCTION CODE PATH MAY IMPORT THIS PACKAGE: it holds private keys
// (CSCA, Document Signer, chip authentication and active authentication keys)
// in memory and produces forged documents on request. Only _test.go files,
// simulators and the `kioskd diag` test-PKI tool may use it.
//
// The PKI mirrors Vietnam's (ICAO 9303-12): a CSCA using ECDSA-SHA512 on
// brainpoolP512r1 with explicit domain parameters in its
// SubjectPublicKeyInfo, a Document Signer (DS) on brainpoolP256r1 signed by
// it, an expired DS, a master list signer, and a rogue CSCA/DS pair with the
// same names that is not in the trust store. Certificates and CMS are encoded
// with encoding/asn1 (crypto/x509 cannot create brainpool certificates).
// Keys are derived from the seed by SHA-512 and ECDSA nonces by HMAC over the
// key and digest, so the same seed gives byte-identical output. The one
// exception is the optional RSA active authentication key (Go 1.26 crypto/rsa
// ignores caller randomness).
//
// NewCCCD builds EF.COM, DG1 (TD1 MRZ, ICAO 9303-5, Vietnamese layout), DG2
// (JPEG face in an ISO 19794-5 record inside the ICAO biometric template),
// DG13 (Vietnamese citizen data, tag 6D), DG14 (chip authentication, BSI
// TR-03110 / ICAO 9303-11 §9.2), DG15 (active authentication key) and EF.SOD
// (ICAO 9303-10 §4.6.2). Variants produce forged data: DG13 altered after
// signing, SOD signed by an untrusted signer, expired signer, a cloned chip
// (same files, chip keys that do not match DG14/DG15) and an EF.CardAccess
// altered to advertise PACE with 3DES while DG14 signs AES. EF.CardAccess
// (Card.CardAccess) lists PACE, CA and TA like the CCCD's, and DG14 repeats
// those SecurityInfos (ICAO 9303-11 §9.2). A BAC-only chip has no
// EF.CardAccess (no PACE); its other files equal the genuine card's.
//
// People are the simulated citizens (Person: an adult, an elderly person, a
// child under 6 without a chip card, a second adult who acts for another);
// any variant can be made for any of them who holds a card. Their ID
// numbers follow the real numbering rules, their cards' expiry the age
// rules, and Citizen.QR is the QR printed on the card.
package testpki
