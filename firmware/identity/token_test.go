package identity_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiosk06/kiosk/firmware/identity"
)

// Operator keys of the transit and parking tests these tests came from.
var (
	testKey    = []byte("operator-key-for-tests-0123456789abcdef")
	parkingKey = []byte("parking-operator-key-0123456789abcdef")
)

// testQR is a made-up CCCD QR; born 15/03/1990.
const testQR = "001090012345|123456789|Nguyen Van Thu|15031990|Nam|So 1 Duong Thu, Ha Noi|01012022"

func tokenizer(t testing.TB, key []byte) *identity.Tokenizer {
	tk, err := identity.NewTokenizer(key)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// TestTokenPinned pins the hex of each token kind under fixed keys, as
// computed independently (Python's hmac module: HMAC-SHA256 over the domain
// prefix and the value). Deny and pass lists built by the back-end and every
// stored transit tap and parking entry carry these strings: they must never
// change. (The same values were pinned in transit and parking before the
// token moved here.)
func TestTokenPinned(t *testing.T) {
	tk, pk := tokenizer(t, testKey), tokenizer(t, parkingKey)
	qr, err := tk.Of(identity.PresentQR(testQR))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		got  identity.Token
		want string
	}{
		{"id number", tk.ID("001090012345"), "f7de8f9c8e319bee2336696ebc52302d4795fce3470657293e44676732c024e7"},
		{"cccd qr", qr, "f7de8f9c8e319bee2336696ebc52302d4795fce3470657293e44676732c024e7"},
		{"fixed uid", tk.UID([]byte{0x04, 0xA1, 0xB2, 0xC3, 0xD4, 0xE5, 0xF6}), "8bd520ccd9c9ac0440e78f6bfc6caa712cffd5f3fc71020c8f9d13d92189ce20"},
		{"vneid", tk.VNeID("https://vneid.gov.vn/qr?t=eyJhbGciOi"), "bfb33c46ec28bd8701c1f05cc7cb96821b67417d7573645ddf7ec8ef4c93db82"},
		{"parking id number", pk.ID("001090012345"), "cfccf398c1f254a096ac56b8cba632d4e7a08fac338b14146695394868d3cac4"},
	} {
		if tc.got.String() != tc.want {
			t.Errorf("%s: token %s, want %s", tc.name, tc.got, tc.want)
		}
		back, err := identity.ParseToken(tc.want)
		if err != nil || back != tc.got {
			t.Errorf("%s: ParseToken = %s, %v", tc.name, back, err)
		}
	}
	other := tokenizer(t, []byte("another-operator-key-0123456789abcdef"))
	if other.ID("001090012345") == tk.ID("001090012345") {
		t.Error("two operators' keys give the same token")
	}
}

func TestTokenOf(t *testing.T) {
	tk := tokenizer(t, testKey)
	for _, tc := range []struct {
		name string
		p    identity.Presentation
		want identity.Token
		err  error
	}{
		{"qr", identity.Presentation{Method: identity.MethodQR, ID: "001090012345"}, tk.ID("001090012345"), nil},
		{"chip is the qr's token", identity.Presentation{Method: identity.MethodChip, ID: "001090012345"}, tk.ID("001090012345"), nil},
		{"uid", identity.Presentation{Method: identity.MethodUID, UID: []byte{4, 1, 2, 3, 4, 5, 6}}, tk.UID([]byte{4, 1, 2, 3, 4, 5, 6}), nil},
		{"vneid", identity.PresentQR("https://vneid.gov.vn/x"), tk.VNeID("https://vneid.gov.vn/x"), nil},
		{"empty id", identity.Presentation{Method: identity.MethodChip}, identity.Token{}, identity.ErrUnusable},
		{"short id", identity.Presentation{Method: identity.MethodChip, ID: "12345"}, identity.Token{}, identity.ErrUnusable},
		{"letter in id", identity.Presentation{Method: identity.MethodChip, ID: "00109001234X"}, identity.Token{}, identity.ErrUnusable},
		{"13 digits", identity.Presentation{Method: identity.MethodChip, ID: "0010900123456"}, identity.Token{}, identity.ErrUnusable},
		{"uid without uid", identity.Presentation{Method: identity.MethodUID}, identity.Token{}, identity.ErrUnusable},
		{"unusable", identity.PresentQR("https://example.com/"), identity.Token{}, identity.ErrUnusable},
		{"nothing", identity.Presentation{}, identity.Token{}, identity.ErrUnusable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tk.Of(tc.p)
			if !errors.Is(err, tc.err) || got != tc.want {
				t.Fatalf("Of = %s, %v; want %s, %v", got, err, tc.want, tc.err)
			}
		})
	}
}

func TestParseTokenRejects(t *testing.T) {
	for _, s := range []string{"", "abc", strings.Repeat("g", 64), strings.Repeat("a", 63), strings.Repeat("a", 65)} {
		if _, err := identity.ParseToken(s); err == nil {
			t.Errorf("ParseToken(%q) accepted", s)
		}
	}
}

func TestNewTokenizerKey(t *testing.T) {
	for _, k := range [][]byte{nil, []byte("short"), make([]byte, identity.MinKeyLen-1)} {
		if _, err := identity.NewTokenizer(k); !errors.Is(err, identity.ErrKey) {
			t.Fatalf("%d-byte key: %v, want ErrKey", len(k), err)
		}
	}
	if _, err := identity.NewTokenizer(make([]byte, identity.MinKeyLen)); err != nil {
		t.Fatal(err)
	}
}

func TestLoadKey(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if k, err := identity.LoadKey(write("hex", strings.Repeat("cd", 32)+"\n")); err != nil || len(k) != 32 || k[0] != 0xcd {
		t.Fatalf("hex key: %x, %v", k, err)
	}
	if k, err := identity.LoadKey(write("raw", string(testKey))); err != nil || string(k) != string(testKey) {
		t.Fatalf("raw key: %v", err)
	}
	for _, p := range []string{write("short", "abc"), filepath.Join(dir, "missing")} {
		if _, err := identity.LoadKey(p); !errors.Is(err, identity.ErrKey) {
			t.Errorf("%s: %v", p, err)
		}
	}
}

func FuzzParseToken(f *testing.F) {
	for _, s := range []string{"", strings.Repeat("ab", 32), strings.Repeat("AB", 32), strings.Repeat("zz", 32), "f7de8f9c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := identity.ParseToken(s)
		if err != nil {
			return
		}
		if !strings.EqualFold(tok.String(), s) {
			t.Fatalf("ParseToken(%q) = %s", s, tok)
		}
	})
}
