package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/remoteconfig"
)

// cmdConfigKeygen writes a new remote-configuration signing key: the
// operator's side (OPERATIONS.md, Remote configuration).
func cmdConfigKeygen(_ context.Context, e *env, args []string) int {
	fs := newFlags(e, "config keygen", "kioskd config keygen --out FILE")
	out := fs.String("out", "", "where to write the private key (base64, mode 0600); never on a device")
	if code, ok := parseFlags(fs, e, args); !ok {
		return code
	}
	if *out == "" || fs.NArg() != 0 {
		fs.Usage()
		return exitUsage
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return failf(e, exitFailure, "config keygen: %v", err)
	}
	f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return failf(e, exitFailure, "config keygen: %v", err)
	}
	if _, err := fmt.Fprintln(f, base64.StdEncoding.EncodeToString(priv)); err != nil {
		f.Close()
		return failf(e, exitFailure, "config keygen: %v", err)
	}
	if err := f.Close(); err != nil {
		return failf(e, exitFailure, "config keygen: %v", err)
	}
	fmt.Fprintf(e.stdout, "[remote_config]\npublic_key = %q\n", base64.StdEncoding.EncodeToString(pub))
	return exitOK
}

// cmdConfigBundle checks a configuration file as the device will and
// prints it as a signed bundle, ready to publish on the device's
// kiosk06/v1/{device}/down/config topic.
func cmdConfigBundle(_ context.Context, e *env, args []string) int {
	fs := newFlags(e, "config bundle", "kioskd config bundle --key FILE --version N [--valid 168h] [--sim] CONFIG")
	keyFile := fs.String("key", "", "the private key file from kioskd config keygen")
	version := fs.Uint64("version", 0, "the bundle's version: above every version this device took (a date such as 2026120101 works)")
	valid := fs.Duration("valid", 7*24*time.Hour, "how long the bundle may be applied from now")
	sim := fs.Bool("sim", false, "check the file as `kioskd run --sim` runs it")
	if code, ok := parseFlags(fs, e, args); !ok {
		return code
	}
	if *keyFile == "" || *version == 0 || fs.NArg() != 1 {
		fs.Usage()
		return exitUsage
	}
	doc, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return failf(e, exitUsage, "config bundle: %v", err)
	}
	cfg, err := config.Parse(fs.Arg(0), doc, e.registry().Config(*sim))
	if err != nil {
		printConfigErrors(e, err)
		return exitUsage
	}
	raw, err := os.ReadFile(*keyFile)
	if err != nil {
		return failf(e, exitUsage, "config bundle: %v", err)
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil || len(key) != ed25519.PrivateKeySize {
		return failf(e, exitUsage, "config bundle: %s is not a key from kioskd config keygen", *keyFile)
	}
	now := time.Now().UTC()
	out, err := remoteconfig.Sign(ed25519.PrivateKey(key), remoteconfig.Bundle{Device: cfg.Device.ID, Version: *version,
		Signed: now, NotBefore: now.Add(-5 * time.Minute), Expires: now.Add(*valid), Config: string(doc)})
	if err != nil {
		return failf(e, exitFailure, "config bundle: %v", err)
	}
	fmt.Fprintln(e.stdout, string(out))
	return exitOK
}
