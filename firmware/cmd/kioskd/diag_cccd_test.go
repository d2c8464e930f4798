package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func runDiagStdin(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	code = dispatch(context.Background(), e, args)
	return code, out.String(), errb.String()
}

func TestDiagCCCDQR(t *testing.T) {
	code, out, errs := runDiagStdin(t, "", "diag", "cccd-qr", "001089012345||Nguyễn Văn An|15031989|Nam|Hà Nội|10052023")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var got cccdQRJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if got.ID != "001089012345" || got.DOB != "1989-03-15" || got.IssueDate != "2023-05-10" || got.CAN != "012345" ||
		got.Sex != "Nam" || len(got.BACCandidates) == 0 || got.BACCandidates[0].Exp != "290315" || got.BACCandidates[0].Doc != "089012345" {
		t.Errorf("got %+v", got)
	}
	code, _, errs = runDiagStdin(t, "", "diag", "cccd-qr", "https://example.com")
	if code != exitUsage || !strings.Contains(errs, "unsupported QR") {
		t.Errorf("bad payload: exit %d, %q", code, errs)
	}
}

func TestDiagMRZ(t *testing.T) {
	const good = "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<\n"
	code, out, errs := runDiagStdin(t, good, "diag", "mrz")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var got mrzJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if got.DocNumber != "D23145890" || !got.Valid || got.GivenNames != "ANNA MARIA" {
		t.Errorf("got %+v", got)
	}
	code, out, _ = runDiagStdin(t, strings.Replace(good, "7408122", "7408123", 1), "diag", "mrz")
	if code != exitFailure || !strings.Contains(out, `"dob": false`) {
		t.Errorf("bad check digit: exit %d, %s", code, out)
	}
	if code, _, _ = runDiagStdin(t, "nonsense", "diag", "mrz"); code != exitUsage {
		t.Errorf("garbage: exit %d", code)
	}
}
