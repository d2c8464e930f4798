package emrtd_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/kiosk06/kiosk/drivers/emrtd"
	"github.com/kiosk06/kiosk/drivers/emrtd/emrtdsim"
	"github.com/kiosk06/kiosk/drivers/nfc"
)

// h decodes hex with spaces allowed; test vectors only.
func h(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func hx(b []byte) string { return strings.ToUpper(hex.EncodeToString(b)) }

// exchange is one command/response pair seen on the wire.
type exchange struct{ cmd, resp []byte }

// recorder is an nfc.Card that records the wire.
type recorder struct {
	nfc.Card
	log []exchange
}

func (r *recorder) Transmit(ctx context.Context, apdu []byte) ([]byte, error) {
	resp, err := r.Card.Transmit(ctx, apdu)
	r.log = append(r.log, exchange{bytes.Clone(apdu), bytes.Clone(resp)})
	return resp, err
}

// find returns the exchange whose command is cmd.
func (r *recorder) find(cmd []byte) (exchange, bool) {
	for _, e := range r.log {
		if bytes.Equal(e.cmd, cmd) {
			return e, true
		}
	}
	return exchange{}, false
}

// fixedRand is a byte stream that fails when exhausted.
func fixedRand(t testing.TB, parts ...string) *bytes.Reader {
	var b []byte
	for _, p := range parts {
		b = append(b, h(t, p)...)
	}
	return bytes.NewReader(b)
}

// ICAO 9303-11 Appendix D.2: key derivation from the MRZ.
func TestAppendixD2Keys(t *testing.T) {
	if got := emrtd.MRZInformation("L898902C<", "690806", "940623"); got != "L898902C<369080619406236" {
		t.Errorf("MRZ information = %q", got)
	}
	kseed, kenc, kmac, err := emrtd.BACKeys("L898902C<", "690806", "940623")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, got, want string }{
		{"K_seed", hx(kseed), "239AB9CB282DAF66231DC5A4DF6BFBAE"},
		{"K_enc", hx(kenc), "AB94FDECF2674FDFB9B391F85D7F76F2"},
		{"K_mac", hx(kmac), "7962D9ECE03D1ACD4C76089DCE131543"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %s, want %s", c.name, c.got, c.want)
		}
	}
}

// ICAO 9303-11 Appendix D.3 (BAC) and D.4 (secure messaging), reproduced
// by the terminal against the virtual chip with the appendix's random
// values: every APDU and response byte for byte.
func TestAppendixD3D4BACAndSecureMessaging(t *testing.T) {
	ctx := context.Background()
	chip, err := emrtdsim.New(&emrtdsim.Options{
		Files: map[uint16][]byte{emrtd.FileCOM: h(t, "60145F0104303130365F36063034303030305C026175")},
		MRZ:   &emrtdsim.MRZ{DocumentNumber: "L898902C<", DateOfBirth: "690806", DateOfExpiry: "940623"},
		UID:   []byte{0x08, 1, 2, 3},
		// RND.IC, then K.IC.
		Rand: fixedRand(t, "4608F91988702212", "0B4F80323EB3191CB04970CB4052790B"),
	})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{Card: emrtdsim.Card(chip)}
	s, err := emrtd.Open(ctx, rec, emrtd.AccessKey{DocumentNumber: "L898902C<", DateOfBirth: "690806", DateOfExpiry: "940623"},
		// RND.IFD, then K.IFD.
		emrtd.Options{Rand: fixedRand(t, "781723860C06C226", "0B795240CB7049B01C19B33E32804F0B")})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if s.Method() != emrtd.MethodBAC {
		t.Errorf("method = %s", s.Method())
	}
	// D.3: GET CHALLENGE and EXTERNAL AUTHENTICATE.
	wire := []struct{ cmd, resp string }{
		{"0084000008", "4608F91988702212 9000"},
		{"0082000028 72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2 5F1448EEA8AD90A7 28",
			"46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F 2F2D235D074D7449 9000"},
	}
	for _, w := range wire {
		e, ok := rec.find(h(t, w.cmd))
		if !ok {
			t.Errorf("command %s not sent", w.cmd)
			continue
		}
		if !bytes.Equal(e.resp, h(t, w.resp)) {
			t.Errorf("response to %s = %X, want %s", w.cmd, e.resp, w.resp)
		}
	}
	enc, mac, ssc := s.SessionKeys()
	for _, c := range []struct{ name, got, want string }{
		{"KS_enc", hx(enc), "979EC13B1CBFE9DCD01AB0FED307EAE5"},
		{"KS_mac", hx(mac), "F1CB1F1FB5ADF208806B89DC579DC1F8"},
		{"SSC", hx(ssc), "887022120C06C226"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %s, want %s", c.name, c.got, c.want)
		}
	}

	// D.4: SELECT EF.COM, READ BINARY 4 bytes, READ BINARY 18 bytes at 4.
	n := len(rec.log)
	if err := s.SelectFileForTest(ctx, emrtd.FileCOM); err != nil {
		t.Fatalf("SELECT EF.COM: %v", err)
	}
	head, _, err := s.ReadBinaryForTest(ctx, 0, 4)
	if err != nil {
		t.Fatalf("READ BINARY 4: %v", err)
	}
	rest, _, err := s.ReadBinaryForTest(ctx, 4, 0x12)
	if err != nil {
		t.Fatalf("READ BINARY 18: %v", err)
	}
	sm := []struct{ cmd, resp string }{
		{"0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800", "990290008E08FA855A5D4C50A8ED9000"},
		{"0CB000000D9701048E08ED6705417E96BA5500", "8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000"},
		{"0CB000040D9701128E082EA28A70F3C7B53500", "871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08C8B2787EAEA07D749000"},
	}
	got := rec.log[n:]
	if len(got) != len(sm) {
		t.Fatalf("%d APDUs for D.4, want %d", len(got), len(sm))
	}
	for i, w := range sm {
		if !bytes.Equal(got[i].cmd, h(t, w.cmd)) {
			t.Errorf("D.4 APDU %d = %X, want %s", i, got[i].cmd, w.cmd)
		}
		if !bytes.Equal(got[i].resp, h(t, w.resp)) {
			t.Errorf("D.4 response %d = %X, want %s", i, got[i].resp, w.resp)
		}
	}
	if hx(head) != "60145F01" || hx(rest) != "04303130365F36063034303030305C026175" {
		t.Errorf("EF.COM read %X %X", head, rest)
	}
	if _, _, ssc := s.SessionKeys(); hx(ssc) != "887022120C06C22C" {
		t.Errorf("SSC after D.4 = %X, want 887022120C06C22C", ssc)
	}
}

// ICAO 9303-11 Appendix G.1: PACE ECDH Generic Mapping on brainpoolP256r1
// with the MRZ password, reproduced against the virtual chip with the
// appendix's nonce and private keys: every APDU byte for byte, then the
// session keys.
func TestAppendixG1PACE(t *testing.T) {
	ctx := context.Background()
	mrz := &emrtdsim.MRZ{DocumentNumber: "T22000129", DateOfBirth: "640812", DateOfExpiry: "101031"}
	chip, err := emrtdsim.New(&emrtdsim.Options{
		Files: map[uint16][]byte{emrtd.FileCardAccess: h(t, "31143012060A04007F0007020204020202010202010D")},
		MRZ:   mrz,
		UID:   []byte{0x08, 1, 2, 3},
		// s, SK_map,IC, SK_IC.
		Rand: fixedRand(t, "3F00C4D39D153F2B2A214A078D899B22",
			"498FF49756F2DC1587840041839A85982BE7761D14715FB091EFA7BCE9058560",
			"107CF58696EF6155053340FD633392BA81909DF7B9706F226F32086C7AFF974A"),
	})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{Card: emrtdsim.Card(chip)}
	s, err := emrtd.Open(ctx, rec, emrtd.AccessKey{DocumentNumber: mrz.DocumentNumber, DateOfBirth: mrz.DateOfBirth, DateOfExpiry: mrz.DateOfExpiry},
		// SK_map,IFD, SK_IFD.
		emrtd.Options{Rand: fixedRand(t, "7F4EF07B9EA82FD78AD689B38D0BC78CF21F249D953BC46F4C6E19259C010F99",
			"A73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595")})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if s.Method() != emrtd.MethodPACEMRZ {
		t.Errorf("method = %s", s.Method())
	}
	wire := []struct{ step, cmd, resp string }{
		{"MSE:Set AT", "0022C1A40F800A04007F00070202040202830101", "9000"},
		{"GA encrypted nonce", "10860000027C0000", "7C12801095A3A016522EE98D01E76CB6B98B42C3 9000"},
		{"GA map nonce",
			"10860000457C438141047ACF3EFC982EC45565A4B155129EFBC74650DCBFA6362D896FC70262E0C2CC5E544552DCB6725218799115B55C9BAA6D9F6BC3A9618E70C25AF71777A9C4922D00",
			"7C43824104824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F5730D8C879AAA9C9F73991E61B58F4D52EB87A0A0C709A49DC63719363CCD13C54 9000"},
		{"GA key agreement",
			"10860000457C438341042DB7A64C0355044EC9DF190514C625CBA2CEA48754887122F3A5EF0D5EDD301C3556F3B3B186DF10B857B58F6A7EB80F20BA5DC7BE1D43D9BF850149FBB3646200",
			"7C438441049E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F094 9000"},
		{"GA mutual authentication", "008600000C7C0A8508C2B0BD78D94BA86600", "7C0A86083ABB9674BCE93C08 9000"},
	}
	for _, w := range wire {
		e, ok := rec.find(h(t, w.cmd))
		if !ok {
			t.Errorf("%s: command %s not sent", w.step, w.cmd)
			continue
		}
		if !bytes.Equal(e.resp, h(t, w.resp)) {
			t.Errorf("%s: response %X, want %s", w.step, e.resp, w.resp)
		}
	}
	enc, mac, _ := s.SessionKeys()
	if hx(enc) != "F5F0E35C0D7161EE6724EE513A0D9A7F" || hx(mac) != "FE251C7858B356B24514B3BD5F4297D1" {
		t.Errorf("KS_enc %X KS_mac %X", enc, mac)
	}
}
