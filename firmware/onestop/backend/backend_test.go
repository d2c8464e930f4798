package backend_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/onestop/backend"
	"github.com/kiosk06/kiosk/firmware/onestop/onestopsim"
)

var (
	ict = time.FixedZone("ICT", 7*3600)
	// Saturday 21/11/2026 16:00 ICT would be a weekend; use Friday.
	friday = time.Date(2026, 11, 20, 9, 30, 0, 0, ict)
	lan    = backend.Person{IDNumber: "001185012345", Name: "Nguyễn Thị Lan", DOB: "12/03/1985", Sex: "Nữ", Residence: "Số 12 Tràng Tiền, Hà Nội", Verified: "chip"}
	binh   = backend.Person{IDNumber: "079090001234", Name: "Trần Văn Bình", DOB: "01/01/1990", Sex: "Nam", Verified: "chip"}
)

func start(t *testing.T, opt *onestopsim.Options) (*onestopsim.Sim, *backend.Client) {
	t.Helper()
	if opt == nil {
		opt = &onestopsim.Options{}
	}
	opt.Token = "t0ken"
	opt.Now = func() time.Time { return friday }
	sim, err := onestopsim.Start(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	c, err := backend.New(backend.Config{BaseURL: sim.URL(), Token: "t0ken", Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return sim, c
}

func TestCatalogue(t *testing.T) {
	_, c := start(t, nil)
	ctx := context.Background()
	r, err := c.Catalogue(ctx, "")
	if err != nil || r.Version != "sim-1" || len(r.Procedures) != 9 {
		t.Fatalf("catalogue %s %d, %v", r.Version, len(r.Procedures), err)
	}
	if _, err := c.Catalogue(ctx, "sim-1"); !errors.Is(err, backend.ErrNotModified) {
		t.Fatalf("unchanged catalogue: %v", err)
	}
}

func submission(key string, agent *backend.Person) backend.Submission {
	return backend.Submission{Key: key, Kiosk: "kiosk-hue-01", ProcedureCode: "SIM-CT-002", Subject: lan, Agent: agent,
		Fields: map[string]string{"ho_ten": lan.Name, "noi_de_nghi_dang_ky": "Số 5 Lê Lợi, Huế", "ho_ten_chu_ho": "Nguyễn Văn An",
			"quan_he_chu_ho": "Con", "so_dien_thoai": "0912345678"},
		Sources: map[string]string{"ho_ten": "card", "noi_de_nghi_dang_ky": "citizen"}}
}

func TestSubmitAndLookup(t *testing.T) {
	sim, c := start(t, nil)
	ctx := context.Background()
	rc, err := c.Submit(ctx, submission("k-1", &binh))
	if err != nil {
		t.Fatal(err)
	}
	// 7 working days from Friday 20/11: Tuesday 01/12, 16:00.
	if want := time.Date(2026, 12, 1, 16, 0, 0, 0, ict); !rc.Appointment.Equal(want) || rc.Total != 20000 || rc.DossierCode == "" {
		t.Fatalf("receipt %+v", rc)
	}
	again, err := c.Submit(ctx, submission("k-1", &binh))
	if err != nil || again.DossierCode != rc.DossierCode || len(sim.Submissions()) != 1 {
		t.Fatalf("a retried submission filed twice: %+v %v (%d)", again, err, len(sim.Submissions()))
	}
	if sub := sim.Submissions()[0]; sub.Agent == nil || sub.Agent.IDNumber != binh.IDNumber || sub.Subject.IDNumber != lan.IDNumber {
		t.Fatalf("both identities not on the dossier: %+v", sub)
	}
	ds, err := c.Dossiers(ctx, lan.IDNumber)
	if err != nil || len(ds) != 1 || ds[0].Code != rc.DossierCode || !ds[0].ByAgent || ds[0].Status != backend.StatusReceived {
		t.Fatalf("dossiers %+v, %v", ds, err)
	}
	if ds, err := c.Dossiers(ctx, binh.IDNumber); err != nil || len(ds) != 0 {
		t.Fatalf("the agent has the subject's dossier: %+v %v", ds, err)
	}
	bad := submission("k-2", nil)
	delete(bad.Fields, "ho_ten_chu_ho")
	if _, err := c.Submit(ctx, bad); !errors.Is(err, backend.ErrRejected) {
		t.Fatalf("missing required field: %v", err)
	}
	if _, err := c.Submit(ctx, backend.Submission{Key: "k"}); !errors.Is(err, backend.ErrInvalid) {
		t.Fatalf("empty submission: %v", err)
	}
}

func TestResolve(t *testing.T) {
	sim, c := start(t, nil)
	ctx := context.Background()
	tok := sim.IssueAppToken(lan, time.Minute)
	got, err := c.Resolve(ctx, onestopsim.AppFormat, tok)
	if err != nil || got.IDNumber != lan.IDNumber || got.Verified != "app_online" {
		t.Fatalf("resolve %+v, %v", got, err)
	}
	if _, err := c.Resolve(ctx, onestopsim.AppFormat, tok+"x"); !errors.Is(err, backend.ErrRejected) {
		t.Fatalf("forged token: %v", err)
	}
	expired := sim.IssueAppToken(lan, -time.Second)
	if _, err := c.Resolve(ctx, onestopsim.AppFormat, expired); !errors.Is(err, backend.ErrRejected) {
		t.Fatalf("expired token: %v", err)
	}
}

func TestSupport(t *testing.T) {
	sim, c := start(t, nil)
	ctx := context.Background()
	tk, err := c.RequestSupport(ctx, backend.SupportRequest{Kiosk: "kiosk-hue-01", Screen: "form"})
	if err != nil || tk.State != backend.SupportWaiting {
		t.Fatalf("request %+v %v", tk, err)
	}
	if !sim.AcceptSupport("Trần Thị Mai", "CB07", "Quầy số 3") {
		t.Fatal("nothing to accept")
	}
	got, err := c.Support(ctx, tk.ID)
	if err != nil || got.State != backend.SupportAccepted || got.StaffName != "Trần Thị Mai" {
		t.Fatalf("accepted %+v %v", got, err)
	}
	if got, err := c.CancelSupport(ctx, tk.ID); err != nil || got.State != backend.SupportCancelled {
		t.Fatalf("cancel %+v %v", got, err)
	}
	if _, err := c.Support(ctx, "HT999"); !errors.Is(err, backend.ErrNotFound) {
		t.Fatalf("unknown: %v", err)
	}
	if _, err := c.Support(ctx, "../x"); !errors.Is(err, backend.ErrInvalid) {
		t.Fatalf("path in an id: %v", err)
	}
}

func TestErrors(t *testing.T) {
	sim, c := start(t, nil)
	ctx := context.Background()
	for status, want := range map[int]error{
		http.StatusServiceUnavailable: backend.ErrUnavailable,
		http.StatusTooManyRequests:    backend.ErrUnavailable,
		http.StatusForbidden:          backend.ErrUnauthorized,
		http.StatusConflict:           backend.ErrRejected,
	} {
		sim.FailNext(status)
		if _, err := c.Dossiers(ctx, lan.IDNumber); !errors.Is(err, want) {
			t.Errorf("HTTP %d: %v, want %v", status, err, want)
		}
	}
	wrong, _ := backend.New(backend.Config{BaseURL: sim.URL(), Token: "nope"})
	if _, err := wrong.Catalogue(ctx, ""); !errors.Is(err, backend.ErrUnauthorized) {
		t.Errorf("wrong token: %v", err)
	}
	sim.SetDelay(300 * time.Millisecond)
	slow, _ := backend.New(backend.Config{BaseURL: sim.URL(), Token: "t0ken", Timeout: 50 * time.Millisecond})
	if _, err := slow.Dossiers(ctx, lan.IDNumber); !errors.Is(err, backend.ErrUnavailable) {
		t.Errorf("timeout: %v", err)
	}
	if _, err := backend.New(backend.Config{BaseURL: "ftp://x"}); !errors.Is(err, backend.ErrInvalid) {
		t.Errorf("bad URL: %v", err)
	}
}

func TestParseReceiptRefuses(t *testing.T) {
	for name, body := range map[string]string{
		"total":          `{"dossier_code":"X","received_at":"2026-11-20T09:30:00+07:00","appointment":"2026-12-01T16:00:00+07:00","fees":[{"name":"Lệ phí","amount":20000}],"total":2000}`,
		"no code":        `{"received_at":"2026-11-20T09:30:00+07:00","appointment":"2026-12-01T16:00:00+07:00","total":0}`,
		"no appointment": `{"dossier_code":"X","received_at":"2026-11-20T09:30:00+07:00","total":0}`,
		"past":           `{"dossier_code":"X","received_at":"2026-11-20T09:30:00+07:00","appointment":"2025-12-01T16:00:00+07:00","total":0}`,
		"negative":       `{"dossier_code":"X","received_at":"2026-11-20T09:30:00+07:00","appointment":"2026-12-01T16:00:00+07:00","fees":[{"name":"a","amount":-5}],"total":-5}`,
		"not json":       `<html>`,
	} {
		if _, err := backend.ParseReceipt([]byte(body)); !errors.Is(err, backend.ErrBadResponse) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := backend.ParseSupport([]byte(`{"id":"HT1","state":"accepted"}`)); !errors.Is(err, backend.ErrBadResponse) {
		t.Errorf("accepted without a name: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"dossier_code":"X","received_at":"2026-11-20T09:30:00+07:00","appointment":"2026-12-01T16:00:00+07:00","total":0}`))
	f.Add([]byte(`{"dossiers":[{"code":"a","procedure_name":"b","status":"received","received_at":"2026-11-20T09:30:00Z"}]}`))
	f.Add([]byte(`{"id":"HT1","state":"waiting"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = backend.ParseReceipt(b)
		_, _ = backend.ParseDossiers(b)
		_, _ = backend.ParseSupport(b)
		_, _ = backend.ParseCatalogue(b)
	})
}
