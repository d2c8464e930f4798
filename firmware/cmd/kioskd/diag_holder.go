package main

import (
	"bufio"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kiosk06/kiosk/drivers/fingerprint"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/records"
)

const fingerprintEraseSynopsis = "kioskd diag fingerprint-erase --db PATH [--key FILE] [--holder-key FILE] --device r30x:/dev/ttyX[@57600] [--timeout 30s] < ID_NUMBER"

// fingerprintEraseJSON is what `diag fingerprint-erase` prints (never the
// ID number).
type fingerprintEraseJSON struct {
	Erased bool   `json:"erased"`
	Reason string `json:"reason,omitempty"` // not_enrolled, module_absent, error
	Error  string `json:"error,omitempty"`
}

// diagFingerprintErase is `kioskd diag fingerprint-erase`: a citizen's
// erasure request handled by staff — the holder's fingerprint template and
// its binding are deleted through identity.Holder.Delete, with the audit
// record the kiosk itself would write. The 12-digit ID number is read from
// stdin, so it stays out of the shell history and the process list.
func diagFingerprintErase(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "diag fingerprint-erase", fingerprintEraseSynopsis)
	db := fs.String("db", "", "store database file (the kiosk's [device] data_dir/kiosk.db)")
	key := fs.String("key", "", "sealing key file (default <db>.key)")
	holderKey := fs.String("holder-key", "", "holder binding key file (default holder.key beside the database)")
	device := fs.String("device", "", "fingerprint module, r30x:/dev/PATH[@BAUD]")
	timeout := fs.Duration("timeout", 30*time.Second, "time allowed for the erasure")
	if code, ok := parseFlags(fs, e, args); !ok {
		return code
	}
	if *db == "" || *device == "" || fs.NArg() != 0 {
		fs.Usage()
		return exitUsage
	}
	if *holderKey == "" {
		*holderKey = filepath.Join(filepath.Dir(*db), "holder.key")
	}
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	id := strings.TrimSpace(line)
	if len(id) != 12 || strings.Trim(id, "0123456789") != "" || err != nil && id == "" {
		return failf(e, exitUsage, "kioskd diag fingerprint-erase: give the 12-digit ID number on stdin")
	}
	hk, err := os.ReadFile(*holderKey)
	if err != nil {
		return failf(e, exitFailure, "kioskd diag fingerprint-erase: holder key: %v", err)
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	st, err := openDiagStore(ctx, e, *db, *key, "")
	if err != nil {
		return failf(e, exitFailure, "kioskd diag fingerprint-erase: %v", err)
	}
	defer st.Close()
	mod, err := fingerprint.Open(ctx, *device, fingerprint.Opts{})
	if err != nil {
		return fingerprintFail(e, err)
	}
	defer mod.Close()
	hs := records.NewHolderStore(st)
	h, err := identity.NewHolder(mod, hs, hs, identity.HolderOptions{DeviceKey: []byte(strings.TrimSpace(string(hk)))})
	if err != nil {
		return failf(e, exitFailure, "kioskd diag fingerprint-erase: %v", err)
	}
	out := fingerprintEraseJSON{Erased: true}
	err = h.Delete(ctx, id)
	switch {
	case errors.Is(err, identity.ErrNotEnrolled):
		out = fingerprintEraseJSON{Reason: "not_enrolled"}
	case errors.Is(err, identity.ErrModuleAbsent):
		out = fingerprintEraseJSON{Reason: "module_absent", Error: err.Error()}
	case err != nil:
		out = fingerprintEraseJSON{Reason: "error", Error: err.Error()}
	}
	if code := cccdPrintJSON(e, out); code != exitOK {
		return code
	}
	if out.Reason != "" && out.Reason != "not_enrolled" {
		return exitFailure
	}
	return exitOK
}
