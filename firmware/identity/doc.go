// Package identity answers "who is at the kiosk", for every device profile.
//
// Acquisition (acquire.go, present.go): an Acquirer turns what the card
// reader and the QR scanner deliver — the QR printed on a CCCD, a chip tap,
// a CAN typed on the screen, a fixed chip UID where the deployment allows
// it — into one Identity with its Verdict and Method, reporting typed Events
// (waiting, detected, need QR, need CAN, reading, verifying, done) while it
// works. It owns the pairing of QR and chip, the CAN wait (the digits are
// never logged or kept), card-removal detection and the release of every
// card; one acquisition runs at a time. A kiosk that starts the next
// acquisition at once asks for the card to be held (Request.Hold) and waits
// for it to leave the reader (AwaitRemoval) first, so a card left lying on
// the reader is never read twice. A person without a card (a child) is
// identified by a typed personal ID number and birth date, checked against
// each other (personalid.go, MethodTyped). Profiles that decide each
// presentation alone and at once (the transit validator, a parking lane)
// take Presentations instead: one QR scan or card tap at a time, no pairing.
//
// The pipeline (identity.go): the chip is opened with an access key from
// the QR or the CAN (PACE, else BAC), its data groups read, Passive
// Authentication run against the trusted CSCAs and the chip proved genuine
// by Chip or Active Authentication (ICAO 9303-11), and the ID numbers on
// QR, DG13 and MRZ checked against each other.
//
// The citizen token (token.go): a Tokenizer makes the keyed pseudonym of a
// citizen — HMAC-SHA256 of the 12-digit ID number under the operator's key —
// that lists and records carry instead of the ID number.
//
// Holder verification (holder*.go): proving the person is the card holder
// with the kiosk's own fingerprint module.
//
// It imports drivers (nfc, emrtd, cccd, fingerprint) and the standard
// library; it must not import ui/, firmware/store or firmware/metrics (the
// store is adapted to BindingStore, and metrics to Observer, by the caller),
// nor any profile. It never logs personal data.
package identity
