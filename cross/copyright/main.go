// Command copyright writes the Debian copyright file of the kiosk06 package
// (/usr/share/doc/kiosk06/copyright, machine-readable DEP-5) for one built
// kioskd: every Go module the binary links, as the binary itself records
// them (debug/buildinfo, what `go version -m` prints), with the licence,
// NOTICE, PATENTS and AUTHORS files those modules ship, read from the module
// cache. cross/deb runs it on every build, so the file cannot go stale: a
// new or updated dependency is in the next package.
//
// A licence file is named by its SPDX-License-Identifier line when it has
// one, otherwise by Debian's licensecheck(1); a file neither can name must
// be listed, by its SHA-256, in reviewed.tsv beside this file after a person
// read it. An unnamed licence, or one that is not on the accepted list
// (permissive licences a proprietary firmware may ship), fails the build.
//
// Which licence files belong to the binary: those at a module's root, in the
// folders above each linked package, beside each file a linked package
// embeds (fonts), and anywhere below a cgo package (vendored C code such as
// GLFW). The linked packages come from `go list -deps` with the binary's own
// build settings (GOOS, GOARCH, tags).
//
// Usage: go run ./cross/copyright [-head FILE] -o OUT BINARY
//
// It imports nothing of the project; nothing imports it.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
)

func main() {
	head := flag.String("head", "cross/debian/copyright.head", "the hand-written header and first paragraphs (the project's own licence)")
	out := flag.String("o", "", "where to write the copyright file")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: go run ./cross/copyright [-head FILE] -o OUT BINARY")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 || *out == "" {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *head, flag.Arg(0), *out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// run writes the copyright file for binary to out.
func run(ctx context.Context, headPath, binary, out string) error {
	head, err := os.ReadFile(headPath)
	if err != nil {
		return fmt.Errorf("copyright: header: %w", err)
	}
	reviewed, err := loadReviewed(reviewedPath())
	if err != nil {
		return err
	}
	l := &lister{goCmd: "go"}
	mods, err := l.linked(ctx, binary)
	if err != nil {
		return err
	}
	c := &classifier{reviewed: reviewed, licensecheck: "licensecheck"}
	paras, err := paragraphs(ctx, mods, c)
	if err != nil {
		return err
	}
	text := string(head) + formatParagraphs(paras)
	if err := os.WriteFile(out, []byte(text), 0o644); err != nil {
		return fmt.Errorf("copyright: %w", err)
	}
	return nil
}
