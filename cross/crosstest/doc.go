// Package crosstest checks, from `make test`, what the cross/ folder
// produces: the ARM cgo builds of kioskd (cross/build), run for real under
// qemu-user, and the .deb (cross/deb, cross/nfpm.yaml) with its systemd unit
// and udev rules.
//
// It holds tests only: no production code imports it, and it imports no
// package of the module (it drives kioskd as a binary, the way a board does).
//
// The cross toolchain comes from `make deps-cross` (.ci/deps cross); a test
// skips, saying which tool is missing, only when it is not installed. ARM
// binaries run as `QEMU_LD_PREFIX=PREFIX qemu-aarch64 BINARY`, PREFIX being
// "/" when the target's multiarch libraries are installed (design.md §9:
// `-L /usr/aarch64-linux-gnu` makes cgo binaries spin) or the Debian sysroot
// they were linked against (`cross/build ldprefix`), always under `timeout
// -s KILL`, because qemu-user can ignore SIGTERM.
package crosstest
