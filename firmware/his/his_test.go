package his_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/his"
	"github.com/kiosk06/kiosk/firmware/his/hisfake"
)

func setup(t *testing.T, token string, timeout time.Duration) (*his.Client, *hisfake.Server) {
	t.Helper()
	srv := hisfake.New("tok")
	t.Cleanup(srv.Close)
	c, err := his.New(his.Config{BaseURL: srv.URL(), Token: token, Timeout: timeout, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return c, srv
}

func visit(key string) his.Visit {
	return his.Visit{IdempotencyKey: key, HoTen: "Nguyễn Văn An", SoCCCD: "079090001234", NgaySinh: "19900517", GioiTinh: his.SexMale,
		DiaChi: "12 Lê Lợi", MaTheBHYT: "DN4797912345678", MaDKBD: "79001", GtTheTu: "20260101", GtTheDen: "20261231",
		LyDoVV: "Khám bệnh", NgayVao: "202611220800", MaLoaiKCB: his.LoaiKCBKham, MaKhoa: "K01"}
}

func TestClinicsAndRegister(t *testing.T) {
	c, srv := setup(t, "tok", 2*time.Second)
	ctx := context.Background()
	list, err := c.Clinics(ctx)
	if err != nil || len(list) != 4 || list[0].Code != "K01" || list[0].Fee != 50000 {
		t.Fatalf("%+v %v", list, err)
	}
	r1, err := c.Register(ctx, visit("dev-1"))
	if err != nil || r1.VisitNumber == "" || len(r1.Fees) != 1 || r1.Fees[0].PatientPays != 10000 || r1.Fees[0].InsurancePays != 40000 {
		t.Fatalf("%+v %v", r1, err)
	}
	r2, err := c.Register(ctx, visit("dev-1"))
	if err != nil || r2.VisitNumber != r1.VisitNumber {
		t.Fatalf("retry gave %+v %v", r2, err)
	}
	got := srv.Visits()
	if len(got) != 1 {
		t.Fatalf("%d visits for one idempotency key", len(got))
	}
	if got[0].HoTen != "Nguyễn Văn An" || got[0].NgaySinh != "19900517" || got[0].MaTheBHYT != "DN4797912345678" || got[0].IdempotencyKey != "dev-1" {
		t.Fatalf("wire fields %+v", got[0])
	}
	fee, err := c.Register(ctx, func() his.Visit { v := visit("dev-2"); v.MaTheBHYT = ""; return v }())
	if err != nil || fee.Fees[0].PatientPays != 50000 {
		t.Fatalf("fee-paying %+v %v", fee, err)
	}
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		token string
		setup func(*hisfake.Server)
		v     his.Visit
		want  error
	}{
		{"503", "tok", func(s *hisfake.Server) { s.FailNext(503) }, visit("k"), his.ErrUnavailable},
		{"unauthorized", "bad", func(*hisfake.Server) {}, visit("k"), his.ErrUnauthorized},
		{"unknown clinic", "tok", func(*hisfake.Server) {}, func() his.Visit { v := visit("k"); v.MaKhoa = "ZZ"; return v }(), his.ErrRejected},
		{"timeout", "tok", func(s *hisfake.Server) { s.SetDelay(400 * time.Millisecond) }, visit("k"), his.ErrUnavailable},
		{"no key", "tok", func(*hisfake.Server) {}, visit(""), his.ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, srv := setup(t, tc.token, 150*time.Millisecond)
			tc.setup(srv)
			if _, err := c.Register(context.Background(), tc.v); !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestParseHostile(t *testing.T) {
	for _, b := range []string{"", "{", `{"visit_number":""}`, `{"visit_number":"1","fees":[{"quantity":1,"unit_price":10,"patient_pays":5}]}`} {
		if _, err := his.ParseVisit([]byte(b)); !errors.Is(err, his.ErrBadResponse) {
			t.Errorf("visit %q: %v", b, err)
		}
	}
	for _, b := range []string{"", `{"clinics":[{"code":"","name":"x"}]}`, `{"clinics":[{"code":"a","name":"x","fee":-1}]}`} {
		if _, err := his.ParseClinics([]byte(b)); !errors.Is(err, his.ErrBadResponse) {
			t.Errorf("clinics %q: %v", b, err)
		}
	}
}

func FuzzParseVisit(f *testing.F) {
	f.Add([]byte(`{"visit_number":"LK1","fees":[{"code":"KB","name":"Khám","quantity":1,"unit_price":50000,"insurance_pays":40000,"patient_pays":10000}]}`))
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = his.ParseVisit(b) })
}

func FuzzParseClinics(f *testing.F) {
	f.Add([]byte(`{"clinics":[{"code":"K01","name":"Nội","room":"101","fee":50000}]}`))
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = his.ParseClinics(b) })
}
