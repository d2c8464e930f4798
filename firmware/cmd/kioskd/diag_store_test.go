package main

import (
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"strings"
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
