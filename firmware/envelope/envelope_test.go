package envelope_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"testing"

	"github.com/kiosk06/kiosk/firmware/envelope"
)

// TestSealOpen: a sealed payload opens with its key and with no other; a
// changed payload or signature, a missing part or garbage is refused with
// the sentinel callers map to their reason codes.
func TestSealOpen(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	other, _, _ := ed25519.GenerateKey(rand.Reader)
	body, err := envelope.SealJSON(priv, map[string]int{"version": 3})
	if err != nil {
		t.Fatal(err)
	}
	p, err := envelope.Open(pub, body)
	if err != nil || string(p) != `{"version":3}` {
		t.Fatalf("Open = %q, %v", p, err)
	}
	if _, err := envelope.Open(other, body); !errors.Is(err, envelope.ErrSignature) {
		t.Errorf("other key: %v, want ErrSignature", err)
	}
	if _, err := envelope.Open(nil, body); !errors.Is(err, envelope.ErrSignature) {
		t.Errorf("no key: %v, want ErrSignature", err)
	}
	var e envelope.Envelope
	_ = json.Unmarshal(body, &e)
	e.Payload = []byte(`{"version":4}`)
	tampered, _ := json.Marshal(e)
	if _, err := envelope.Open(pub, tampered); !errors.Is(err, envelope.ErrSignature) {
		t.Errorf("tampered payload: %v, want ErrSignature", err)
	}
	for _, bad := range []string{"", "{", `{"signature":"AAAA"}`, `[]`, `{"payload":"e30="}`} {
		_, err := envelope.Open(pub, []byte(bad))
		if !errors.Is(err, envelope.ErrMalformed) && !errors.Is(err, envelope.ErrSignature) {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if _, err := envelope.Seal(priv[:10], []byte("x")); err == nil {
		t.Error("Seal with a short key succeeded")
	}
}

// FuzzOpen: any bytes are refused or opened, never a panic.
func FuzzOpen(f *testing.F) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	good, _ := envelope.Seal(priv, []byte(`{"a":1}`))
	f.Add(good)
	f.Add([]byte(`{"payload":null,"signature":null}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := envelope.Open(pub, b)
		if err == nil && len(p) == 0 {
			t.Fatal("opened an empty payload")
		}
	})
}
