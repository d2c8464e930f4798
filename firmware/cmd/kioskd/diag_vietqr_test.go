package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func runDiag(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	code = dispatch(context.Background(), e, args)
	return code, out.String(), errb.String()
}

func TestDiagVietQR(t *testing.T) {
	code, out, errs := runDiag(t, "diag", "vietqr", "encode", "--bin", "970436", "--account", "0011001234567", "--amount", "50000", "--bill", "K06A7X2Q", "--purpose", "Viện phí")
	if code != exitOK {
		t.Fatalf("encode exit %d: %s", code, errs)
	}
	payload := strings.TrimSpace(out)
	if strings.Count(out, "\n") != 1 || !strings.HasPrefix(payload, "000201010212") {
		t.Fatalf("encode printed %q", out)
	}
	code, out, errs = runDiag(t, "diag", "vietqr", "decode", payload)
	if code != exitOK {
		t.Fatalf("decode exit %d: %s", code, errs)
	}
	var got vietQRJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	want := vietQRJSON{BIN: "970436", Bank: "Vietcombank", Account: "0011001234567", Service: "QRIBFTTA", Amount: 50000,
		Currency: "704", Country: "VN", Bill: "K06A7X2Q", Purpose: "Vien phi", CRC: payload[len(payload)-4:], CRCValid: true}
	if got != want {
		t.Fatalf("decode = %+v\nwant %+v", got, want)
	}

	bad := payload[:len(payload)-4] + "0000"
	if code, out, errs = runDiag(t, "diag", "vietqr", "decode", bad); code != exitFailure || !strings.Contains(errs, "CRC mismatch") || !strings.Contains(out, `"crc_valid": false`) {
		t.Fatalf("bad CRC: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if code, _, errs = runDiag(t, "diag", "vietqr", "decode", "00020101021"); code != exitFailure || !strings.Contains(errs, "offset") {
		t.Fatalf("malformed: exit %d, stderr %q", code, errs)
	}
	if code, _, _ = runDiag(t, "diag", "vietqr", "encode", "--bin", "97043X", "--account", "1"); code != exitUsage {
		t.Fatalf("bad BIN: exit %d, want %d", code, exitUsage)
	}
	if code, out, _ = runDiag(t, "diag", "vietqr", "encode", "--bin", "970436", "--account", "9704360012345678", "--card"); code != exitOK || !strings.Contains(out, "QRIBFTTC") {
		t.Fatalf("card: exit %d, %q", code, out)
	}
}
