// Package crosstest is the test support for the cross/ folder: it builds
// kioskd with cross/build, runs it under qemu-user, packages it with
// cross/deb and checks the package (control, contents, lintian, copyright,
// changelog, systemd unit). The tests themselves live in its
// subpackages, one per architecture (arm64, armv7) so that `go test ./...`
// runs their cold cgo builds beside the other packages' tests, and
// debinstall (the package installed with dpkg into a Debian root); the
// checks of files that need no build (version scheme, udev rules) are this
// package's own tests.
//
// Only tests import it; it imports no package of the module (it drives
// kioskd as a binary, the way a board does).
//
// The cross toolchain comes from `make deps-cross` (.ci/deps cross); a test
// skips, saying which tool is missing, only when it is not installed. ARM
// binaries run as `QEMU_LD_PREFIX=PREFIX qemu-aarch64 BINARY`, PREFIX being
// "/" when the target's multiarch libraries are installed (design.md §9:
// `-L /usr/aarch64-linux-gnu` makes cgo binaries spin) or the Debian sysroot
// they were linked against (`cross/build ldprefix`), always under `timeout
// -s KILL`, because qemu-user can ignore SIGTERM. Every long step has its
// own deadline (CrossBuildLimit, …) and fails naming itself and the load.
package crosstest
