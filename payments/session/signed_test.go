package session

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// payOS's published example ("Kiểm tra dữ liệu với signature",
// payos.vn/docs/tich-hop-webhook/kiem-tra-du-lieu-voi-signature): its
// webhook data, checksum key and signature, reproduced byte for byte. The
// data is written here in the order payOS lists it; the canonical form
// sorts it.
const (
	payOSKey       = "1a54716c8f0efb2744fb28b6e38b25da7f67a925d98bc1c18bd8faaecadd7675"
	payOSSignature = "412e915d2871504ed31be63c8f62a149a4410d34c4c42affc9006ef9917eaa03"
	payOSData      = `{"orderCode":123,"amount":3000,"description":"VQRIO123","accountNumber":"12345678",` +
		`"reference":"TF230204212323","transactionDateTime":"2023-02-04 18:25:00","currency":"VND",` +
		`"paymentLinkId":"124c33293c43417ab7879e14c8d9eb18","code":"00","desc":"Thành công",` +
		`"counterAccountBankId":"","counterAccountBankName":"","counterAccountName":"","counterAccountNumber":"",` +
		`"virtualAccountName":"","virtualAccountNumber":""}`
	payOSCanonical = "accountNumber=12345678&amount=3000&code=00&counterAccountBankId=&counterAccountBankName=" +
		"&counterAccountName=&counterAccountNumber=&currency=VND&desc=Thành công&description=VQRIO123" +
		"&orderCode=123&paymentLinkId=124c33293c43417ab7879e14c8d9eb18&reference=TF230204212323" +
		"&transactionDateTime=2023-02-04 18:25:00&virtualAccountName=&virtualAccountNumber="
)

func TestPayOSVector(t *testing.T) {
	c, err := Canonical([]byte(payOSData))
	if err != nil || c != payOSCanonical {
		t.Fatalf("canonical = %q, %v\nwant        %q", c, err, payOSCanonical)
	}
	sig, err := Sign([]byte(payOSKey), []byte(payOSData))
	if err != nil || sig != payOSSignature {
		t.Fatalf("signature %s, %v; payOS publishes %s", sig, err, payOSSignature)
	}
	// payOS's whole webhook body verifies through the same path the kiosk
	// uses; its unsigned top-level members are ignored.
	body := `{"code":"00","desc":"success","success":true,"data":` + payOSData + `,"signature":"` + payOSSignature + `"}`
	got, err := Verify([]byte(payOSKey), []byte(body))
	if err != nil || got.Amount != 3000 || got.Account != "12345678" {
		t.Fatalf("Verify(payOS webhook) = %+v, %v", got, err)
	}
	if _, err := Verify([]byte(payOSKey), []byte(strings.Replace(body, `"amount":3000`, `"amount":30000`, 1))); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("tampered payOS webhook: %v", err)
	}
}

func TestCanonicalRules(t *testing.T) {
	for _, tc := range []struct {
		data, want string
		ok         bool
	}{
		{`{"b":"2","a":1}`, "a=1&b=2", true},
		{`{"a":null,"B":"x"}`, "B=x&a=", true}, // byte order: upper case first
		{`{"s":"a\u0026b"}`, "s=a&b", true},    // escapes are decoded
		{`{"n":-12}`, "n=-12", true},
		{`{}`, "", true},
		{`{"a":true}`, "", false},
		{`{"a":[1]}`, "", false},
		{`{"a":{"b":1}}`, "", false},
		{`[1]`, "", false},
		{`null`, "", false},
		{`{"a":1} x`, "", false},
	} {
		got, err := Canonical([]byte(tc.data))
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("Canonical(%s) = %q, %v; want %q ok=%v", tc.data, got, err, tc.want, tc.ok)
		}
	}
}

// forge builds the replies an attacker on the path (or a confused
// back-end) could send for session s, each of which must change nothing.
func forgeries(f *fixture, s Info) []struct {
	name, reason string
	body         []byte
} {
	now := f.clock.Now()
	good := Confirmation{Ref: s.Ref, Status: "paid", TransactionID: "FT-FORGED", Amount: s.Amount, PaidAt: now, Account: testAccount, SignedAt: now}
	sign := func(key []byte, c Confirmation) []byte {
		b, err := SignConfirmation(key, c)
		if err != nil {
			panic(err)
		}
		return b
	}
	with := func(mod func(*Confirmation)) Confirmation { c := good; mod(&c); return c }
	oldShape, _ := json.Marshal(map[string]any{"ref": s.Ref, "status": "paid", "transaction_id": "FT-FORGED", "amount": s.Amount})
	data, _ := json.Marshal(good)
	noSig, _ := json.Marshal(map[string]any{"data": json.RawMessage(data)})
	otherKey := []byte(strings.Repeat("k", 64))
	valid := sign(testKey, good)
	return []struct {
		name, reason string
		body         []byte
	}{
		{"the reply the issue forged (old shape, unsigned)", "bad_signature", oldShape},
		{"data without a signature", "bad_signature", noSig},
		{"signed with another key", "bad_signature", sign(otherKey, good)},
		{"amount raised after signing", "bad_signature", bytes.Replace(valid, []byte(fmt.Sprintf(`"amount":%d`, s.Amount)), []byte(`"amount":1`), 1)},
		{"an unsigned member beside the signed one", "bad_signature", bytes.Replace(valid, []byte(`"amount":`), []byte(`"Amount":1,"amount":`), 1)},
		{"signature not hex", "bad_signature", bytes.Replace(valid, []byte(`"signature":"`), []byte(`"signature":"zz`), 1)},
		{"signed too long ago (a replay)", "stale", sign(testKey, with(func(c *Confirmation) { c.SignedAt = now.Add(-6 * time.Minute) }))},
		{"signed in the future", "stale", sign(testKey, with(func(c *Confirmation) { c.SignedAt = now.Add(3 * time.Minute) }))},
		{"paid in the future", "stale", sign(testKey, with(func(c *Confirmation) { c.PaidAt = now.Add(3 * time.Minute) }))},
		{"a transfer older than the session", "stale", sign(testKey, with(func(c *Confirmation) { c.PaidAt = s.Created.Add(-time.Hour) }))},
		{"another session's confirmation", "wrong_ref", sign(testKey, with(func(c *Confirmation) { c.Ref = "K06ANOTHER1" }))},
		{"money to another account", "wrong_account", sign(testKey, with(func(c *Confirmation) { c.Account = "9999999999" }))},
		{"no signing time", "malformed", sign(testKey, with(func(c *Confirmation) { c.SignedAt = time.Time{} }))},
		{"not JSON", "malformed", []byte("paid")},
	}
}

// A reply that is not proven never marks a session paid, through Poll or
// the push hook: the state stays qr_shown, nothing is recorded or printed,
// and each rejection is counted by reason.
func TestForgedConfirmationsChangeNothing(t *testing.T) {
	ctx := context.Background()
	for _, path := range []string{"poll", "push"} {
		f := newFixture(t)
		s := f.shown(t, 50000)
		want := map[string]uint64{}
		for _, fg := range forgeries(f, s) {
			var err error
			if path == "poll" {
				f.be.setRaw(s.Ref, fg.body)
				var info Info
				info, err = f.m.Poll(ctx, s.Ref)
				if !errors.Is(err, ErrBackend) || info.State != QRShown {
					t.Errorf("%s %s: Poll = %s, %v; want qr_shown and a back-end error", path, fg.name, info.State, err)
				}
			} else {
				_, err = f.m.ConfirmSigned(ctx, fg.body, "")
			}
			if fg.reason == "wrong_ref" && path == "push" {
				// A push names its own session: another, unknown here, is
				// refused (after the signature was checked).
				if !errors.Is(err, ErrUnknownRef) {
					t.Errorf("%s %s: error %v", path, fg.name, err)
				}
				continue
			}
			if !errors.Is(err, ErrUnauthorized) && !errors.Is(err, ErrInvalid) {
				t.Errorf("%s %s: error %v", path, fg.name, err)
			}
			want[fg.reason]++
		}
		if got := f.m.Rejected(); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: rejected %v, want %v", path, got, want)
		}
		if st := f.states(s.Ref); fmt.Sprint(st) != fmt.Sprint([]State{Created, QRShown}) || len(f.print.receipts) != 0 {
			t.Fatalf("%s: transitions %v, %d receipts after forgeries", path, st, len(f.print.receipts))
		}
		// The genuine confirmation still goes through afterwards.
		f.be.setRaw(s.Ref, nil)
		f.be.setPaid(s.Ref, Confirmation{Status: "paid", TransactionID: "FT-REAL", Amount: 50000})
		if got, err := f.m.Poll(ctx, s.Ref); err != nil || got.State != Paid || got.TxnID != "FT-REAL" {
			t.Fatalf("%s: genuine confirmation after forgeries = %+v, %v", path, got, err)
		}
	}
}

// Await keeps polling through forged replies (an attacker cannot end the
// wait either way) and the session expires unpaid: the barrier of a
// parking lane and the receipt of a hospital fee wait on exactly this.
func TestAwaitThroughForgedReplies(t *testing.T) {
	f := newFixture(t)
	s := f.shown(t, 30000)
	oldShape, _ := json.Marshal(map[string]any{"ref": s.Ref, "status": "paid", "transaction_id": "FT-FORGED", "amount": 30000})
	f.be.setRaw(s.Ref, oldShape)
	got, err := f.m.Await(context.Background(), s.Ref)
	if err != nil || got.State != Expired {
		t.Fatalf("Await = %s, %v; want expired", got.State, err)
	}
	if len(f.print.receipts) != 0 || f.m.Rejected()["bad_signature"] < 5 {
		t.Fatalf("%d receipts, rejected %v", len(f.print.receipts), f.m.Rejected())
	}
}

// Authenticated replies are still checked against the session: a wrong
// amount fails it (refund), and a transaction already used elsewhere is a
// conflict, never a second paid session.
func TestSignedButWrong(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	a, b := f.shown(t, 50000), f.shown(t, 50000)
	sign := func(c Confirmation) []byte {
		body, err := SignConfirmation(testKey, f.be.complete(c.Ref, c))
		if err != nil {
			t.Fatal(err)
		}
		return body
	}
	got, err := f.m.ConfirmSigned(ctx, sign(Confirmation{Ref: a.Ref, Status: "paid", TransactionID: "FT1", Amount: 5000}), a.Ref)
	if err != nil || got.State != Failed || !strings.Contains(got.Reason, "amount mismatch") {
		t.Fatalf("wrong amount = %+v, %v", got, err)
	}
	// FT1 was booked on a: claimed for b it is a conflict.
	if _, err := f.m.ConfirmSigned(ctx, sign(Confirmation{Ref: b.Ref, Status: "paid", TransactionID: "FT1", Amount: 50000}), b.Ref); !errors.Is(err, ErrConflict) {
		t.Fatalf("reused transaction: %v", err)
	}
	if got, _ := f.m.Get(ctx, b.Ref); got.State != QRShown || len(f.print.receipts) != 0 {
		t.Fatalf("b is %s with %d receipts", got.State, len(f.print.receipts))
	}
}

func TestNoKeyBelievesNothing(t *testing.T) {
	f := newFixture(t)
	cfg := f.config()
	cfg.ConfirmKey = nil
	m, err := New(cfg, f.rec, f.print)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := m.Create(context.Background(), 1000, "")
	if _, err := m.Shown(context.Background(), s.Ref); err != nil {
		t.Fatal(err)
	}
	f.be.setPaid(s.Ref, Confirmation{Status: "paid", TransactionID: "FT9", Amount: 1000})
	if got, err := m.Poll(context.Background(), s.Ref); !errors.Is(err, ErrUnauthorized) || got.State != QRShown {
		t.Fatalf("Poll without a key = %s, %v", got.State, err)
	}
	cfg.ConfirmKey = []byte("short")
	if _, err := New(cfg, f.rec, nil); !errors.Is(err, ErrInvalid) {
		t.Fatalf("short key accepted: %v", err)
	}
}

func FuzzVerify(f *testing.F) {
	f.Add([]byte(`{"data":` + payOSData + `,"signature":"` + payOSSignature + `"}`))
	body, _ := SignConfirmation(testKey, Confirmation{Ref: "K06ABC", Status: "paid", Amount: 1, SignedAt: time.Unix(0, 0)})
	f.Add(body)
	f.Add([]byte(`{"data":{"amount":1e999},"signature":""}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := Verify(testKey, body)
		if err == nil && c.Amount < 0 {
			t.Fatalf("negative amount accepted: %+v", c)
		}
		_, _ = Canonical(body)
	})
}

// BenchmarkVerify is the cost of believing one reply: parse, canonical
// form, HMAC, field decoding.
func BenchmarkVerify(b *testing.B) {
	body, err := SignConfirmation(testKey, Confirmation{Ref: "K06ABCDEFGH", Status: "paid", TransactionID: "FT26326123456", Amount: 50000,
		PaidAt: time.Unix(1_795_000_000, 0), Account: testAccount, SignedAt: time.Unix(1_795_000_002, 0)})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Verify(testKey, body); err != nil {
			b.Fatal(err)
		}
	}
}
