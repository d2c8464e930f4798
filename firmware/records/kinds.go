package records

import (
	"slices"

	"github.com/kiosk06/kiosk/firmware/store"
)

// Personal field names: the sealed fields a record may carry (Kind.Personal
// lists which, per kind). The first five are the store's conventional names.
const (
	PersonalName          = store.FieldName        // full name
	PersonalIDNumber      = store.FieldIDNumber    // 12-digit personal ID number
	PersonalDateOfBirth   = store.FieldDateOfBirth // as printed on the card
	PersonalAddress       = store.FieldAddress     // place of residence
	PersonalFingerprint   = store.FieldFingerprint // holder binding's ID-number hash
	PersonalBHYTCard      = "bhyt_card"            // health-insurance card number
	PersonalAgentIDNumber = "agent_id_number"      // who registered on the patient's behalf
	PersonalPlate         = "plate"                // licence plate
	PersonalPhone         = store.FieldPhone       // a phone number typed on a form
	PersonalSex           = "sex"                  // "Nam" / "Nữ" as printed
	PersonalNationality   = "nationality"          // quốc tịch as printed
	PersonalAgentName     = "agent_name"           // who acted on the person's behalf (làm hộ)
	PersonalCandidate     = "candidate_number"     // an exam candidate's number (số báo danh)
	// PersonalPassengers is a departure's passenger list (the ASM
	// manifest's rows: names, ID numbers, dates of birth) as one sealed
	// text.
	PersonalPassengers = "passengers"
)

// traveller is what a named ticket (coach, train) seals about its passenger.
var traveller = []string{PersonalName, PersonalIDNumber, PersonalDateOfBirth}

// patient is what the hospital flow seals about the patient (and an agent).
var patient = []string{PersonalName, PersonalIDNumber, PersonalDateOfBirth, PersonalAddress, PersonalAgentIDNumber}

// citizenFields is what a one-stop record seals about the citizen (and an
// agent acting for them).
var citizenFields = []string{PersonalName, PersonalIDNumber, PersonalDateOfBirth, PersonalAddress, PersonalPhone,
	PersonalAgentIDNumber, PersonalAgentName}

// guestFields is what a lodging record seals: the stay notification's
// person (Luật Cư trú 2020 Điều 30 khoản 3; docs in firmware/checkin).
var guestFields = []string{PersonalName, PersonalIDNumber, PersonalDateOfBirth, PersonalSex, PersonalNationality, PersonalAddress}

// Kind is one registered record kind.
type Kind struct {
	Name     string         // the record kind: "hospital.registration"
	Version  int            // the payload version Marshal writes ("v")
	Writer   string         // the package whose code writes it
	Doc      string         // what one record means
	Personal []string       // the sealed fields a record may carry
	New      func() Payload // a zero payload (a pointer) to decode into
}

// mayCarry reports whether name is one of k's sealed fields.
func (k Kind) mayCarry(name string) bool { return slices.Contains(k.Personal, name) }

// Kinds returns the registry: every record kind any code appends, in the
// order docs/RECORDS.md lists them. It is a copy: the registry itself is a
// constant table.
//
// A kind's version changes whenever its payload's shape does (a member
// renamed, removed, or its type or meaning changed); adding a member that
// is left out when empty does not change it. The golden payloads under
// testdata/ fail the tests until the version is bumped and they are
// regenerated.
func Kinds() []Kind {
	out := make([]Kind, len(registry))
	for i, k := range registry {
		out[i] = k.clone()
	}
	return out
}

// clone is k with its own Personal slice.
func (k Kind) clone() Kind {
	k.Personal = slices.Clone(k.Personal)
	return k
}

// Lookup returns the registry entry of kind (a copy).
func Lookup(kind string) (Kind, bool) {
	if k := lookup(kind); k != nil {
		return k.clone(), true
	}
	return Kind{}, false
}

// lookup is the registry entry of kind, nil if none; callers must not
// change it.
func lookup(kind string) *Kind {
	for i := range registry {
		if registry[i].Name == kind {
			return &registry[i]
		}
	}
	return nil
}

// registry is the table behind Kinds: read-only after initialisation.
var registry = [...]Kind{
	{Name: KindHospitalIdentify, Version: 1, Writer: "firmware/hospital", Personal: patient,
		Doc: "A card or QR was read: the verdict on the card and how it was read.", New: func() Payload { return new(HospitalIdentify) }},
	{Name: KindHospitalChild, Version: 1, Writer: "firmware/hospital", Personal: []string{PersonalName, PersonalIDNumber, PersonalDateOfBirth, PersonalAgentIDNumber, PersonalAgentName},
		Doc: "A child without a card registered by a parent: the child's typed ID number and birth date, the parent's card read.", New: func() Payload { return new(HospitalChild) }},
	{Name: KindHospitalCAN, Version: 1, Writer: "firmware/hospital",
		Doc: "The card refused a typed CAN: attempts left (never the digits).", New: func() Payload { return new(HospitalCAN) }},
	{Name: KindHospitalHolder, Version: 1, Writer: "firmware/hospital", Personal: []string{PersonalIDNumber},
		Doc: "The outcome of the fingerprint holder check.", New: func() Payload { return new(HospitalHolder) }},
	{Name: KindHospitalInsurance, Version: 1, Writer: "firmware/hospital", Personal: []string{PersonalIDNumber, PersonalBHYTCard},
		Doc: "The outcome of the health-insurance (BHYT) card check.", New: func() Payload { return new(HospitalInsurance) }},
	{Name: KindHospitalIntent, Version: 1, Writer: "firmware/hospital", Personal: patient,
		Doc: "The flow is about to act outside the kiosk (HIS visit, queue number and ticket, payment session); the action starts only once this is durable.",
		New: func() Payload { return new(HospitalIntent) }},
	{Name: KindHospitalRegistration, Version: 1, Writer: "firmware/hospital", Personal: patient,
		Doc: "The visit's registration: registered with a queue ticket, or where it failed.", New: func() Payload { return new(HospitalRegistration) }},
	{Name: KindHospitalPayment, Version: 1, Writer: "firmware/hospital",
		Doc: "The kiosk's view of the visit's pre-payment: not created, paid, expired, failed or cancelled.", New: func() Payload { return new(HospitalPayment) }},
	{Name: KindHospitalHelp, Version: 1, Writer: "firmware/hospital",
		Doc: "A request for staff: the patient pressed call-staff, or the ticket did not print.", New: func() Payload { return new(HospitalHelp) }},
	{Name: KindHospitalHelpAck, Version: 1, Writer: "firmware/hospital",
		Doc: "What came of a request for staff: taken by a counter (acknowledged), or it reached nobody (unreached) and the patient was sent to the desk.", New: func() Payload { return new(HospitalHelpAck) }},
	{Name: KindHospitalAbandoned, Version: 1, Writer: "firmware/hospital",
		Doc: "A patient left before the end (idle timeout or cancel).", New: func() Payload { return new(HospitalAbandoned) }},
	{Name: KindHospitalService, Version: 1, Writer: "firmware/hospital",
		Doc: "The kiosk takes patients again after records could not be stored.", New: func() Payload { return new(HospitalService) }},
	{Name: KindHospitalAdmin, Version: 1, Writer: "firmware/hospital",
		Doc: "The admin menu's audit: a staff PIN entered (right, wrong, lockout), an action taken or a logout; never a PIN or patient data.", New: func() Payload { return new(HospitalAdmin) }},

	{Name: KindAdminAudit, Version: 1, Writer: "firmware/staffmenu",
		Doc: "The staff menu's audit on a ticketing, one-stop, check-in or parking device: a staff PIN entered (right, wrong, lockout), an action taken or a logout; never a PIN or personal data.", New: func() Payload { return new(AdminAudit) }},

	{Name: KindParkingEntry, Version: 1, Writer: "firmware/parking", Personal: []string{PersonalPlate},
		Doc: "A vehicle came in: the ticket issued.", New: func() Payload { return new(ParkingEntry) }},
	{Name: KindParkingIntent, Version: 1, Writer: "firmware/parking",
		Doc: "The lane is about to charge a CCCD-linked account; the charge is made only once this is durable.", New: func() Payload { return new(ParkingIntent) }},
	{Name: KindParkingExit, Version: 1, Writer: "firmware/parking", Personal: []string{PersonalPlate},
		Doc: "A vehicle paid (or was let) out.", New: func() Payload { return new(ParkingExit) }},
	{Name: KindParkingBarrier, Version: 1, Writer: "firmware/parking",
		Doc: "The barrier opened or closed.", New: func() Payload { return new(ParkingBarrier) }},
	{Name: KindParkingRefused, Version: 1, Writer: "firmware/parking",
		Doc: "An entry or exit that did not happen, and why.", New: func() Payload { return new(ParkingRefused) }},
	{Name: KindParkingReport, Version: 1, Writer: "firmware/parking",
		Doc: "A shift report was printed: its counts and money.", New: func() Payload { return new(ParkingReport) }},

	{Name: KindTicketingIdentify, Version: 1, Writer: "firmware/ticketing",
		Doc: "A card or QR was read at the ticketing kiosk: whose (buyer, passenger, holder), the verdict and how it was read.", New: func() Payload { return new(TicketingIdentify) }},
	{Name: KindTicketingCAN, Version: 1, Writer: "firmware/ticketing",
		Doc: "The card refused a typed CAN: attempts left (never the digits).", New: func() Payload { return new(TicketingCAN) }},
	{Name: KindTicketingIntent, Version: 1, Writer: "firmware/ticketing",
		Doc: "The flow is about to act outside the kiosk (hold seats, payment session, sale and printing, refund); the action starts only once this is durable.",
		New: func() Payload { return new(TicketingIntent) }},
	{Name: KindTicketingHold, Version: 1, Writer: "firmware/ticketing",
		Doc: "A seat hold with the ticket-selling backend: held, taken, failed, released or expired.", New: func() Payload { return new(TicketingHold) }},
	{Name: KindTicketingPayment, Version: 1, Writer: "firmware/ticketing",
		Doc: "The kiosk's view of a purchase's VietQR payment: not created, paid, expired, failed or cancelled.", New: func() Payload { return new(TicketingPayment) }},
	{Name: KindTicketingSale, Version: 1, Writer: "firmware/ticketing",
		Doc: "A purchase's sale: sold by the backend, issued offline by the kiosk, refused or failed.", New: func() Payload { return new(TicketingSale) }},
	{Name: KindTicketingTicket, Version: 1, Writer: "firmware/ticketing", Personal: traveller,
		Doc: "One ticket or pass sold, bound to its passenger's citizen token; durable before it prints.", New: func() Payload { return new(TicketingTicket) }},
	{Name: KindTicketingRefund, Version: 1, Writer: "firmware/ticketing",
		Doc: "A ticket cancelled and refunded per the operator's rules, a refusal, or a payment owed back when no ticket could be issued.",
		New: func() Payload { return new(TicketingRefund) }},
	{Name: KindTicketingManifest, Version: 1, Writer: "firmware/ticketing/manifest", Personal: []string{PersonalPassengers},
		Doc: "A departure's passenger list in the ASM stay-notification shape, sealed.", New: func() Payload { return new(TicketingManifest) }},
	{Name: KindTicketingHelp, Version: 1, Writer: "firmware/ticketing",
		Doc: "A request for staff: the person pressed call-staff, a ticket did not print, or a paid sale failed.", New: func() Payload { return new(TicketingHelp) }},
	{Name: KindTicketingAbandoned, Version: 1, Writer: "firmware/ticketing",
		Doc: "A person left before the end (idle timeout or cancel); held seats were released.", New: func() Payload { return new(TicketingAbandoned) }},
	{Name: KindTicketingService, Version: 1, Writer: "firmware/ticketing",
		Doc: "The kiosk sells again after records could not be stored.", New: func() Payload { return new(TicketingService) }},

	{Name: KindTransitTap, Version: 1, Writer: "firmware/transit",
		Doc: "The validator's decision on one tap or QR scan.", New: func() Payload { return new(TransitTap) }},

	{Name: KindOnestopSignIn, Version: 1, Writer: "firmware/onestop", Personal: []string{PersonalName, PersonalIDNumber, PersonalDateOfBirth},
		Doc: "A citizen signed in (CCCD chip, its QR, or the provincial app's QR), or was refused, and how.", New: func() Payload { return new(OnestopSignIn) }},
	{Name: KindOnestopIntent, Version: 1, Writer: "firmware/onestop", Personal: citizenFields,
		Doc: "The kiosk is about to file a dossier or take a queue number; the action starts only once this is durable.", New: func() Payload { return new(OnestopIntent) }},
	{Name: KindOnestopDossier, Version: 1, Writer: "firmware/onestop", Personal: citizenFields,
		Doc: "A dossier filed with the one-stop system (its code, appointment, fees), or why it was not.", New: func() Payload { return new(OnestopDossier) }},
	{Name: KindOnestopTicket, Version: 1, Writer: "firmware/onestop",
		Doc: "A queue number taken for the counter of a procedure, or the queue's failure.", New: func() Payload { return new(OnestopTicket) }},
	{Name: KindOnestopLookup, Version: 1, Writer: "firmware/onestop",
		Doc: "A citizen looked up their dossiers.", New: func() Payload { return new(OnestopLookup) }},
	{Name: KindOnestopSupport, Version: 1, Writer: "firmware/onestop",
		Doc: "A call for the help desk: requested, accepted by a staff member, cancelled or failed.", New: func() Payload { return new(OnestopSupport) }},
	{Name: KindOnestopAbandoned, Version: 1, Writer: "firmware/onestop",
		Doc: "A citizen left before the end (idle timeout or cancel).", New: func() Payload { return new(OnestopAbandoned) }},
	{Name: KindOnestopService, Version: 1, Writer: "firmware/onestop",
		Doc: "The kiosk serves again after records could not be stored.", New: func() Payload { return new(OnestopService) }},

	{Name: KindCheckinRead, Version: 1, Writer: "firmware/checkin",
		Doc: "A card or QR read at a check-in point: the verdict (the reads and genuine rate of the reports).", New: func() Payload { return new(CheckinRead) }},
	{Name: KindCheckinHolder, Version: 1, Writer: "firmware/checkin", Personal: []string{PersonalIDNumber},
		Doc: "The fingerprint holder check's outcome at a check-in point.", New: func() Payload { return new(CheckinHolder) }},
	{Name: KindCheckinLodging, Version: 1, Writer: "firmware/checkin", Personal: guestFields,
		Doc: "A guest checked in or out of a lodging (the stay notification's data sealed apart).", New: func() Payload { return new(CheckinLodging) }},
	{Name: KindCheckinVerify, Version: 1, Writer: "firmware/checkin", Personal: []string{PersonalName, PersonalIDNumber, PersonalDateOfBirth},
		Doc: "A customer's identity verified (or not) at a pawnshop, notary or security service.", New: func() Payload { return new(CheckinVerify) }},
	{Name: KindCheckinAttendance, Version: 1, Writer: "firmware/checkin", Personal: []string{PersonalName, PersonalIDNumber, PersonalCandidate},
		Doc: "An exam candidate or student accepted against the session's list, or refused and why.", New: func() Payload { return new(CheckinAttendance) }},
	{Name: KindCheckinGate, Version: 1, Writer: "firmware/checkin", Personal: []string{PersonalName, PersonalIDNumber},
		Doc: "An entry or exit at a site, with the occupancy after it.", New: func() Payload { return new(CheckinGate) }},
	{Name: KindCheckinReport, Version: 1, Writer: "firmware/checkin",
		Doc: "A statistics report printed or exported: its period and totals (no personal data).", New: func() Payload { return new(CheckinReport) }},
	{Name: KindCheckinService, Version: 1, Writer: "firmware/checkin",
		Doc: "The check-in point reads again after records could not be stored.", New: func() Payload { return new(CheckinService) }},

	{Name: KindPaymentSession, Version: 1, Writer: "firmware/records (SessionRecorder, for payments/session)",
		Doc: "One transition of a VietQR payment session (hospital pre-payment, parking exit).", New: func() Payload { return new(PaymentSession) }},
	{Name: KindQueueEvent, Version: 1, Writer: "firmware/records (QueueJournal, for queue)",
		Doc: "One queue operation: a number issued, called, recalled, transferred, completed …", New: func() Payload { return new(QueueEvent) }},
	{Name: KindIdentityHolder, Version: 1, Writer: "firmware/records (HolderStore, for identity.Holder)", Personal: []string{PersonalFingerprint},
		Doc: "An audit of a fingerprint holder binding: enrol, verify, search or delete.", New: func() Payload { return new(IdentityHolder) }},

	{Name: KindStoreEpochReset, Version: 1, Writer: "firmware/store",
		Doc: "The database started a new epoch where another one of this device existed: unsent records of that epoch are lost.", New: func() Payload { return new(StoreEpochReset) }},
	{Name: KindStoreSalvage, Version: 1, Writer: "firmware/store (kioskd diag store salvage)",
		Doc: "A damaged database was copied into a new epoch: what was kept and what was lost.", New: func() Payload { return new(StoreSalvage) }},

	{Name: KindConfigApplied, Version: 1, Writer: "firmware/remoteconfig",
		Doc: "A signed configuration bundle was written in place of the running configuration (trying), or ran healthily and is kept.", New: func() Payload { return new(ConfigApplied) }},
	{Name: KindConfigRejected, Version: 1, Writer: "firmware/remoteconfig",
		Doc: "A configuration bundle was refused (signature, target, freshness, version floor, the configuration checker) and nothing was changed.", New: func() Payload { return new(ConfigRejected) }},
	{Name: KindConfigRolledBack, Version: 1, Writer: "firmware/remoteconfig",
		Doc: "A bundle's configuration did not start healthily: the previous configuration was put back.", New: func() Payload { return new(ConfigRolledBack) }},
	{Name: KindConfigDrift, Version: 1, Writer: "firmware/remoteconfig",
		Doc: "kioskd started with a configuration that is not the last bundle applied (edited on the device).", New: func() Payload { return new(ConfigDrift) }},
	{Name: KindUpdateApplied, Version: 1, Writer: "firmware/update",
		Doc: "A signed update was installed and passed the health gate (active and selftest in time).", New: func() Payload { return new(UpdateApplied) }},
	{Name: KindUpdateRejected, Version: 1, Writer: "firmware/update",
		Doc: "An update trigger was refused (signature, target, stage, freshness, version floor, a version rolled back before) or its package could not be fetched; nothing was installed.", New: func() Payload { return new(UpdateRejected) }},
	{Name: KindUpdateRolledBack, Version: 1, Writer: "firmware/update",
		Doc: "An installed version failed its health gate (or its install failed): the previous version was installed again from the kept .deb.", New: func() Payload { return new(UpdateRolledBack) }},
	{Name: KindDiagTxgen, Version: 1, Writer: "firmware/cmd/kioskd (diag txgen)", Personal: []string{PersonalIDNumber},
		Doc: "A synthetic record for store and upload benchmarks and soak tests; never on a production store.", New: func() Payload { return new(DiagTxgen) }},
}
