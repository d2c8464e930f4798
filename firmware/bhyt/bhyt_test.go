package bhyt_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/bhyt"
	"github.com/kiosk06/kiosk/firmware/bhyt/bhytfake"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

func setup(t *testing.T, timeout time.Duration) (*bhyt.Client, *bhytfake.Server, *clock) {
	t.Helper()
	srv := bhytfake.New("kiosk", "secret")
	t.Cleanup(srv.Close)
	clk := &clock{now: time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)}
	srv.SetTokenTTL(30*time.Minute, clk.Now)
	c, err := bhyt.New(bhyt.Config{BaseURL: srv.URL(), Username: "kiosk", Password: "secret", StaffName: "Trần Thị Tiếp Đón",
		StaffID: "079190000001", Timeout: timeout, Now: clk.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return c, srv, clk
}

var q = bhyt.Query{MaThe: "079090001234", Name: "Nguyễn Văn An", DOB: time.Date(1990, 5, 17, 0, 0, 0, 0, time.UTC)}

func TestEveryCode(t *testing.T) {
	c, srv, _ := setup(t, 2*time.Second)
	for _, code := range append(bhyt.Codes(), "999") {
		if code == "401" {
			continue // an auth failure, see TestTokenRefresh
		}
		t.Run(code, func(t *testing.T) {
			srv.SetCode(q.MaThe, code)
			r, err := c.Check(context.Background(), q)
			if err != nil {
				t.Fatal(err)
			}
			want := bhyt.Describe(code)
			if r.Code != code || r.Class != want.Class || r.Next != want.Next || r.VI == "" || r.EN == "" {
				t.Fatalf("result %+v", r)
			}
			if code == "999" && (r.Class != bhyt.ClassUnavailable || r.Next != bhyt.NextCallStaff) {
				t.Fatalf("unknown code: %+v", r)
			}
			if (code == "003" || code == "004") && r.Card.Effective().MaThe != "DN4797912349999" {
				t.Fatalf("new card not effective: %+v", r.Card)
			}
		})
	}
	if tokens, _ := srv.Stats(); tokens != 1 {
		t.Fatalf("%d tokens fetched; the token should be reused", tokens)
	}
}

func TestRequestShape(t *testing.T) {
	c, srv, _ := setup(t, 2*time.Second)
	if _, err := c.Check(context.Background(), q); err != nil {
		t.Fatal(err)
	}
	req, _ := srv.LastLookup()
	if req.MaThe != q.MaThe || req.HoTen != q.Name || req.NgaySinh != "17/05/1990" || req.HoTenCb != "Trần Thị Tiếp Đón" || req.CccdCb != "079190000001" {
		t.Fatalf("request %+v", req)
	}
}

func TestTokenRefresh(t *testing.T) {
	c, srv, clk := setup(t, 2*time.Second)
	ctx := context.Background()
	if _, err := c.Check(ctx, q); err != nil {
		t.Fatal(err)
	}
	clk.Advance(29*time.Minute + 30*time.Second) // within RefreshBefore of expiry
	if _, err := c.Check(ctx, q); err != nil {
		t.Fatal(err)
	}
	if n, _ := srv.Stats(); n != 2 {
		t.Fatalf("tokens %d, want a refresh before expiry", n)
	}
	srv.RevokeTokens() // the server forgets: next lookup gets HTTP 401
	if r, err := c.Check(ctx, q); err != nil || r.Code != "000" {
		t.Fatalf("after 401: %+v %v", r, err)
	}
	if n, _ := srv.Stats(); n != 3 {
		t.Fatalf("tokens %d, want a new one after 401", n)
	}
}

func TestWrongPassword(t *testing.T) {
	srv := bhytfake.New("kiosk", "other")
	defer srv.Close()
	c, _ := bhyt.New(bhyt.Config{BaseURL: srv.URL(), Username: "kiosk", Password: "secret", StaffName: "A", StaffID: "079190000001", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	r, err := c.Check(context.Background(), q)
	if !errors.Is(err, bhyt.ErrAuth) || r.Class != bhyt.ClassUnavailable || r.Next != bhyt.NextFeePaying {
		t.Fatalf("%+v %v", r, err)
	}
}

func TestFailuresAreUsable(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(*bhytfake.Server)
		want  error
	}{
		{"token 503", func(s *bhytfake.Server) { s.FailNext(http.StatusServiceUnavailable) }, bhyt.ErrUnavailable},
		{"lookup 500", func(s *bhytfake.Server) { s.FailNext(0, http.StatusInternalServerError) }, bhyt.ErrUnavailable},
		{"timeout", func(s *bhytfake.Server) { s.SetDelay(500 * time.Millisecond) }, context.DeadlineExceeded},
		{"outage", func(s *bhytfake.Server) { s.SetOutage(true) }, bhyt.ErrUnavailable},
		{"401 twice", func(s *bhytfake.Server) { s.FailNext(0, 401, 0, 401) }, bhyt.ErrAuth},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, srv, _ := setup(t, 200*time.Millisecond)
			tc.setup(srv)
			r, err := c.Check(context.Background(), q)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if r.Class != bhyt.ClassUnavailable || r.Next != bhyt.NextFeePaying || r.VI == "" {
				t.Fatalf("result %+v is not a usable fallback", r)
			}
		})
	}
}

func TestInvalidQuery(t *testing.T) {
	c, _, _ := setup(t, time.Second)
	if _, err := c.Check(context.Background(), bhyt.Query{MaThe: "123"}); !errors.Is(err, bhyt.ErrInvalid) {
		t.Fatalf("err = %v", err)
	}
}

func TestParseLookupHostile(t *testing.T) {
	for _, b := range []string{"", "{", "[]", `{"maKetQua":"0000"}`, `{"maKetQua":"abc"}`, `{"maKetQua":1}`, `{"maKetQua":"000","maThe":5}`} {
		if _, err := bhyt.ParseLookup([]byte(b)); !errors.Is(err, bhyt.ErrUnavailable) {
			t.Errorf("%q: err = %v", b, err)
		}
	}
}

func FuzzParseLookup(f *testing.F) {
	f.Add([]byte(`{"maKetQua":"000","maThe":"DN4797912345678","gtTheTu":"01/01/2026","gtTheDen":"31/12/2026"}`))
	f.Add([]byte(`{"maKetQua":"004","maTheMoi":"X","gtTheDenMoi":"99/99/9999"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := bhyt.ParseLookup(b)
		if err == nil {
			_ = r.Card.Effective().ValidTo()
		}
	})
}

// BenchmarkCheck is one lookup against the loopback fake (token cached):
// the kiosk-side cost of a BHYT check, JSON and HTTP included.
func BenchmarkCheck(b *testing.B) {
	srv := bhytfake.New("kiosk", "secret")
	defer srv.Close()
	c, _ := bhyt.New(bhyt.Config{BaseURL: srv.URL(), Username: "kiosk", Password: "secret", StaffName: "A", StaffID: "079190000001",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	ctx := context.Background()
	for b.Loop() {
		if _, err := c.Check(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
}

func TestBenefitLevel(t *testing.T) {
	for _, tc := range []struct {
		maThe      string
		level, pct int
	}{
		{"DN4797912345678", 4, 80}, {"HT3797912345678", 3, 95}, {"CC1797912345678", 1, 100},
		{"TE1797912345678", 1, 100}, {"079090001234", 0, 0}, {"DN", 0, 0}, {"", 0, 0},
	} {
		l := bhyt.Card{MaThe: tc.maThe}.BenefitLevel()
		if l != tc.level || bhyt.BenefitPercent(l) != tc.pct {
			t.Errorf("%q: level %d (%d %%), want %d (%d %%)", tc.maThe, l, bhyt.BenefitPercent(l), tc.level, tc.pct)
		}
	}
}
