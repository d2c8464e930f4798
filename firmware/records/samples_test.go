package records_test

import (
	"time"

	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/store"
)

// citizen is the sample person behind the samples: what a record of theirs
// may hold only in its sealed fields.
var citizen = struct {
	Name, ID, DOB, Address, BHYTCard, AgentID, Plate, Binding, Phone, AgentName, Candidate string
}{
	Name: "Nguyễn Thị Lan", ID: "001185012345", DOB: "12/03/1985", Address: "Số 12 Tràng Tiền, Hoàn Kiếm, Hà Nội",
	BHYTCard: "DN4010123456789", AgentID: "079090001234", Plate: "29A-123.45",
	Binding: "5b1d0c3e9a7f2c4d8e6b1a3f5c7d9e0b2a4c6e8f0a1b3c5d7e9f1a2b4c6d8e0f",
	Phone:   "0912345678", AgentName: "Trần Văn Bình", Candidate: "HUE-0137",
}

// sample is one representative record of a kind: its golden file is
// testdata/<kind>.v<version>.<variant>.json.
type sample struct {
	variant  string
	payload  records.Payload
	personal records.Personal
}

// patientFields are the sealed fields of a hospital record about the sample
// citizen registered by an agent.
func patientFields() records.Personal {
	return records.Personal{records.PersonalName: citizen.Name, records.PersonalIDNumber: citizen.ID,
		records.PersonalDateOfBirth: citizen.DOB, records.PersonalAddress: citizen.Address, records.PersonalAgentIDNumber: citizen.AgentID}
}

// The times of the samples: the hospital stamps UTC with nanoseconds; the
// other writers keep the zone of their clock (Vietnam, UTC+7).
var (
	ict    = time.FixedZone("ICT", 7*3600)
	at     = time.Date(2026, 11, 22, 1, 30, 5, 123456789, time.UTC)
	atICT  = time.Date(2026, 11, 22, 8, 30, 5, 0, ict)
	stamp  = records.Stamp{DeviceID: "kiosk-bvbm-01", At: at}
	tok    = "9f2c4e1a0b7d3c5e8f6a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f506"
	noTime time.Time
)

// The one-stop kiosk and check-in point samples' stamps.
var (
	hueStamp   = records.Stamp{DeviceID: "kiosk-hue-01", At: at}
	pointStamp = records.Stamp{DeviceID: "checkin-ks-01", At: at}
)

// onestopFields are the sealed fields of a dossier filed for the sample
// citizen by an agent.
func onestopFields() records.Personal {
	return records.Personal{records.PersonalName: citizen.Name, records.PersonalIDNumber: citizen.ID, records.PersonalDateOfBirth: citizen.DOB,
		records.PersonalAddress: citizen.Address, records.PersonalPhone: citizen.Phone, records.PersonalAgentIDNumber: citizen.AgentID,
		records.PersonalAgentName: citizen.AgentName}
}

// guestFields are a lodging record's sealed fields.
func guestFields() records.Personal {
	return records.Personal{records.PersonalName: citizen.Name, records.PersonalIDNumber: citizen.ID, records.PersonalDateOfBirth: citizen.DOB,
		records.PersonalSex: "Nữ", records.PersonalNationality: "Việt Nam", records.PersonalAddress: citizen.Address}
}

// samples returns every kind's representative records.
func samples() map[string][]sample {
	return map[string][]sample{
		records.KindHospitalIdentify: {
			{"genuine", &records.HospitalIdentify{Stamp: stamp, Verdict: "genuine", Method: "chip+qr", ForOther: true}, patientFields()},
			{"qr_only", &records.HospitalIdentify{Stamp: stamp, Verdict: "unverified", Method: "qr", Reason: "qr_only"}, patientFields()},
		},
		records.KindHospitalCAN: {
			{"mismatch", &records.HospitalCAN{Stamp: stamp, Outcome: "mismatch", AttemptsLeft: 2}, nil},
		},
		records.KindHospitalHolder: {
			{"matched", &records.HospitalHolder{Stamp: stamp, Outcome: "matched"}, records.Personal{records.PersonalIDNumber: citizen.ID}},
			{"mismatch", &records.HospitalHolder{Stamp: stamp, Outcome: "mismatch", AttemptsLeft: new(0)}, records.Personal{records.PersonalIDNumber: citizen.ID}},
		},
		records.KindHospitalInsurance: {
			{"valid", &records.HospitalInsurance{Stamp: stamp, Code: "000", Class: "valid", Next: "insured"},
				records.Personal{records.PersonalIDNumber: citizen.ID, records.PersonalBHYTCard: citizen.BHYTCard}},
			{"unavailable", &records.HospitalInsurance{Stamp: stamp, Class: "unavailable", Next: "fee_paying", Failure: "timeout"},
				records.Personal{records.PersonalIDNumber: citizen.ID}},
		},
		records.KindHospitalIntent: {
			{"his_visit", &records.HospitalIntent{Stamp: stamp, Action: records.ActionHISVisit, Key: "kiosk-bvbm-01-7f3a9c", Clinic: "K01", Priority: "age_75",
				IntentVisit: &records.IntentVisit{Insured: true, ForOther: false}}, patientFields()},
			{"queue_ticket", &records.HospitalIntent{Stamp: stamp, Action: records.ActionQueueTicket, Key: "kiosk-bvbm-01-7f3a9c", Clinic: "K01",
				VisitNumber: "HIS-2026-000123", Service: "A", Priority: "age_75"}, nil},
			{"payment", &records.HospitalIntent{Stamp: stamp, Action: records.ActionPayment, Key: "kiosk-bvbm-01-7f3a9c",
				VisitNumber: "HIS-2026-000123", Ticket: "A012", Amount: 50000}, nil},
		},
		records.KindHospitalRegistration: {
			{"ok", &records.HospitalRegistration{Stamp: stamp, Outcome: "ok", VisitNumber: "HIS-2026-000123", Clinic: "K01", Key: "kiosk-bvbm-01-7f3a9c",
				Registered: &records.Registered{Ticket: "A012", Priority: "age_75", Insured: true, BHYTCode: "000", Holder: "matched",
					Printed: true, Amount: 50000, Verdict: "genuine", Method: "chip+qr"}}, patientFields()},
			{"his_failed", &records.HospitalRegistration{Stamp: stamp, Outcome: "his_failed", Failure: "unavailable", Clinic: "K01",
				Key: "kiosk-bvbm-01-7f3a9c"}, patientFields()},
			{"queue_failed", &records.HospitalRegistration{Stamp: stamp, Outcome: "queue_failed", Failure: "timeout", VisitNumber: "HIS-2026-000123",
				Clinic: "K01", Key: "kiosk-bvbm-01-7f3a9c"}, nil},
		},
		records.KindHospitalPayment: {
			{"paid", &records.HospitalPayment{Stamp: stamp, State: "paid", Ref: "K06BVBM7Q2X", Amount: 50000, VisitNumber: "HIS-2026-000123",
				TxnID: new("FT26326000123")}, nil},
			{"expired", &records.HospitalPayment{Stamp: stamp, State: "expired", Ref: "K06BVBM7Q2X", Amount: 50000, VisitNumber: "HIS-2026-000123",
				TxnID: new("")}, nil},
			{"not_created", &records.HospitalPayment{Stamp: stamp, State: "not_created", Amount: 50000, VisitNumber: "HIS-2026-000123",
				Failure: "unavailable"}, nil},
			{"cancelled", &records.HospitalPayment{Stamp: stamp, State: "cancelled", Ref: "K06BVBM7Q2X", Amount: 50000, Reason: "idle"}, nil},
		},
		records.KindHospitalHelp: {
			{"call_staff", &records.HospitalHelp{Stamp: stamp, Screen: "insurance", Reason: "patient", Ref: "H007"}, nil},
			{"printer", &records.HospitalHelp{Stamp: stamp, Screen: "ticket", Reason: "printer_paper_end", Ticket: "A012"}, nil},
		},
		records.KindHospitalAbandoned: {
			{"idle", &records.HospitalAbandoned{Stamp: stamp, Screen: "clinic", Reason: "idle"}, nil},
		},
		records.KindHospitalService: {
			{"resumed", &records.HospitalService{Stamp: stamp, State: "resumed", StoppedAt: "hospital.intent/his_visit",
				Since: "2026-11-22T01:12:00Z", FailedRecords: 3}, nil},
		},

		records.KindParkingEntry: {
			{"cccd", &records.ParkingEntry{Ticket: "K7QF3M2XAB", Gate: "B1", Vehicle: "motorbike", Token: tok, Source: "cccd_chip", At: atICT},
				records.Personal{records.PersonalPlate: citizen.Plate}},
			{"plate", &records.ParkingEntry{Ticket: "M2XABK7QF3", Gate: "B1", Vehicle: "car", Source: "plate", At: atICT},
				records.Personal{records.PersonalPlate: citizen.Plate}},
		},
		records.KindParkingIntent: {
			{"charge", &records.ParkingIntent{Action: "charge", Gate: "B1", Ticket: "K7QF3M2XAB", Amount: 5000, Ref: "PKK7QF3M2XAB", Token: tok}, nil},
		},
		records.KindParkingExit: {
			{"vietqr", &records.ParkingExit{Ticket: "K7QF3M2XAB", Gate: "B1", Vehicle: "motorbike", EntryAt: atICT, ExitAt: atICT.Add(3*time.Hour + 12*time.Minute),
				Amount: 5000, Lines: []string{"parking.motorbike.day"}, Method: "vietqr", Ref: "K06PARK1A2B", TxnID: "FT26326000456", Token: tok},
				records.Personal{records.PersonalPlate: citizen.Plate}},
			{"free", &records.ParkingExit{Ticket: "M2XABK7QF3", Gate: "B1", Vehicle: "car", EntryAt: atICT, ExitAt: atICT.Add(10 * time.Minute),
				Method: "free"}, records.Personal{records.PersonalPlate: citizen.Plate}},
		},
		records.KindParkingBarrier: {
			{"open", &records.ParkingBarrier{Gate: "B1", Lane: "exit", Ticket: "K7QF3M2XAB", Action: "open"}, nil},
			{"close", &records.ParkingBarrier{Gate: "B1", Lane: "exit", Ticket: "K7QF3M2XAB", Action: "close", Cause: "cleared"}, nil},
		},
		records.KindParkingRefused: {
			{"payment_timeout", &records.ParkingRefused{Gate: "B1", Lane: "exit", Ticket: "K7QF3M2XAB", Reason: "payment_timeout", Amount: 5000}, nil},
			{"unknown", &records.ParkingRefused{Gate: "B1", Lane: "exit", Reason: "unknown"}, nil},
		},
		records.KindParkingReport: {
			{"shift", &records.ParkingReport{Gate: "B1", From: atICT.Add(-8 * time.Hour), To: atICT, Entries: 212, Exits: 198, Lost: 1,
				Refused: map[string]int{"already_exited": 1, "payment_timeout": 2}, Revenue: 1045000,
				ByMethod: map[string]int64{"account": 300000, "debt": 15000, "vietqr": 745000}, Debt: 15000, Inside: 14}, nil},
		},

		records.KindTransitTap: {
			{"accept", &records.TransitTap{Token: tok, TokenKind: "cccd_chip", Verdict: "accept", Reason: "concession", Fare: 3500,
				Line: "bus.concession.student", Route: "32", Vehicle: "29B-012.34", Day: "2026-11-22", DenyVersion: 41, PassVersion: 17}, nil},
			{"unusable", &records.TransitTap{Verdict: "deny", Reason: "unusable", Route: "32", Vehicle: "29B-012.34", Day: "2026-11-22",
				DenyVersion: 41, PassVersion: 17}, nil},
		},
		records.KindOnestopSignIn: {
			{"chip", &records.OnestopSignIn{Stamp: hueStamp, Outcome: "ok", Verdict: "genuine", Method: "chip+qr"},
				records.Personal{records.PersonalName: citizen.Name, records.PersonalIDNumber: citizen.ID, records.PersonalDateOfBirth: citizen.DOB}},
			{"app_online", &records.OnestopSignIn{Stamp: hueStamp, Outcome: "ok", Verdict: "verified", Method: "app_online", ForOther: true},
				records.Personal{records.PersonalName: citizen.Name, records.PersonalIDNumber: citizen.ID}},
			{"not_genuine", &records.OnestopSignIn{Stamp: hueStamp, Outcome: "not_genuine", Verdict: "not_genuine", Method: "chip+qr", Reason: "clone"}, nil},
		},
		records.KindOnestopIntent: {
			{"submit", &records.OnestopIntent{Stamp: hueStamp, Action: records.ActionSubmitDossier, Key: "kiosk-hue-01-5c2e91", Procedure: "SIM-CT-002", ForOther: true},
				onestopFields()},
			{"ticket", &records.OnestopIntent{Stamp: hueStamp, Action: records.ActionOnestopTicket, Key: "kiosk-hue-01-5c2e91", Procedure: "SIM-CT-002",
				Counter: "A", Dossier: "000.00.00.SIM-261122-0001"}, nil},
		},
		records.KindOnestopDossier: {
			{"ok", &records.OnestopDossier{Stamp: hueStamp, Outcome: "ok", Key: "kiosk-hue-01-5c2e91", Procedure: "SIM-CT-002",
				Dossier: "000.00.00.SIM-261122-0001", Appointment: "2026-12-01", Fee: 20000, ForOther: true, CardFields: 9, TypedFields: 5, Printed: true},
				onestopFields()},
			{"unavailable", &records.OnestopDossier{Stamp: hueStamp, Outcome: "unavailable", Failure: "timeout", Key: "kiosk-hue-01-5c2e91",
				Procedure: "SIM-CT-002", CardFields: 9, TypedFields: 5}, onestopFields()},
		},
		records.KindOnestopTicket: {
			{"ok", &records.OnestopTicket{Stamp: hueStamp, Outcome: "ok", Ticket: "A012", Counter: "A", Procedure: "SIM-CT-002",
				Dossier: "000.00.00.SIM-261122-0001", Printed: true}, nil},
		},
		records.KindOnestopLookup: {
			{"ok", &records.OnestopLookup{Stamp: hueStamp, Outcome: "ok", Found: 2, Printed: true}, nil},
		},
		records.KindOnestopSupport: {
			{"accepted", &records.OnestopSupport{Stamp: hueStamp, State: "accepted", Ref: "HT001", Screen: "form", Staff: "CB07", WaitSeconds: 42}, nil},
			{"failed", &records.OnestopSupport{Stamp: hueStamp, State: "failed", Screen: "search"}, nil},
		},
		records.KindOnestopAbandoned: {
			{"idle", &records.OnestopAbandoned{Stamp: hueStamp, Screen: "form", Reason: "idle"}, nil},
		},
		records.KindOnestopService: {
			{"resumed", &records.OnestopService{Stamp: hueStamp, State: "resumed", StoppedAt: "onestop.intent/submit_dossier",
				Since: "2026-11-22T01:12:00Z", FailedRecords: 2}, nil},
		},

		records.KindCheckinRead: {
			{"genuine", &records.CheckinRead{Stamp: pointStamp, Mode: "lodging", Verdict: "genuine", Method: "chip+qr"}, nil},
			{"clone", &records.CheckinRead{Stamp: pointStamp, Mode: "attendance", Verdict: "not_genuine", Method: "chip+can", Reason: "clone"}, nil},
		},
		records.KindCheckinHolder: {
			{"mismatch", &records.CheckinHolder{Stamp: pointStamp, Mode: "attendance", Outcome: "mismatch"},
				records.Personal{records.PersonalIDNumber: citizen.ID}},
		},
		records.KindCheckinLodging: {
			{"check_in", &records.CheckinLodging{Stamp: pointStamp, Action: "check_in", Stay: "LT-261122-007", Room: "204",
				From: "2026-11-22 14:05", To: "2026-11-24 12:00", Reason: "Du lịch", Verdict: "genuine"}, guestFields()},
			{"check_out", &records.CheckinLodging{Stamp: pointStamp, Action: "check_out", Stay: "LT-261122-007", Room: "204",
				From: "2026-11-22 14:05", To: "2026-11-24 10:40"}, guestFields()},
		},
		records.KindCheckinVerify: {
			{"verified", &records.CheckinVerify{Stamp: pointStamp, Purpose: "Cầm đồ", Outcome: "verified", Holder: "matched"},
				records.Personal{records.PersonalName: citizen.Name, records.PersonalIDNumber: citizen.ID, records.PersonalDateOfBirth: citizen.DOB}},
		},
		records.KindCheckinAttendance: {
			{"accepted", &records.CheckinAttendance{Stamp: pointStamp, Session: "SH-2026-11-22-S1", Outcome: "accepted", Room: "P03"},
				records.Personal{records.PersonalName: citizen.Name, records.PersonalIDNumber: citizen.ID, records.PersonalCandidate: citizen.Candidate}},
			{"impostor", &records.CheckinAttendance{Stamp: pointStamp, Session: "SH-2026-11-22-S1", Outcome: "refused", Reason: "wrong_person"},
				records.Personal{records.PersonalIDNumber: citizen.ID, records.PersonalCandidate: citizen.Candidate}},
		},
		records.KindCheckinGate: {
			{"entry", &records.CheckinGate{Stamp: pointStamp, Site: "ngo-mon", Direction: "entry", Outcome: "ok", Occupancy: 143},
				records.Personal{records.PersonalName: citizen.Name, records.PersonalIDNumber: citizen.ID}},
			{"full", &records.CheckinGate{Stamp: pointStamp, Site: "ngo-mon", Direction: "entry", Outcome: "refused", Reason: "full", Occupancy: 500}, nil},
		},
		records.KindCheckinReport: {
			{"week", &records.CheckinReport{Stamp: pointStamp, Period: "week", From: "2026-11-16", To: "2026-11-22", Format: "xlsx", Complete: true,
				Totals: map[string]int{"reads": 412, "genuine": 405, "check_ins": 96, "check_outs": 90}}, nil},
		},

		records.KindCheckinService: {
			{"resumed", &records.CheckinService{Stamp: pointStamp, State: "resumed", Since: "2026-11-22T01:12:00Z", FailedRecords: 1}, nil},
		},

		records.KindPaymentSession: {
			{"created", &records.PaymentSession{Ref: "K06BVBM7Q2X", Seq: 1, To: "created", At: atICT, Amount: 50000,
				Payload: "00020101021238570010A000000727012700069704220113VQRQ0001234560208QRIBFTTA53037045405500005802VN62150811K06BVBM7Q2X6304A1B2",
				Purpose: "Vien phi HIS-2026-000123", Deadline: atICT.Add(5 * time.Minute)}, nil},
			{"paid", &records.PaymentSession{Ref: "K06BVBM7Q2X", Seq: 3, From: "qr_shown", To: "paid", At: atICT.Add(95 * time.Second),
				Amount: 50000, TxnID: "FT26326000123", Deadline: noTime}, nil},
		},
		records.KindQueueEvent: {
			{"issued", &records.QueueEvent{Day: "2026-11-22", Seq: 12, At: atICT, Kind: "issued", Ticket: "A012", Service: "A", Number: 12, Priority: "age_75"}, nil},
			{"called", &records.QueueEvent{Day: "2026-11-22", Seq: 13, At: atICT.Add(7 * time.Minute), Kind: "called", Ticket: "A012", Service: "A", Priority: "normal", Counter: "3"}, nil},
		},
		records.KindIdentityHolder: {
			{"verify", &records.IdentityHolder{Time: "2026-11-22T01:30:05.123Z", Action: "verify", Slot: 17, Outcome: "ok", Score: 142},
				records.Personal{records.PersonalFingerprint: citizen.Binding}},
		},
		records.KindStoreEpochReset: {
			{"replaced", &records.StoreEpochReset{PreviousEpoch: "4f1c9a0b7d2e4c61a3b5d8e0f2a4c6e8", PreviousLastSeq: 18342,
				PreviousAckedThrough: 18290, MarkerUpdated: time.Date(2026, 11, 22, 8, 30, 0, 0, time.UTC), Database: "replaced"}, nil},
		},
		records.KindStoreSalvage: {
			{"damaged", &records.StoreSalvage{PreviousEpoch: "4f1c9a0b7d2e4c61a3b5d8e0f2a4c6e8", Rehomed: 412, SealedUnreadable: 0,
				UnreadableSeqs: []store.SeqRange{{From: 9001, To: 9031}}, MissingSeqs: []store.SeqRange{}, Reason: "database disk image is malformed"}, nil},
		},
		records.KindDiagTxgen: {
			{"synthetic", &records.DiagTxgen{N: 41, AmountVND: 42000, At: "2026-11-22T08:30:05+07:00"},
				records.Personal{records.PersonalIDNumber: "001099000041"}},
		},
	}
}
