package main

import (
	"encoding/json"
	"testing"
)

// ICAO 9303-11 Appendix D.2 through the CLI.
func TestDiagEmrtdKeys(t *testing.T) {
	code, out, errs := runDiag(t, "diag", "emrtd-keys", "--doc", "L898902C<", "--dob", "690806", "--exp", "940623")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var got map[string]string
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v: %q", err, out)
	}
	want := map[string]string{
		"kseed": "239AB9CB282DAF66231DC5A4DF6BFBAE",
		"kenc":  "AB94FDECF2674FDFB9B391F85D7F76F2",
		"kmac":  "7962D9ECE03D1ACD4C76089DCE131543",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %s", k, got[k], v)
		}
	}
	for _, args := range [][]string{
		{"--doc", "L898902C<", "--dob", "6908", "--exp", "940623"},
		{"--dob", "690806", "--exp", "940623"},
		{"--doc", "X", "--dob", "690806", "--exp", "94O623"},
	} {
		if code, _, _ := runDiag(t, append([]string{"diag", "emrtd-keys"}, args...)...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, exitUsage)
		}
	}
}
