package sm

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
)

func h(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// RFC 4493 §4 AES-CMAC examples.
func TestCMACRFC4493(t *testing.T) {
	key := h(t, "2b7e151628aed2a6abf7158809cf4f3c")
	msg := h(t, "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710")
	for _, tc := range []struct {
		n    int
		want string
	}{
		{0, "bb1d6929e95937287fa37d129b756746"},
		{16, "070a16b46b4d4144f79bdd9dd04a287c"},
		{40, "dfa66747de9ae63030ca32611497c827"},
		{64, "51f0bebf7e3b9d92fc49741779363cfe"},
	} {
		got, err := CMAC(key, msg[:tc.n])
		if err != nil || !bytes.Equal(got, h(t, tc.want)) {
			t.Errorf("CMAC(%d bytes) = %x, want %s (err %v)", tc.n, got, tc.want, err)
		}
	}
}

// ICAO 9303-11 Appendix D.3 and G.1 key derivations.
func TestKDF(t *testing.T) {
	for _, tc := range []struct {
		name    string
		secret  string
		counter uint32
		alg     Alg
		n       int
		want    string
	}{
		{"D.2 K_enc", "239AB9CB282DAF66231DC5A4DF6BFBAE", CounterEnc, TDES, 16, "AB94FDECF2674FDFB9B391F85D7F76F2"},
		{"D.2 K_mac", "239AB9CB282DAF66231DC5A4DF6BFBAE", CounterMac, TDES, 16, "7962D9ECE03D1ACD4C76089DCE131543"},
		{"D.3 KS_enc", "0036D272F5C350ACAC50C3F572D23600", CounterEnc, TDES, 16, "979EC13B1CBFE9DCD01AB0FED307EAE5"},
		{"D.3 KS_mac", "0036D272F5C350ACAC50C3F572D23600", CounterMac, TDES, 16, "F1CB1F1FB5ADF208806B89DC579DC1F8"},
		{"G.1 K_pi", "7E2D2A41C74EA0B38CD36F863939BFA8E9032AAD", CounterPI, AES, 16, "89DED1B26624EC1E634C1989302849DD"},
		{"G.1 KS_enc", "28768D20701247DAE81804C9E780EDE582A9996DB4A315020B2733197DB84925", CounterEnc, AES, 16, "F5F0E35C0D7161EE6724EE513A0D9A7F"},
		{"G.1 KS_mac", "28768D20701247DAE81804C9E780EDE582A9996DB4A315020B2733197DB84925", CounterMac, AES, 16, "FE251C7858B356B24514B3BD5F4297D1"},
	} {
		got, err := KDF(h(t, tc.secret), tc.counter, tc.alg, tc.n)
		if err != nil || !bytes.Equal(got, h(t, tc.want)) {
			t.Errorf("%s = %X, want %s (err %v)", tc.name, got, tc.want, err)
		}
	}
	if _, err := KDF([]byte{1}, 1, TDES, 24); err == nil {
		t.Error("KDF accepted a 24-byte 3DES key")
	}
}

// ICAO 9303-11 Appendix G.1: nonce decryption and authentication tokens.
func TestAppendixG1NonceAndTokens(t *testing.T) {
	s, err := DecryptCBC(AES, h(t, "89DED1B26624EC1E634C1989302849DD"), nil, h(t, "95A3A016522EE98D01E76CB6B98B42C3"))
	if err != nil || !bytes.Equal(s, h(t, "3F00C4D39D153F2B2A214A078D899B22")) {
		t.Errorf("s = %X (err %v)", s, err)
	}
	mac := h(t, "FE251C7858B356B24514B3BD5F4297D1")
	tIFD, _ := TokenMAC(AES, mac, h(t, "7F494F060A04007F000702020402028641049E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F094"))
	tIC, _ := TokenMAC(AES, mac, h(t, "7F494F060A04007F000702020402028641042DB7A64C0355044EC9DF190514C625CBA2CEA48754887122F3A5EF0D5EDD301C3556F3B3B186DF10B857B58F6A7EB80F20BA5DC7BE1D43D9BF850149FBB36462"))
	if !bytes.Equal(tIFD, h(t, "C2B0BD78D94BA866")) || !bytes.Equal(tIC, h(t, "3ABB9674BCE93C08")) {
		t.Errorf("T_IFD %X T_IC %X", tIFD, tIC)
	}
}

func TestSSCWraps(t *testing.T) {
	k, err := NewKeys(TDES, make([]byte, 16), make([]byte, 16), h(t, "FFFFFFFFFFFFFFFF"))
	if err != nil {
		t.Fatal(err)
	}
	k.IncSSC()
	if !bytes.Equal(k.SSC, make([]byte, 8)) {
		t.Errorf("SSC = %X", k.SSC)
	}
}

// Both directions round-trip for both ciphers, short and extended, even
// and odd INS.
func TestWrapRoundTrip(t *testing.T) {
	for _, alg := range []Alg{TDES, AES} {
		for _, c := range []Command{
			{INS: 0xA4, P1: 2, P2: 0x0C, Data: []byte{1, 0x1E}},
			{INS: 0xB0, Ne: 223},
			{INS: 0xB0, Ne: 4000},
			{INS: 0xB1, Data: []byte{0x54, 2, 0x80, 0}, Ne: 300},
			{INS: 0x86, Data: bytes.Repeat([]byte{7}, 300), Ne: 256},
		} {
			term, _ := NewKeys(alg, bytes.Repeat([]byte{1}, 16), bytes.Repeat([]byte{2}, 16), nil)
			card, _ := NewKeys(alg, bytes.Repeat([]byte{1}, 16), bytes.Repeat([]byte{2}, 16), nil)
			raw, err := term.Wrap(c)
			if err != nil {
				t.Fatal(err)
			}
			got, err := card.UnwrapCommand(raw)
			if err != nil || got.INS != c.INS || !bytes.Equal(got.Data, c.Data) || got.Ne != c.Ne {
				t.Errorf("%v %X: unwrapped %+v, %v", alg, c.INS, got, err)
			}
			data := bytes.Repeat([]byte{9}, 200)
			resp, err := card.WrapResponse(data, 0x9000, c.INS&1 == 1)
			if err != nil {
				t.Fatal(err)
			}
			out, sw, err := term.Unwrap(resp[:len(resp)-2], 0x9000)
			if err != nil || sw != 0x9000 || !bytes.Equal(out, data) {
				t.Errorf("%v %X: response %X %04X %v", alg, c.INS, out, sw, err)
			}
			resp[3] ^= 1
			if _, _, err := term.Unwrap(resp[:len(resp)-2], 0x9000); err == nil {
				t.Errorf("%v: tampered response accepted", alg)
			}
		}
	}
}

func FuzzUnwrap(f *testing.F) {
	f.Add(h(f, "8709019FF0EC34F9922651990290008E08AD55CC17140B2DED"))
	f.Add(h(f, "990290008E08FA855A5D4C50A8ED"))
	f.Add([]byte{0x85, 0x81})
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, alg := range []Alg{TDES, AES} {
			k, _ := NewKeys(alg, bytes.Repeat([]byte{1}, 16), bytes.Repeat([]byte{2}, 16), nil)
			_, _, _ = k.Unwrap(body, 0x9000)
			k2, _ := NewKeys(alg, bytes.Repeat([]byte{1}, 16), bytes.Repeat([]byte{2}, 16), nil)
			_, _ = k2.UnwrapCommand(body)
		}
	})
}

func FuzzDecodeCommand(f *testing.F) {
	f.Add(h(f, "0CB000000D9701048E08ED6705417E96BA5500"))
	f.Add(h(f, "00B0000000FFFF"))
	f.Add(h(f, "0084000008"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := DecodeCommand(b)
		if err != nil {
			return
		}
		if c2, err := DecodeCommand(c.Encode()); err != nil || !bytes.Equal(c2.Data, c.Data) || c2.Ne != c.Ne {
			t.Errorf("re-encode of %X: %+v vs %+v (%v)", b, c2, c, err)
		}
	})
}
