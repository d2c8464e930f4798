package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/kiosk06/kiosk/firmware/admin"
)

func TestAdminPIN(t *testing.T) {
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader("246813\n"), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	if code := dispatch(context.Background(), e, []string{"admin", "pin", "kythuat1"}); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if strings.Contains(out.String(), "246813") {
		t.Fatal("the PIN is printed")
	}
	pins, err := admin.ParsePINs(&out)
	if err != nil {
		t.Fatal(err)
	}
	g, err := admin.NewGuard(pins, admin.Policy{}, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := g.Check("246813"); r.Staff != "kythuat1" {
		t.Fatalf("the printed line does not take the PIN: %+v", r)
	}
	e.stdin, e.stdout = strings.NewReader("12ab\n"), &out
	if code := dispatch(context.Background(), e, []string{"admin", "pin", "x"}); code != exitUsage {
		t.Fatalf("a bad PIN: exit %d", code)
	}
}
