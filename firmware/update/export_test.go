package update

import (
	"crypto/ed25519"

	"github.com/kiosk06/kiosk/firmware/envelope"
)

// envelopeSeal signs a trigger without Sign's shape checks (to test Open's).
func envelopeSeal(key ed25519.PrivateKey, t Trigger) ([]byte, error) {
	return envelope.SealJSON(key, t)
}

// envelopeSealRaw signs any payload.
func envelopeSealRaw(key ed25519.PrivateKey, p []byte) ([]byte, error) { return envelope.Seal(key, p) }
