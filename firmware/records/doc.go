// Package records owns the records kioskd keeps and uploads: every record
// kind, its typed payload (one struct per kind, versioned), the sealed
// personal fields each kind may carry, and the one way to append them
// (Append). The payloads are the wire format of upload protocol v1: the
// backend parses them as docs/RECORDS.md (generated from this package by
// its tests) describes, and testdata/ holds a golden payload per kind.
//
// Every kind, its version, who writes it and what one record means:
//
//	kind                   v  writer                       one record is
//	hospital.identify      1  firmware/hospital            a card or QR read: verdict and method
//	hospital.can           1  firmware/hospital            a typed CAN the card refused (never the digits)
//	hospital.holder        1  firmware/hospital            the fingerprint holder check's outcome
//	hospital.insurance     1  firmware/hospital            the BHYT card check's outcome
//	hospital.intent        1  firmware/hospital            an action outside the kiosk about to start
//	hospital.registration  1  firmware/hospital            the visit registered with a ticket, or where it failed
//	hospital.payment       1  firmware/hospital            the kiosk's view of the visit's pre-payment
//	hospital.help          1  firmware/hospital            a request for staff
//	hospital.abandoned     1  firmware/hospital            a patient who left before the end
//	hospital.service       1  firmware/hospital            the kiosk taking patients again after a store failure
//	hospital.admin         1  firmware/hospital            the admin menu's audit: PIN, lockout, action, logout
//	parking.entry          1  firmware/parking             a vehicle in: its ticket
//	parking.intent         1  firmware/parking             an account charge about to be made
//	parking.exit           1  firmware/parking             a vehicle paid (or let) out
//	parking.barrier        1  firmware/parking             the barrier opened or closed
//	parking.refused        1  firmware/parking             an entry or exit refused, and why
//	parking.report         1  firmware/parking             a shift report printed
//	ticketing.identify     1  firmware/ticketing           a card read: whose, verdict and method
//	ticketing.can          1  firmware/ticketing           a typed CAN the card refused (never the digits)
//	ticketing.intent       1  firmware/ticketing           an action outside the kiosk about to start
//	ticketing.hold         1  firmware/ticketing           a seat hold: held, taken, failed, released, expired
//	ticketing.payment      1  firmware/ticketing           the kiosk's view of a purchase's payment
//	ticketing.sale         1  firmware/ticketing           a sale: sold, issued offline, refused or failed
//	ticketing.ticket       1  firmware/ticketing           one ticket or pass, bound to its passenger's token
//	ticketing.refund       1  firmware/ticketing           a cancellation's refund, or a payment owed back
//	ticketing.manifest     1  firmware/ticketing/manifest  a departure's passenger list (ASM shape, sealed)
//	ticketing.help         1  firmware/ticketing           a request for staff
//	ticketing.abandoned    1  firmware/ticketing           a person who left before the end
//	ticketing.service      1  firmware/ticketing           the kiosk selling again after a store failure
//	transit.tap            1  firmware/transit             the validator's decision on a tap
//	onestop.signin         1  firmware/onestop             a citizen signed in (card, its QR, the provincial app's QR) or refused
//	onestop.intent         1  firmware/onestop             a dossier about to be filed, a queue number about to be taken
//	onestop.dossier        1  firmware/onestop             a dossier filed (code, appointment, fees) or why not
//	onestop.ticket         1  firmware/onestop             a queue number for the procedure's counter
//	onestop.lookup         1  firmware/onestop             a citizen looked up their dossiers
//	onestop.support        1  firmware/onestop             a help-desk call: requested, accepted, cancelled, failed
//	onestop.abandoned      1  firmware/onestop             a citizen who left before the end
//	onestop.service        1  firmware/onestop             the kiosk serving again after a store failure
//	checkin.read           1  firmware/checkin             a card read at a check-in point: verdict
//	checkin.holder         1  firmware/checkin             the fingerprint holder check's outcome
//	checkin.lodging        1  firmware/checkin             a guest checked in or out (stay notification data sealed)
//	checkin.verify         1  firmware/checkin             a customer verified at a pawnshop, notary, security service
//	checkin.attendance     1  firmware/checkin             a candidate accepted against the list, or refused and why
//	checkin.gate           1  firmware/checkin             an entry or exit, with the occupancy after it
//	checkin.report         1  firmware/checkin             a statistics report printed or exported
//	checkin.service        1  firmware/checkin             the point reading again after a store failure
//	payment.session        1  records.SessionRecorder      a VietQR session's transition (payments/session)
//	queue.event            1  records.QueueJournal         a queue operation (queue's journal)
//	identity.holder        1  records.HolderStore          a fingerprint binding's audit (identity.Holder)
//	store.epoch_reset      1  firmware/store               a new database where another epoch of this device ran
//	store.salvage          1  firmware/store               a damaged database salvaged into a new epoch
//	config.applied         1  firmware/remoteconfig        a signed configuration bundle written (trying) or kept
//	config.rejected        1  firmware/remoteconfig        a configuration bundle refused, and why
//	config.rolled_back     1  firmware/remoteconfig        a bundle's configuration that failed to start, undone
//	config.drift           1  firmware/remoteconfig        a running configuration edited on the device
//	diag.txgen             1  kioskd diag txgen            a synthetic record (benchmarks, soak; never in production)
//
// Kinds is the registry behind this table (kind → version → zero payload,
// personal fields); a test fails when a kind has no golden payload, when a
// payload type is not registered, or when code outside this package and
// firmware/store builds a store.Record itself.
//
// Versions: Marshal writes the kind's version as the payload's first
// member "v" (member order carries no meaning: the uploader re-orders the
// members when it adds "personal"). Version 1 of every kind is the shape uploaded before
// versions existed (a stored payload without "v" is version 1). A change of
// shape — a member renamed, removed, or its type or meaning changed —
// bumps the kind's version; a member added and left out when empty does
// not. A member that is left out (omitempty) reads as its zero value.
//
// Personal data never goes into a payload: it goes into Personal, which the
// store seals at rest (AES-256-GCM) and the uploader sends as the payload
// member "personal". Append refuses a personal field the kind does not
// list. The rider's and driver's keyed citizen token (identity.Token) is a
// pseudonym by design and travels in payloads; the ID number never does.
//
// It also adapts the store to the persistence interfaces of the packages
// below the flows: the queue engine's Journal (QueueJournal), the payment
// sessions' Recorder (SessionRecorder, the only writer of payment.session)
// and the holder binding's BindingStore and HolderAuditor (HolderStore).
//
// It imports firmware/store, queue, payments/session and identity (for the
// adapters); the flows (firmware/hospital, parking, transit) import it for
// the payload types. It must not import a flow, firmware/kiosk, drivers or
// the UI.
package records
