package i18n

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func loadAll(t *testing.T) map[Lang]*Catalog {
	t.Helper()
	cats := map[Lang]*Catalog{}
	for _, l := range Languages() {
		c, err := Load(l)
		if err != nil {
			t.Fatalf("Load(%s): %v", l, err)
		}
		cats[l] = c
	}
	return cats
}

// TestCatalogsAgree: every language has exactly vi's keys, no empty text,
// and the same placeholders.
func TestCatalogsAgree(t *testing.T) {
	cats := loadAll(t)
	ref := cats[Vietnamese]
	for _, l := range Languages() {
		c := cats[l]
		for _, k := range ref.Keys() {
			if !c.Has(k) {
				t.Errorf("%s: missing key %q", l, k)
				continue
			}
			if strings.TrimSpace(c.T(k)) == "" {
				t.Errorf("%s: %q is empty", l, k)
			}
			a, b := ref.Placeholders(k), c.Placeholders(k)
			slices.Sort(a)
			slices.Sort(b)
			if !slices.Equal(a, b) {
				t.Errorf("%s: %q placeholders %v, vi has %v", l, k, b, a)
			}
		}
		for _, k := range c.Keys() {
			if !ref.Has(k) {
				t.Errorf("%s: key %q not in vi.json", l, k)
			}
		}
	}
}

// TestKeysUsedInSourceExist parses every Go file under ui/ and checks each
// literal first argument of a .T(...) call is a key of vi.json.
func TestKeysUsedInSourceExist(t *testing.T) {
	vi := loadAll(t)[Vietnamese]
	fset := token.NewFileSet()
	used := 0
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "T" {
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			key, _ := strconv.Unquote(lit.Value)
			used++
			if !vi.Has(key) && !strings.HasSuffix(path, "_test.go") {
				t.Errorf("%s: key %q not in vi.json", fset.Position(lit.Pos()), key)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d literal keys checked", used)
}

func TestT(t *testing.T) {
	vi := loadAll(t)[Vietnamese]
	tests := []struct {
		key  string
		args []string
		want string
	}{
		{"answer.yes", nil, "Có"},
		{"age.years", []string{"n", "75"}, "75 tuổi"},
		{"goodbye.reminder", []string{"number", "A023", "room", "Phòng 105"}, "Số A023 · Phòng 105"},
		{"no.such.key", nil, "[no.such.key]"},
		{"age.years", []string{"n"}, "{n} tuổi"}, // odd args: the dangling name is ignored
	}
	for _, tc := range tests {
		if got := vi.T(tc.key, tc.args...); got != tc.want {
			t.Errorf("T(%q, %q) = %q, want %q", tc.key, tc.args, got, tc.want)
		}
	}
}

func TestLoadUnknown(t *testing.T) {
	if _, err := Load("fr"); err == nil {
		t.Fatal("Load(fr) succeeded")
	}
	if _, err := Load("../locales/vi"); err == nil {
		t.Fatal("Load with a path succeeded")
	}
}

func TestFormatting(t *testing.T) {
	c := loadAll(t)
	tests := []struct {
		lang Lang
		vnd  int64
		want string
	}{
		{Vietnamese, 0, "0 ₫"},
		{Vietnamese, 150000, "150.000 ₫"},
		{Vietnamese, 1234567, "1.234.567 ₫"},
		{Vietnamese, -5000, "-5.000 ₫"},
		{English, 150000, "150,000 VND"},
		{English, 999, "999 VND"},
	}
	for _, tc := range tests {
		if got := c[tc.lang].Money(tc.vnd); got != tc.want {
			t.Errorf("%s Money(%d) = %q, want %q", tc.lang, tc.vnd, got, tc.want)
		}
	}
	vi := c[Vietnamese]
	if got := vi.Date(time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)); got != "02/11/2026" {
		t.Errorf("Date = %q", got)
	}
	for d, want := range map[time.Duration]string{
		0: "0:00", -time.Second: "0:00", 299 * time.Second: "4:59",
		4*time.Minute + 59*time.Second + 100*time.Millisecond: "5:00", time.Hour: "60:00",
	} {
		if got := vi.Clock(d); got != want {
			t.Errorf("Clock(%v) = %q, want %q", d, got, want)
		}
	}
}
