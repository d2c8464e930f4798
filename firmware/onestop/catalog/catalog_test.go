package catalog_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/onestop/catalog"
	"github.com/kiosk06/kiosk/firmware/onestop/onestopsim"
)

func seed(t testing.TB) *catalog.Catalogue {
	t.Helper()
	c, err := catalog.New("sim-1", time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC), onestopsim.Seed())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"Đăng ký thường trú":           "dang ky thuong tru",
		"dang ky THUONG tru":           "dang ky thuong tru",
		"  Cấp, cấp lại, sửa đổi… ":    "cap cap lai sua doi",
		"Nguyễn Thị Thủy":              "nguyen thi thuy",
		"ĐẶNG VĂN ỨNG":                 "dang van ung",
		"Hoa\u0300 (decomposed)":       "hoa decomposed",
		"phạt nguội":                   "phat nguoi",
		"hộ chiếu, lý lịch tư pháp 01": "ho chieu ly lich tu phap 01",
	} {
		if got := catalog.Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func names(hits []catalog.Hit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, h.Procedure.Name)
	}
	return out
}

func TestSearch(t *testing.T) {
	c := seed(t)
	for _, tc := range []struct {
		q     catalog.Query
		first string
		n     int
		about string
	}{
		{catalog.Query{Text: "dang ky thuong tru"}, "Đăng ký thường trú", 2, "no diacritics (the liên thông one also registers thường trú)"},
		{catalog.Query{Text: "Đăng ký thường trú"}, "Đăng ký thường trú", 2, "with diacritics"},
		{catalog.Query{Text: "dang ky"}, "Đăng ký thường trú", 4, "most used first"},
		{catalog.Query{Text: "ho chieu"}, "Cấp, cấp lại, sửa đổi, bổ sung hộ chiếu phổ thông", 1, "a word inside the name"},
		{catalog.Query{Text: "phat ng"}, "Xử lý vi phạm hành chính về giao thông (phạt nguội)", 1, "word prefixes"},
		{catalog.Query{Text: "can cuoc"}, "Cấp lại, đổi thẻ căn cước công dân", 1, ""},
		{catalog.Query{Text: "lý lịch"}, "Cấp phiếu lý lịch tư pháp", 1, ""},
		{catalog.Query{Text: "SIM-TP-001"}, "Cấp phiếu lý lịch tư pháp", 1, "by code"},
		{catalog.Query{Text: "xyz"}, "", 0, "nothing"},
		{catalog.Query{}, "Thông báo lưu trú", 9, "everything, most used first"},
		{catalog.Query{Topic: "dang ky, quan ly cu tru"}, "Thông báo lưu trú", 3, "by topic, without diacritics"},
		{catalog.Query{Agency: "Sở Tư pháp"}, "Cấp phiếu lý lịch tư pháp", 1, "by agency"},
		{catalog.Query{Text: "dang ky", Agency: "Công an cấp xã"}, "Đăng ký thường trú", 3, "text within an agency"},
		{catalog.Query{Text: "dang ky", Limit: 1}, "Đăng ký thường trú", 1, "limit"},
	} {
		hits := c.Search(tc.q)
		if len(hits) != tc.n || tc.n > 0 && hits[0].Procedure.Name != tc.first {
			t.Errorf("%+v (%s): %d hits %q, want %d starting %q", tc.q, tc.about, len(hits), names(hits), tc.n, tc.first)
		}
	}
	// The seeds' month counts rank the police procedures.
	all := names(c.Search(catalog.Query{Agency: "Công an cấp xã"}))
	if want := []string{"Thông báo lưu trú", "Đăng ký thường trú", "Đăng ký tạm trú", "Đăng ký, cấp biển số mô tô, xe gắn máy"}; !slices.Equal(all, want) {
		t.Errorf("ranking %q, want %q", all, want)
	}
	// An exact spelling ranks above a folded one.
	hits := c.Search(catalog.Query{Text: "thường trú"})
	if hits[0].Match != catalog.MatchExact {
		t.Errorf("exact spelling matched as %v", hits[0].Match)
	}
	if got := c.Topics(); got[0] != "Đăng ký, quản lý cư trú" {
		t.Errorf("topics %q", got)
	}
}

func TestNewRefuses(t *testing.T) {
	good := onestopsim.Seed()
	for _, tc := range []struct {
		name string
		mut  func(ps []catalog.Procedure) []catalog.Procedure
	}{
		{"duplicate code", func(ps []catalog.Procedure) []catalog.Procedure { return append(ps, ps[0]) }},
		{"no counter", func(ps []catalog.Procedure) []catalog.Procedure { ps[0].Counter = ""; return ps }},
		{"negative fee", func(ps []catalog.Procedure) []catalog.Procedure { ps[0].Fee = -1; return ps }},
		{"card field without a value", func(ps []catalog.Procedure) []catalog.Procedure {
			ps[0].Fields = append(ps[0].Fields, catalog.Field{Key: "x", Label: "X", Kind: catalog.KindText, Source: catalog.SourceCard})
			return ps
		}},
		{"choice without options", func(ps []catalog.Procedure) []catalog.Procedure {
			ps[0].Fields = append(ps[0].Fields, catalog.Field{Key: "x", Label: "X", Kind: catalog.KindChoice})
			return ps
		}},
		{"duplicate field", func(ps []catalog.Procedure) []catalog.Procedure {
			ps[0].Fields = append(ps[0].Fields, ps[0].Fields[0])
			return ps
		}},
		{"newline in name", func(ps []catalog.Procedure) []catalog.Procedure { ps[0].Name = "a\nb"; return ps }},
	} {
		ps := onestopsim.Seed()
		if _, err := catalog.New("v", time.Time{}, tc.mut(ps)); !errors.Is(err, catalog.ErrInvalid) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	if _, err := catalog.New("v", time.Time{}, good); err != nil {
		t.Fatal(err)
	}
}

func TestCache(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "catalogue.json")
	if _, err := catalog.Load(path); !errors.Is(err, catalog.ErrNoCache) {
		t.Fatalf("no file: %v", err)
	}
	c := seed(t)
	if err := catalog.Save(path, c); err != nil {
		t.Fatal(err)
	}
	got, err := catalog.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version() != "sim-1" || got.Len() != c.Len() || !got.SyncedAt().Equal(c.SyncedAt()) {
		t.Fatalf("loaded %s %d %v", got.Version(), got.Len(), got.SyncedAt())
	}
	if h := got.Search(catalog.Query{Text: "dang ky thuong tru"}); len(h) == 0 || h[0].Procedure.Name != "Đăng ký thường trú" {
		t.Fatal("the cached catalogue does not search")
	}
	b, _ := os.ReadFile(path)
	for name, bad := range map[string][]byte{
		"torn":   b[:len(b)/2],
		"edited": []byte(string(b[:len(b)-40]) + "X" + string(b[len(b)-39:])),
		"other":  []byte(`{"format":"x"}`),
	} {
		if err := os.WriteFile(path, bad, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := catalog.Load(path); !errors.Is(err, catalog.ErrCorrupt) {
			t.Errorf("%s cache: %v", name, err)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*.tmp*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func FuzzParse(f *testing.F) {
	dir := f.TempDir()
	path := filepath.Join(dir, "c.json")
	if err := catalog.Save(path, seed(f)); err != nil {
		f.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	f.Add(b)
	f.Add([]byte(`{"format":"kiosk06.onestop.catalogue/1","sha256":"","body":{}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := catalog.Parse(b)
		if err == nil {
			_ = c.Search(catalog.Query{Text: "dang ky"})
		}
	})
}

func FuzzSearch(f *testing.F) {
	c := seed(f)
	f.Add("dang ky thuong tru", "")
	f.Add("Đăng\u0300 ký", "Công an")
	f.Fuzz(func(t *testing.T, text, agency string) {
		for _, h := range c.Search(catalog.Query{Text: text, Agency: agency}) {
			if h.Procedure.Code == "" {
				t.Fatal("empty hit")
			}
		}
	})
}

func BenchmarkSearch(b *testing.B) {
	c := seed(b)
	for b.Loop() {
		_ = c.Search(catalog.Query{Text: "dang ky thuong tru"})
	}
}
