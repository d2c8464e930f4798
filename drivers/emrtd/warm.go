package emrtd

import "github.com/kiosk06/kiosk/drivers/emrtd/internal/ecc"

// WarmUp builds, once per process, the tables the reader's brainpool
// arithmetic uses (brainpoolP256r1, P384r1, P512r1 base-point multiples),
// so that the first card read after start-up does not pay for them: about
// 15 ms on x86, several times that on a Cortex-A53 board. Safe to call
// concurrently and more than once.
func WarmUp() { ecc.WarmUp() }
