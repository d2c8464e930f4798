package main

import (
	"encoding/json"
	"testing"
)

func TestDiagBenchTransit(t *testing.T) {
	code, out, errs := runDiag(t, "diag", "bench", "transit", "--taps", "20", "--dir", t.TempDir())
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var got struct {
		Taps  int     `json:"taps"`
		P50   float64 `json:"p50_ms"`
		P99   float64 `json:"p99_ms"`
		Max   float64 `json:"max_ms"`
		Extra float64 `json:"taps_per_s"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v: %q", err, out)
	}
	if got.Taps != 20 || got.P50 <= 0 || got.P99 < got.P50 || got.Max < got.P99 {
		t.Fatalf("result %+v", got)
	}
	if code, _, _ := runDiag(t, "diag", "bench", "transit", "--taps", "0"); code != exitUsage {
		t.Fatalf("--taps 0: exit %d", code)
	}
}
