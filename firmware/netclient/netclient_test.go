package netclient

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestCheckURL(t *testing.T) {
	for _, tc := range []struct {
		url      string
		insecure bool
		ok       bool
		plain    bool
	}{
		{"https://collector.example.vn", false, true, false},
		{"https://collector.example.vn:8443/base", false, true, false},
		{"http://127.0.0.1:9000", false, false, true},
		{"http://127.0.0.1:9000", true, true, false},
		{"HTTP://example.vn", false, false, true},
		{"ftp://example.vn", true, false, false},
		{"https://", false, false, false},
		{"collector.example.vn", false, false, false},
		{"https://%zz", false, false, false},
	} {
		err := CheckURL(tc.url, tc.insecure)
		if (err == nil) != tc.ok {
			t.Errorf("CheckURL(%q, %v) = %v, want ok %v", tc.url, tc.insecure, err, tc.ok)
		}
		if errors.Is(err, ErrInsecureURL) != tc.plain {
			t.Errorf("CheckURL(%q, %v) = %v, want ErrInsecureURL %v", tc.url, tc.insecure, err, tc.plain)
		}
	}
}

func TestSameOrigin(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"https://up.example.vn/v1", "https://up.example.vn/lists", true},
		{"https://up.example.vn", "https://up.example.vn:443/x", true},
		{"https://UP.example.vn", "https://up.example.vn", true},
		{"https://up.example.vn", "http://up.example.vn", false},
		{"https://up.example.vn", "https://lists.example.vn", false},
		{"https://up.example.vn:8443", "https://up.example.vn", false},
		{"https://up.example.vn", "https://up.example.vn.evil.example", false},
		{"", "", false},
	} {
		if got := SameOrigin(tc.a, tc.b); got != tc.want {
			t.Errorf("SameOrigin(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(bad, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, tl := range map[string]TLS{
		"missing CA":       {CAFile: filepath.Join(dir, "none.pem")},
		"CA without PEM":   {CAFile: bad},
		"cert without key": {ClientCert: bad},
	} {
		if _, err := New(tl, 0); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
	if c, err := New(TLS{}, 0); err != nil || c == nil {
		t.Fatalf("New(empty) = %v, %v", c, err)
	}
}
