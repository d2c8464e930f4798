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
	tstamp = records.Stamp{DeviceID: "kiosk-bxmd-01", At: at}
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
		records.KindHospitalChild: {
			{"typed", &records.HospitalChild{Stamp: stamp, AgentVerdict: "genuine", AgentMethod: "chip+qr", Age: 4},
				records.Personal{records.PersonalName: "Phạm Bé Út", records.PersonalIDNumber: "079224001111", records.PersonalDateOfBirth: "2024-02-29",
					records.PersonalAgentIDNumber: citizen.ID, records.PersonalAgentName: citizen.Name}},
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
		records.KindHospitalHelpAck: {
			{"acknowledged", &records.HospitalHelpAck{Stamp: stamp, Ref: "H007", Call: "C0012", Outcome: records.HelpAcknowledged, By: "quay-tiep-don-1", Delivered: 2, Beacon: true, WaitedMS: 41000}, nil},
			{"unreached", &records.HospitalHelpAck{Stamp: stamp, Ticket: "A012", Outcome: records.HelpUnreached}, nil},
		},
		records.KindHospitalAbandoned: {
			{"idle", &records.HospitalAbandoned{Stamp: stamp, Screen: "clinic", Reason: "idle"}, nil},
		},
		records.KindHospitalService: {
			{"resumed", &records.HospitalService{Stamp: stamp, State: "resumed", StoppedAt: "hospital.intent/his_visit",
				Since: "2026-11-22T01:12:00Z", FailedRecords: 3}, nil},
		},
		records.KindAdminAudit: {
			{"wrong_pin", &records.AdminAudit{Stamp: stamp, Profile: "ticketing", Action: records.AdminLogin, Outcome: "wrong_pin", Detail: "left 4"}, nil},
			{"service_close", &records.AdminAudit{Stamp: stamp, Profile: "onestop", Staff: "motcua2", Action: records.AdminServiceClose, Outcome: "ok", Detail: "A"}, nil},
		},
		records.KindHospitalAdmin: {
			{"lockout", &records.HospitalAdmin{Stamp: stamp, Action: records.AdminLogin, Outcome: "lockout", Detail: "until 2026-11-22T01:35:05Z"}, nil},
			{"service_close", &records.HospitalAdmin{Stamp: stamp, Staff: "kythuat1", Action: records.AdminServiceClose, Outcome: "ok", Detail: "B"}, nil},
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
				Amount: 5000, Lines: []string{"parking.motorbike.day"}, Method: "vietqr", Ref: "K06PARK1A2B", TxnID: "FT26326000456", Token: tok,
				Stay: 11520, Measured: "boot_clock"},
				records.Personal{records.PersonalPlate: citizen.Plate}},
			{"free", &records.ParkingExit{Ticket: "M2XABK7QF3", Gate: "B1", Vehicle: "car", EntryAt: atICT, ExitAt: atICT.Add(10 * time.Minute),
				Method: "free", Stay: 600, Measured: "boot_clock"}, records.Personal{records.PersonalPlate: citizen.Plate}},
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

		records.KindTicketingIdentify: {
			{"buyer", &records.TicketingIdentify{Stamp: tstamp, Role: "buyer", Verdict: "genuine", Method: "chip+qr", Token: tok}, nil},
			{"not_genuine", &records.TicketingIdentify{Stamp: tstamp, Role: "passenger", Verdict: "not_genuine", Method: "chip+can", Reason: "clone"}, nil},
		},
		records.KindTicketingCAN: {
			{"mismatch", &records.TicketingCAN{Stamp: tstamp, Outcome: "mismatch", AttemptsLeft: 2, Role: "buyer"}, nil},
		},
		records.KindTicketingIntent: {
			{"hold", &records.TicketingIntent{Stamp: tstamp, Action: records.ActionHold, Key: "kiosk-bxmd-01-4e1a77c09b2d3f10", Purchase: "kiosk-bxmd-01-9c3e1a0b7d2f4c61",
				Departure: "HL-HN-VINH-20261122-30", From: "HN-GB", To: "VINH", Seats: []string{"A07", "A08"}, Travellers: 2}, nil},
			{"payment", &records.TicketingIntent{Stamp: tstamp, Action: records.ActionPayment, Key: "kiosk-bxmd-01-9c3e1a0b7d2f4c61", Purchase: "kiosk-bxmd-01-9c3e1a0b7d2f4c61",
				Hold: "H-000412", Amount: 563000}, nil},
			{"sale", &records.TicketingIntent{Stamp: tstamp, Action: records.ActionSale, Key: "kiosk-bxmd-01-0d6f5e4c3b2a1908", Purchase: "kiosk-bxmd-01-9c3e1a0b7d2f4c61",
				Departure: "HL-HN-VINH-20261122-30", Hold: "H-000412", Products: []string{"BUS-M-ALL"}, Travellers: 3, Amount: 763000, Reference: "K06VE7Q2XMA"}, nil},
			{"refund", &records.TicketingIntent{Stamp: tstamp, Action: records.ActionRefund, Key: "kiosk-bxmd-01-77aa00cc11ee2299", Ticket: "T-000913"}, nil},
		},
		records.KindTicketingHold: {
			{"held", &records.TicketingHold{Stamp: tstamp, Outcome: "held", Key: "kiosk-bxmd-01-4e1a77c09b2d3f10", Purchase: "kiosk-bxmd-01-9c3e1a0b7d2f4c61",
				Hold: "H-000412", Departure: "HL-HN-VINH-20261122-30", Seats: []string{"A07", "A08"}, Expires: at.Add(12 * time.Minute), BaseTotal: 600000}, nil},
			{"taken", &records.TicketingHold{Stamp: tstamp, Outcome: "taken", Key: "kiosk-bxmd-01-4e1a77c09b2d3f10", Purchase: "kiosk-bxmd-01-9c3e1a0b7d2f4c61",
				Departure: "HL-HN-VINH-20261122-30", Seats: []string{"A07", "A08"}, Taken: []string{"A08"}}, nil},
			{"released", &records.TicketingHold{Stamp: tstamp, Outcome: "released", Key: "kiosk-bxmd-01-5b5b5b5b5b5b5b5b", Purchase: "kiosk-bxmd-01-9c3e1a0b7d2f4c61",
				Hold: "H-000412", Departure: "HL-HN-VINH-20261122-30", Seats: []string{"A07", "A08"}, Reason: "idle"}, nil},
		},
		records.KindTicketingPayment: {
			{"paid", &records.TicketingPayment{Stamp: tstamp, State: "paid", Purchase: "kiosk-bxmd-01-9c3e1a0b7d2f4c61", Ref: "K06VE7Q2XMA", Amount: 763000, TxnID: "FT26326000777"}, nil},
			{"cancelled", &records.TicketingPayment{Stamp: tstamp, State: "cancelled", Purchase: "kiosk-bxmd-01-9c3e1a0b7d2f4c61", Ref: "K06VE7Q2XMA", Amount: 763000, Reason: "cancel"}, nil},
		},
		records.KindTicketingSale: {
			{"sold", &records.TicketingSale{Stamp: tstamp, Outcome: "sold", Key: "kiosk-bxmd-01-0d6f5e4c3b2a1908", Purchase: "kiosk-bxmd-01-9c3e1a0b7d2f4c61",
				Sale: "S-000201", Hold: "H-000412", Buyer: tok, Amount: 763000, Method: "vietqr", PaymentRef: "K06VE7Q2XMA", TxnID: "FT26326000777", Tickets: 3}, nil},
			{"offline", &records.TicketingSale{Stamp: tstamp, Outcome: "offline", Key: "kiosk-bxmd-01-1a2b3c4d5e6f7081", Purchase: "kiosk-bxmd-01-6e6e6e6e6e6e6e6e",
				Sale: "kiosk-bxmd-01-1a2b3c4d5e6f7081", Buyer: tok, Amount: 200000, Method: "vietqr", PaymentRef: "K06VE3MT8QZ", TxnID: "FT26326000778", Tickets: 1}, nil},
			{"refused", &records.TicketingSale{Stamp: tstamp, Outcome: "refused", Key: "kiosk-bxmd-01-0d6f5e4c3b2a1908", Purchase: "kiosk-bxmd-01-9c3e1a0b7d2f4c61",
				Hold: "H-000412", Buyer: tok, Amount: 763000, Method: "vietqr", PaymentRef: "K06VE7Q2XMA", TxnID: "FT26326000777", Failure: "hold_expired"}, nil},
		},
		records.KindTicketingTicket: {
			{"seat", &records.TicketingTicket{Stamp: tstamp, Ticket: "T-000913", Sale: "S-000201", Key: "kiosk-bxmd-01-0d6f5e4c3b2a1908", Code: "VE1.eyJ0IjoiVC0wMDA5MTMifQ.c2lnbmF0dXJl",
				Operator: "hoanglong", Mode: "coach", Kind: "seat", Departure: "HL-HN-VINH-20261122-30", From: "HN-GB", To: "VINH", Seat: "A07", Class: "giuong_duoi",
				ValidFrom: atICT.Add(4 * time.Hour), ValidTo: atICT.Add(9*time.Hour + 20*time.Minute), Token: tok, Traveller: "card", Category: "elderly", Base: 300000, Price: 255000},
				records.Personal{records.PersonalName: citizen.Name, records.PersonalIDNumber: citizen.ID, records.PersonalDateOfBirth: citizen.DOB}},
			{"monthly_pass", &records.TicketingTicket{Stamp: tstamp, Ticket: "kiosk-bxmd-01-1a2b3c4d5e6f7081-1", Sale: "kiosk-bxmd-01-1a2b3c4d5e6f7081",
				Key: "kiosk-bxmd-01-1a2b3c4d5e6f7081", Code: "VEK1.kiosk-bxmd-01.kiosk-bxmd-01-1a2b3c4d5e6f7081-1", Offline: true, Operator: "buyt", Mode: "bus", Kind: "monthly_pass",
				Product: "BUS-M-ALL", ValidFrom: time.Date(2026, 12, 1, 0, 0, 0, 0, ict), ValidTo: time.Date(2027, 1, 1, 0, 0, 0, 0, ict),
				Token: tok, Traveller: "child", Category: "student", Base: 200000, Price: 100000}, nil},
		},
		records.KindTicketingRefund: {
			{"approved", &records.TicketingRefund{Stamp: tstamp, State: "approved", Key: "kiosk-bxmd-01-77aa00cc11ee2299", Ticket: "T-000913", Sale: "S-000201",
				Price: 255000, Fee: 25500, Amount: 229500, Rule: "Trả vé trước giờ khởi hành từ 24 giờ trở lên: phí 10%", Method: "original"}, nil},
			{"due", &records.TicketingRefund{Stamp: tstamp, State: "due", Key: "kiosk-bxmd-01-0d6f5e4c3b2a1908", Price: 763000, Amount: 763000,
				PaymentRef: "K06VE7Q2XMA", TxnID: "FT26326000777", Failure: "hold_expired"}, nil},
		},
		records.KindTicketingManifest: {
			{"coach", &records.TicketingManifest{Stamp: tstamp, Departure: "HL-HN-VINH-20261122-30", Route: "HL-HN-VINH", Operator: "hoanglong",
				Service: "HN-VINH 15:00", Vehicle: "29B-123.45", DepartsAt: atICT.Add(6*time.Hour + 30*time.Minute), Format: "asm-csv/1", Travellers: 2},
				records.Personal{records.PersonalPassengers: "STT,Họ và tên\n1," + citizen.Name}},
		},
		records.KindTicketingHelp: {
			{"printer", &records.TicketingHelp{Stamp: tstamp, Screen: "issued", Reason: "printer_paper_end", Ticket: "T-000913"}, nil},
		},
		records.KindTicketingAbandoned: {
			{"idle", &records.TicketingAbandoned{Stamp: tstamp, Screen: "fare", Reason: "idle", Held: true}, nil},
		},
		records.KindTicketingService: {
			{"resumed", &records.TicketingService{Stamp: tstamp, State: "resumed", StoppedAt: "ticketing.intent/hold", Since: "2026-11-22T01:12:00Z", FailedRecords: 1}, nil},
		},

		records.KindTransitTap: {
			{"ticket", &records.TransitTap{Token: tok, TokenKind: "cccd_qr", Verdict: "accept", Reason: "ticket", Route: "47", Vehicle: "29B-012.34",
				Day: "2026-11-22", DenyVersion: 41, PassVersion: 18, Ticket: "T-000914"}, nil},
			{"ticket_used", &records.TransitTap{Token: tok, TokenKind: "cccd_qr", Verdict: "deny", Reason: "ticket_used", Route: "47", Vehicle: "29B-012.34",
				Day: "2026-11-22", DenyVersion: 41, PassVersion: 18, Ticket: "T-000914"}, nil},
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
			{"adopted", &records.QueueEvent{Day: "2026-11-22", Seq: 14, At: atICT.Add(9 * time.Minute), Kind: "adopted", Ticket: "B-A004", Service: "A", Number: 4, Priority: "normal", Origin: "kiosk-sanh-b", Issued: atICT.Add(2 * time.Minute)}, nil},
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
		records.KindConfigApplied: {
			{"trying", &records.ConfigApplied{Version: 7, SHA256: "3f0c5e1b9a7d2c4e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e",
				PreviousSHA256: "9d8c7b6a5f4e3d2c1b0a99887766554433221100ffeeddccbbaa998877665544", State: "trying", Signed: "2026-11-22T01:00:00Z"}, nil},
			{"kept", &records.ConfigApplied{Version: 7, SHA256: "3f0c5e1b9a7d2c4e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e", State: "kept"}, nil},
		},
		records.KindConfigRejected: {
			{"signature", &records.ConfigRejected{Version: 8, Reason: "signature", Detail: "remoteconfig: bad signature"}, nil},
			{"invalid_config", &records.ConfigRejected{Version: 9, SHA256: "5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e3f0c5e1b9a7d2c4e6f8a0b1c2d3e4f", Reason: "invalid_config",
				Detail: "bundle-9.toml:14: uplink.interval = \"5ms\": invalid value, expected at least \"100ms\""}, nil},
		},
		records.KindConfigRolledBack: {
			{"start_failed", &records.ConfigRolledBack{Version: 10, SHA256: "3f0c5e1b9a7d2c4e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e",
				RestoredSHA256: "9d8c7b6a5f4e3d2c1b0a99887766554433221100ffeeddccbbaa998877665544", Reason: "start_failed",
				Detail: "profile transit: lists: no such file", At: "2026-11-22T01:02:03Z"}, nil},
		},
		records.KindConfigDrift: {
			{"edited", &records.ConfigDrift{SHA256: "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9", AppliedVersion: 7,
				AppliedSHA256: "3f0c5e1b9a7d2c4e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e"}, nil},
		},
		records.KindUpdateApplied: {
			{"canary", &records.UpdateApplied{Version: "1.4.0", From: "1.3.2", Trigger: "7d2c4e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e3f0c5e1b9a", Stage: 5,
				TookS: 41.5, At: "2026-12-05T03:10:00Z"}, nil},
		},
		records.KindUpdateRejected: {
			{"not_in_stage", &records.UpdateRejected{Version: "1.4.0", Trigger: "7d2c4e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e3f0c5e1b9a", Reason: "not_in_stage",
				Detail: "stage 5%: this device's bucket is 63", At: "2026-12-05T03:00:00Z"}, nil},
			{"signature", &records.UpdateRejected{Reason: "signature", Detail: "the signature does not verify with the [update] key", At: "2026-12-05T03:00:00Z"}, nil},
		},
		records.KindUpdateRolledBack: {
			{"selftest_failed", &records.UpdateRolledBack{Version: "1.5.0", Restored: "1.4.0", Reason: "selftest_failed",
				Detail: "FAIL nfc /dev/kiosk-nfc: no answer", At: "2026-12-05T04:05:00Z"}, nil},
		},
		records.KindDiagTxgen: {
			{"synthetic", &records.DiagTxgen{N: 41, AmountVND: 42000, At: "2026-11-22T08:30:05+07:00"},
				records.Personal{records.PersonalIDNumber: "001099000041"}},
		},
	}
}
