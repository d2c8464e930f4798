// Package his is the kiosk's adapter to the hospital information system
// (HIS, "phần mềm quản lý bệnh viện"): the clinics and services a patient can
// register for, and the registration of an outpatient visit carrying the
// Ministry of Health XML1 patient fields (Quyết định 4750/QĐ-BYT as amended by
// 130/QĐ-BYT, bảng 1 "chỉ tiêu tổng hợp khám bệnh, chữa bệnh": HO_TEN,
// SO_CCCD, NGAY_SINH, GIOI_TINH, DIA_CHI, MA_THE_BHYT, MA_DKBD, GT_THE_TU,
// GT_THE_DEN, LY_DO_VV, NGAY_VAO, MA_LOAI_KCB).
//
// HIS products differ; HIS is the interface the flow uses, and Client is an
// HTTP JSON implementation of a small adapter protocol a hospital's
// integration layer exposes:
//
//	GET  {base}/v1/clinics  → 200 {"clinics":[{"code","name","room","fee"}]}
//	POST {base}/v1/visits   (Idempotency-Key header, body Visit as JSON)
//	                        → 200/201 {"visit_number","fees":[FeeLine]}
//
// with "Authorization: Bearer {token}". A visit posted twice with the same
// Idempotency-Key is registered once: the second answer repeats the first.
// hisfake is a local implementation for tests and `kioskd run --sim`.
//
// It imports payments/tariff (fee lines) and the standard library only; it
// must not import the flow, the store, drivers or the UI, and never logs
// personal data (a Visit's fields).
package his

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/kiosk06/kiosk/payments/tariff"
)

// Sentinel errors callers branch on.
var (
	// ErrUnavailable: the HIS did not answer, timed out or failed (5xx):
	// retrying later with the same idempotency key is safe.
	ErrUnavailable = errors.New("his: unavailable")
	// ErrRejected: the HIS refused the request (4xx other than auth).
	ErrRejected = errors.New("his: request rejected")
	// ErrUnauthorized: the token was refused (401/403): configuration.
	ErrUnauthorized = errors.New("his: unauthorized")
	// ErrBadResponse: the answer was not the protocol's shape.
	ErrBadResponse = errors.New("his: malformed response")
	// ErrInvalid: the request is incomplete (checked before sending).
	ErrInvalid = errors.New("his: invalid request")
)

// HIS is what the registration flow needs of a hospital information system.
type HIS interface {
	// Clinics lists the clinics and services open for registration.
	Clinics(ctx context.Context) ([]Clinic, error)
	// Register registers a visit. It is idempotent on v.IdempotencyKey.
	Register(ctx context.Context, v Visit) (Registration, error)
}

// Clinic is a clinic (phòng khám) or service the kiosk offers.
type Clinic struct {
	Code string `json:"code"` // HIS code, sent back as MA_KHOA
	Name string `json:"name"` // Vietnamese name
	Room string `json:"room"` // "Phòng 203 – Tầng 2"
	Fee  int64  `json:"fee"`  // VND examination fee for a fee-paying patient
}

// Visit kinds (MA_LOAI_KCB, QĐ 130/QĐ-BYT table "loại KCB").
const (
	LoaiKCBKham = "01" // khám bệnh (outpatient examination)
)

// Sex codes (GIOI_TINH, QĐ 4750/130): 1 male, 2 female, 3 unknown.
const (
	SexMale    = 1
	SexFemale  = 2
	SexUnknown = 3
)

// Visit is one registration. Dates use the XML1 formats: NGAY_SINH and the
// card validity yyyyMMdd, NGAY_VAO yyyyMMddHHmm (local time).
type Visit struct {
	IdempotencyKey string `json:"-"` // sent as the Idempotency-Key header

	HoTen     string `json:"HO_TEN"`
	SoCCCD    string `json:"SO_CCCD"`
	NgaySinh  string `json:"NGAY_SINH"`
	GioiTinh  int    `json:"GIOI_TINH"`
	DiaChi    string `json:"DIA_CHI"`
	MaTheBHYT string `json:"MA_THE_BHYT"` // empty for a fee-paying patient
	MaDKBD    string `json:"MA_DKBD"`     // registered primary-care facility
	GtTheTu   string `json:"GT_THE_TU"`
	GtTheDen  string `json:"GT_THE_DEN"`
	LyDoVV    string `json:"LY_DO_VV"` // reason for the visit
	NgayVao   string `json:"NGAY_VAO"`
	MaLoaiKCB string `json:"MA_LOAI_KCB"`
	MaKhoa    string `json:"MA_KHOA"`     // the chosen Clinic.Code
	UuTien    string `json:"UU_TIEN"`     // queue priority class name ("normal", "age75", …)
	MaThietBi string `json:"MA_THIET_BI"` // the kiosk's device id
}

// LogValue implements slog.LogValuer: nothing personal is logged.
func (v Visit) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("clinic", v.MaKhoa),
		slog.Bool("insured", v.MaTheBHYT != ""),
		slog.String("priority", v.UuTien),
	)
}

// Registration is the HIS's answer to a registered visit.
type Registration struct {
	VisitNumber string           // mã lượt khám (MA_LK)
	Fees        []tariff.FeeLine // what the visit costs; the HIS is the authority
}

// Date formats of XML1.
const (
	DateLayout     = "20060102"
	DateTimeLayout = "200601021504"
)

// FormatDate formats t as an XML1 date (yyyyMMdd) in loc.
func FormatDate(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format(DateLayout)
}
