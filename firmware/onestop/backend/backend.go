// Package backend is the one-stop kiosk's adapter to the province's
// electronic one-stop information system (Hệ thống thông tin một cửa điện
// tử / Hệ thống thông tin giải quyết TTHC; seed 003 Tiêu chí 4: the queue
// machines "kết nối tới Hệ thống thông tin một cửa điện tử"). Provinces run
// different products; System is what the kiosk needs of any of them, and
// Client speaks the small HTTPS JSON protocol below, which a province's
// integration layer (its LGSP, or an adapter beside the one-stop system)
// exposes:
//
//	GET    {base}/v1/procedures            If-None-Match: <version>
//	       → 200 {"version","procedures":[catalog.Procedure]} | 304
//	POST   {base}/v1/citizens/resolve      {"format","token"}
//	       → 200 Citizen: the provincial app's QR, checked online
//	POST   {base}/v1/dossiers/search       {"id_number"}
//	       → 200 {"dossiers":[Dossier]}: the citizen's dossiers
//	POST   {base}/v1/dossiers              Idempotency-Key, Submission
//	       → 200/201 Receipt: the dossier received (mã hồ sơ, appointment, fees)
//	POST   {base}/v1/support               SupportRequest → 201 SupportTicket
//	GET    {base}/v1/support/{id}          → 200 SupportTicket (accepted: staff name)
//	DELETE {base}/v1/support/{id}          → 200 SupportTicket (cancelled)
//
// Every request carries "Authorization: Bearer {token}" over TLS
// (firmware/netclient: the configured CA, a client certificate). The ID
// number travels only in request bodies, never in a URL (proxies and
// access logs keep URLs). A dossier posted twice with one Idempotency-Key
// is received once: the second answer repeats the first, so a retry after
// a timeout never files a second dossier.
//
// Errors: 401/403 ErrUnauthorized (configuration), 404 ErrNotFound, other
// 4xx ErrRejected (with the system's message when it gives one), 5xx, 408,
// 429 and transport failures ErrUnavailable (retry with the same key),
// anything not in the protocol's shape ErrBadResponse. Replies are bounded
// (catalogue 8 MiB, others 1 MiB) and every field is checked before use.
//
// onestopsim is a local implementation for tests and `kioskd run --sim`.
//
// It imports firmware/onestop/catalog and the standard library; it must
// not import a flow, the store, drivers or the UI, and never logs personal
// data (an ID number, a name, a form's values).
package backend

import (
	"context"
	"errors"
	"time"

	"github.com/kiosk06/kiosk/firmware/onestop/catalog"
)

// Paths of the protocol.
const (
	ProceduresPath     = "/v1/procedures"
	ResolvePath        = "/v1/citizens/resolve"
	DossierSearchPath  = "/v1/dossiers/search"
	DossiersPath       = "/v1/dossiers"
	SupportPath        = "/v1/support"
	IdempotencyKeyName = "Idempotency-Key"
)

// Sentinel errors callers branch on.
var (
	ErrUnavailable  = errors.New("onestop backend: unavailable")
	ErrRejected     = errors.New("onestop backend: request rejected")
	ErrUnauthorized = errors.New("onestop backend: unauthorized")
	ErrNotFound     = errors.New("onestop backend: not found")
	ErrBadResponse  = errors.New("onestop backend: malformed response")
	ErrInvalid      = errors.New("onestop backend: invalid request")
	// ErrNotModified: the catalogue has not changed since the version
	// asked with (Catalogue's since).
	ErrNotModified = errors.New("onestop backend: catalogue not modified")
)

// System is what the one-stop kiosk needs of the one-stop information
// system; *Client implements it.
type System interface {
	// Catalogue fetches the procedures; since is the version the kiosk
	// has ("" none): an unchanged catalogue is ErrNotModified.
	Catalogue(ctx context.Context, since string) (CatalogueReply, error)
	// Resolve checks a provincial app's QR token online and returns whose
	// it is, from the population database (ErrRejected: not valid,
	// expired or revoked).
	Resolve(ctx context.Context, format, token string) (Citizen, error)
	// Dossiers lists the citizen's dossiers, newest first.
	Dossiers(ctx context.Context, idNumber string) ([]Dossier, error)
	// Submit files a dossier; idempotent on s.Key.
	Submit(ctx context.Context, s Submission) (Receipt, error)
	// RequestSupport asks the help desk for a staff member.
	RequestSupport(ctx context.Context, r SupportRequest) (SupportTicket, error)
	// Support reports a request's state (accepted: by whom).
	Support(ctx context.Context, id string) (SupportTicket, error)
	// CancelSupport withdraws a request the citizen no longer needs.
	CancelSupport(ctx context.Context, id string) (SupportTicket, error)
}

// CatalogueReply is the body of GET /v1/procedures.
type CatalogueReply struct {
	Version    string              `json:"version"`
	Procedures []catalog.Procedure `json:"procedures"`
}

// Person is who a dossier is about or who files it: the values the card
// (or the population database) gives. Personal data: never logged.
type Person struct {
	IDNumber    string `json:"id_number"` // 12 digits
	Name        string `json:"name"`
	DOB         string `json:"dob"` // DD/MM/YYYY as printed
	Sex         string `json:"sex,omitempty"`
	Nationality string `json:"nationality,omitempty"`
	Ethnicity   string `json:"ethnicity,omitempty"`
	Religion    string `json:"religion,omitempty"`
	Hometown    string `json:"hometown,omitempty"`
	Residence   string `json:"residence,omitempty"`
	IssueDate   string `json:"issue_date,omitempty"`
	// Verified says how the person was identified: "chip" (a genuine CCCD
	// chip, Passive and Chip Authentication), "chip_unverified" (read but
	// not proven genuine), "app_online" (the provincial app's QR checked
	// online), "app_signed" (its signature checked offline).
	Verified string `json:"verified"`
}

// Citizen is the answer of Resolve.
type Citizen struct {
	Person
	// ExpiresAt is when the app's token stops being valid.
	ExpiresAt time.Time `json:"expires_at,omitzero"`
}

// DossierStatus is where a dossier is.
type DossierStatus string

// Dossier states (the one-stop system's; others are shown as they come).
const (
	StatusReceived   DossierStatus = "received"   // đã tiếp nhận
	StatusProcessing DossierStatus = "processing" // đang giải quyết
	StatusSupplement DossierStatus = "supplement" // yêu cầu bổ sung
	StatusReady      DossierStatus = "ready"      // có kết quả, chờ trả
	StatusReturned   DossierStatus = "returned"   // đã trả kết quả
	StatusRejected   DossierStatus = "rejected"   // từ chối giải quyết
	StatusOverdue    DossierStatus = "overdue"    // quá hạn
)

// Dossier is one dossier (hồ sơ) of a citizen.
type Dossier struct {
	Code          string        `json:"code"` // mã hồ sơ
	ProcedureCode string        `json:"procedure_code"`
	ProcedureName string        `json:"procedure_name"`
	Status        DossierStatus `json:"status"`
	StatusText    string        `json:"status_text,omitempty"` // the system's own words
	ReceivedAt    time.Time     `json:"received_at"`
	Appointment   time.Time     `json:"appointment,omitzero"` // ngày hẹn trả
	Fee           int64         `json:"fee"`
	Paid          bool          `json:"paid"`
	// ByAgent: filed by someone acting for the citizen (làm hộ).
	ByAgent bool   `json:"by_agent,omitempty"`
	Agency  string `json:"agency,omitempty"`
}

// Submission is a dossier filed at the kiosk.
type Submission struct {
	// Key is the idempotency key (also the records' key).
	Key           string `json:"key"`
	Kiosk         string `json:"kiosk"` // the device id
	ProcedureCode string `json:"procedure_code"`
	// Subject is whom the dossier is about.
	Subject Person `json:"subject"`
	// Agent is who filed it for the subject (làm hộ), nil when the subject
	// filed it.
	Agent *Person `json:"agent,omitempty"`
	// Fields are the form's values by field key: those from the card
	// (Sources lists which) and those the citizen typed.
	Fields map[string]string `json:"fields"`
	// Sources names, per field key, where its value came from ("card" or
	// "citizen").
	Sources map[string]string `json:"sources"`
}

// FeeLine is one fee on a receipt.
type FeeLine struct {
	Name   string `json:"name"`
	Amount int64  `json:"amount"`
}

// Receipt is the one-stop system's answer to a submission: what the
// receipt slip (giấy tiếp nhận hồ sơ và hẹn trả kết quả) prints.
type Receipt struct {
	DossierCode string    `json:"dossier_code"` // mã hồ sơ
	ReceivedAt  time.Time `json:"received_at"`
	Appointment time.Time `json:"appointment"` // ngày hẹn trả kết quả
	Fees        []FeeLine `json:"fees"`
	Total       int64     `json:"total"`
	Agency      string    `json:"agency,omitempty"`
	// LookupURL is where the citizen follows the dossier (printed as a QR).
	LookupURL string `json:"lookup_url,omitempty"`
}

// SupportRequest asks for a staff member at the kiosk.
type SupportRequest struct {
	Kiosk  string `json:"kiosk"`
	Screen string `json:"screen"`          // where the citizen is
	Topic  string `json:"topic,omitempty"` // the procedure's code, when one is chosen
}

// SupportState is where a support request is.
type SupportState string

// Support request states.
const (
	SupportWaiting   SupportState = "waiting"
	SupportAccepted  SupportState = "accepted"
	SupportClosed    SupportState = "closed"
	SupportCancelled SupportState = "cancelled"
)

// SupportTicket is a support request as the help desk sees it.
type SupportTicket struct {
	ID    string       `json:"id"`
	State SupportState `json:"state"`
	// StaffName is who accepted it (shown to the citizen: "Cán bộ Trần
	// Thị Mai đang đến hỗ trợ Ông/Bà").
	StaffName string `json:"staff_name,omitempty"`
	// StaffID is the staff member's id (recorded instead of the name).
	StaffID    string    `json:"staff_id,omitempty"`
	AcceptedAt time.Time `json:"accepted_at,omitzero"`
	// Where the staff member is, or what to do ("Quầy số 3").
	Note string `json:"note,omitempty"`
}
