// Command brokenkioskd is the kioskd of a broken release, for the update
// cycle test (cross/crosstest/debupdate): packaged by the same cross/deb as
// the real one, it starts and exits 1 whatever it is asked, so its
// `kioskd selftest` fails the updater's health gate. It links libc through
// cgo, as the real kioskd does, so cross/deb finds its dependencies.
package main

// #include <stdlib.h>
import "C"

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "kioskd: this build is broken on purpose (the update cycle test's bad release)")
	C.exit(1)
}
