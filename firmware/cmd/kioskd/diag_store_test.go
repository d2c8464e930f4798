package main

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/kiosk06/kiosk/tests/collector"
)

func TestDiagStoreTools(t *testing.T) {
	db := filepath.Join(t.TempDir(), "kiosk.db")
	code, out, errs := runDiag(t, "diag", "txgen", "--db", db, "--count", "7", "--kind", "transit.tap", "--device-id", "bus-29B-01", "--writers", "3", "--personal")
	if code != exitOK {
		t.Fatalf("txgen exit %d: %s", code, errs)
	}
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 7 || !strings.HasPrefix(lines[0], "acked ") {
		t.Fatalf("txgen printed %q", out)
	}

	var ob struct {
		Pending      int64   `json:"pending"`
		OldestAge    float64 `json:"oldest_pending_age_s"`
		LastAckedSeq int64   `json:"last_acked_seq"`
		Quarantined  int64   `json:"quarantined"`
	}
	outbox := func() {
		t.Helper()
		code, out, errs := runDiag(t, "diag", "outbox", "--db", db)
		if code != exitOK {
			t.Fatalf("outbox exit %d: %s", code, errs)
		}
		if err := json.Unmarshal([]byte(out), &ob); err != nil {
			t.Fatalf("outbox printed %q: %v", out, err)
		}
	}
	outbox()
	if ob.Pending != 7 || ob.OldestAge <= 0 || ob.LastAckedSeq != 0 {
		t.Fatalf("outbox before upload: %+v", ob)
	}

	col := collector.New(collector.Options{Token: "t0k"})
	srv := httptest.NewServer(col)
	defer srv.Close()
	if code, _, _ := runDiag(t, "diag", "upload", "--db", db, "--url", srv.URL, "--token", "wrong"); code != exitFailure {
		t.Fatalf("upload with a wrong token: exit %d, want %d", code, exitFailure)
	}
	code, out, errs = runDiag(t, "diag", "upload", "--db", db, "--url", srv.URL, "--token", "t0k")
	if code != exitOK || !strings.Contains(out, `"acked_through": 7`) {
		t.Fatalf("upload exit %d: %s %s", code, out, errs)
	}
	outbox()
	if ob.Pending != 0 || ob.LastAckedSeq != 7 || len(col.Seqs("bus-29B-01")) != 7 {
		t.Fatalf("after upload: %+v, collector %v", ob, col.Seqs("bus-29B-01"))
	}
	// A second txgen without --device-id continues the same device's seqs.
	code, out, _ = runDiag(t, "diag", "txgen", "--db", db, "--count", "1")
	if code != exitOK || out != "acked 8\n" {
		t.Fatalf("txgen again: %d %q", code, out)
	}
}

func TestDiagStoreUsage(t *testing.T) {
	for _, args := range [][]string{
		{"diag", "txgen", "--count", "1"},
		{"diag", "txgen", "--db", "x.db"},
		{"diag", "outbox"},
		{"diag", "upload", "--db", "x.db"},
	} {
		if code, _, _ := runDiag(t, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, exitUsage)
		}
	}
	if code, _, _ := runDiag(t, "diag", "outbox", "--db", filepath.Join(t.TempDir(), "missing.db")); code != exitFailure {
		t.Errorf("outbox of a missing db: exit %d", code)
	}
}

// TestDiagStoreRecovery walks the two ways out: a lost sealing key
// (quarantine-unreadable) and a damaged database (salvage), each refused
// by `diag store check` with exit 1 and the command that recovers it.
func TestDiagStoreRecovery(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "kiosk.db")
	if code, _, errs := runDiag(t, "diag", "txgen", "--db", db, "--count", "6", "--personal", "--device-id", "kiosk-7"); code != exitOK {
		t.Fatalf("txgen: %s", errs)
	}
	if code, out, errs := runDiag(t, "diag", "store", "check", "--db", db); code != exitOK || !strings.Contains(out, `"store_epoch"`) {
		t.Fatalf("check of a good store: %d %s %s", code, out, errs)
	}
	if err := os.Remove(db + ".key"); err != nil {
		t.Fatal(err)
	}
	code, _, errs := runDiag(t, "diag", "store", "check", "--db", db)
	if code != exitFailure || !strings.Contains(errs, "quarantine-unreadable --db "+db) {
		t.Fatalf("check without the key: exit %d, %s", code, errs)
	}
	if _, err := os.Stat(db + ".key"); err == nil {
		t.Fatal("check created a new key")
	}
	code, out, errs := runDiag(t, "diag", "store", "quarantine-unreadable", "--db", db)
	if code != exitOK || !strings.Contains(out, `"records": 6`) {
		t.Fatalf("quarantine-unreadable: %d %s %s", code, out, errs)
	}
	if code, _, errs := runDiag(t, "diag", "store", "check", "--db", db); code != exitOK {
		t.Fatalf("check after quarantine-unreadable: %s", errs)
	}
	// A damaged database: refused, then salvaged into a new epoch.
	f, err := os.OpenFile(db, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteAt([]byte("not a database header, damage"), 0)
	f.Close()
	code, _, errs = runDiag(t, "diag", "store", "check", "--db", db)
	if code != exitFailure || !strings.Contains(errs, "salvage --db "+db) {
		t.Fatalf("check of a damaged database: exit %d, %s", code, errs)
	}
	code, out, errs = runDiag(t, "diag", "store", "salvage", "--db", db, "--device-id", "kiosk-7")
	if code != exitFailure || !strings.Contains(errs, "cannot be read at all") {
		t.Fatalf("salvage of an unreadable header: %d %s %s", code, out, errs)
	}
	if _, err := os.Stat(db); err != nil {
		t.Fatalf("a failed salvage left no database in place: %v", err)
	}
}

// TestDiagOutboxRelease: after a backend rejected records (quarantine
// budget spent), the operator returns them to the outbox.
func TestDiagOutboxRelease(t *testing.T) {
	db := filepath.Join(t.TempDir(), "kiosk.db")
	runDiag(t, "diag", "txgen", "--db", db, "--count", "20")
	col := collector.New(collector.Options{Reject: func(string, collector.Record) bool { return true }})
	srv := httptest.NewServer(col)
	defer srv.Close()
	if code, _, _ := runDiag(t, "diag", "upload", "--db", db, "--url", srv.URL); code != exitFailure {
		t.Fatalf("upload to a rejecting backend: exit %d", code)
	}
	var ob struct {
		Pending       int64 `json:"pending"`
		Quarantined   int64 `json:"quarantined"`
		QuarantineRun int64 `json:"quarantine_run"`
	}
	read := func() {
		_, out, _ := runDiag(t, "diag", "outbox", "--db", db)
		json.Unmarshal([]byte(out), &ob)
	}
	read()
	if ob.Quarantined != 10 || ob.QuarantineRun != 10 || ob.Pending != 10 {
		t.Fatalf("after rejection: %+v", ob)
	}
	if code, _, _ := runDiag(t, "diag", "outbox", "release", "--db", db); code != exitUsage {
		t.Fatal("release without --seq or --all accepted")
	}
	code, out, errs := runDiag(t, "diag", "outbox", "release", "--db", db, "--seq", "1,2")
	if code != exitOK || !strings.Contains(out, `"released": 2`) {
		t.Fatalf("release --seq: %d %s %s", code, out, errs)
	}
	if code, out, _ = runDiag(t, "diag", "outbox", "release", "--db", db, "--all"); !strings.Contains(out, `"released": 8`) {
		t.Fatalf("release --all: %d %s", code, out)
	}
	read()
	if ob.Quarantined != 0 || ob.QuarantineRun != 0 || ob.Pending != 20 {
		t.Fatalf("after release: %+v", ob)
	}
}

// TestDiagAsRootKeepsServiceOwnership: `sudo kioskd diag …` on the service's
// state directory must not leave files the service user cannot open.
func TestDiagAsRootKeepsServiceOwnership(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	dir := filepath.Join(t.TempDir(), "state")
	os.Mkdir(dir, 0o750)
	if err := os.Chown(dir, 4242, 4242); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "kiosk.db")
	runDiag(t, "diag", "txgen", "--db", db, "--count", "3")
	if code, _, errs := runDiag(t, "diag", "store", "check", "--db", db); code != exitOK {
		t.Fatal(errs)
	}
	files, _ := filepath.Glob(db + "*")
	for _, f := range files {
		fi, _ := os.Lstat(f)
		if st := fi.Sys().(*syscall.Stat_t); st.Uid != 4242 && !strings.HasSuffix(f, ".key") {
			t.Errorf("%s owned by uid %d after diag store check as root", filepath.Base(f), st.Uid)
		}
	}
}
