package ecc

//lint:file-ignore SA1019 the curves exist only as elliptic.Curve (see ecc.go); the test checks them through that API.

import (
	"encoding/hex"
	"math/big"
	"testing"
)

func n(s string) *big.Int {
	v, ok := new(big.Int).SetString(s, 16)
	if !ok {
		panic("bad hex")
	}
	return v
}

// ICAO 9303-11 Appendix G.1: mapping point H, mapped generator Ĝ, shared
// secret K on brainpoolP256r1.
func TestAppendixG1Mapping(t *testing.T) {
	c, err := ByParamID(13)
	if err != nil {
		t.Fatal(err)
	}
	pkIC := Point{c, n("824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F57"), n("30D8C879AAA9C9F73991E61B58F4D52EB87A0A0C709A49DC63719363CCD13C54")}
	if _, err := Unmarshal(c, pkIC.Marshal()); err != nil {
		t.Fatalf("PK_map,IC: %v", err)
	}
	s, _ := hex.DecodeString("3F00C4D39D153F2B2A214A078D899B22")
	mapped, h, err := MapGeneric(c, s, n("7F4EF07B9EA82FD78AD689B38D0BC78CF21F249D953BC46F4C6E19259C010F99"), pkIC)
	if err != nil {
		t.Fatal(err)
	}
	if h.X.Cmp(n("60332EF2450B5D247EF6D3868397D398852ED6E8CAF6FFEEF6BF85CA57057FD5")) != 0 ||
		h.Y.Cmp(n("0840CA7415BAF3E43BD414D35AA4608B93A2CAF3A4E3EA4E82C9C13D03EB7181")) != 0 {
		t.Errorf("H = %X, %X", h.X, h.Y)
	}
	if mapped.X.Cmp(n("8CED63C91426D4F0EB1435E7CB1D74A46723A0AF21C89634F65A9AE87A9265E2")) != 0 ||
		mapped.Y.Cmp(n("8C879506743F8611AC33645C5B985C80B5F09A0B83407C1B6A4D857AE76FE522")) != 0 {
		t.Errorf("G' = %X, %X", mapped.X, mapped.Y)
	}
	pkIC2 := Point{c, n("9E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB"), n("7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F094")}
	k, err := SharedX(n("A73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595"), pkIC2)
	if err != nil || hex.EncodeToString(k) != "28768d20701247dae81804c9e780ede582a9996db4a315020b2733197db84925" {
		t.Errorf("K = %x (err %v)", k, err)
	}
}

func TestUnmarshalRejects(t *testing.T) {
	c, _ := ByParamID(12)
	g := Generator(c).Marshal()
	bad := append([]byte(nil), g...)
	bad[len(bad)-1] ^= 1
	for name, b := range map[string][]byte{"off curve": bad, "empty": nil, "infinity": {0}, "compressed": g[:33]} {
		if _, err := Unmarshal(c, b); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}

func TestWarmUp(t *testing.T) {
	WarmUp()
	WarmUp() // the second call finds the tables built
	for _, id := range []int{13, 16, 17} {
		c, err := ByParamID(id)
		if err != nil {
			t.Fatal(err)
		}
		x, y := c.ScalarBaseMult([]byte{1})
		p := c.Params()
		if x.Cmp(p.Gx) != 0 || y.Cmp(p.Gy) != 0 {
			t.Errorf("%s: 1·G after WarmUp is not G", p.Name)
		}
	}
}
