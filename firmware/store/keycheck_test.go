package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func appendSealed(t *testing.T, s *Store, n int) {
	t.Helper()
	for i := range n {
		r := rec("hospital.visit", i)
		if i%2 == 0 {
			r.Personal = map[string]string{FieldIDNumber: fixtureID, FieldName: "Nguyễn Văn An"}
		}
		if _, err := s.Append(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
}

// TestKeyLostRefused is issue 15's second attack at store level: with the
// key file removed the store used to make a new key and open, and every
// sealed record then wedged the uplink. Now Open refuses, creates no key,
// and the way out (KeyRecovery + QuarantineUnreadable) lets the rest flow.
func TestKeyLostRefused(t *testing.T) {
	ctx := context.Background()
	for _, how := range []string{"removed", "replaced"} {
		t.Run(how, func(t *testing.T) {
			o := testOptions(t, t.TempDir())
			s, err := Open(ctx, o)
			if err != nil {
				t.Fatal(err)
			}
			appendSealed(t, s, 6) // seqs 1, 3, 5 sealed
			if err := s.PutSealed(ctx, "holder.binding", []byte("template-id-7")); err != nil {
				t.Fatal(err)
			}
			if err := s.Put(ctx, "plain", []byte("x")); err != nil {
				t.Fatal(err)
			}
			s.Close()

			want := ErrKeyLost
			os.Remove(o.KeyFile)
			if how == "replaced" {
				want = ErrKeyMismatch
				if _, err := createKey(o.KeyFile); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := Open(ctx, o); !errors.Is(err, want) || !errors.Is(err, ErrKey) {
				t.Fatalf("Open without the sealing key: %v, want %v", err, want)
			}
			if _, err := os.Stat(o.KeyFile); how == "removed" && err == nil {
				t.Fatal("a refused Open created a new key file")
			}

			rec := o
			rec.KeyRecovery = true
			s = openT(t, rec)
			u, err := s.QuarantineUnreadable(ctx)
			if err != nil || u.Records != 3 || u.Values != 1 {
				t.Fatalf("QuarantineUnreadable: %+v, %v; want 3 records, 1 value", u, err)
			}
			s.Close()

			s = openT(t, o) // an ordinary Open works again
			p, err := s.Pending(ctx, 0)
			if err != nil || len(p) != 3 {
				t.Fatalf("Pending after quarantine: %d, %v; want the 3 records without sealed fields", len(p), err)
			}
			all, err := s.Records(ctx, "", 0, 0)
			if err != nil || len(all) != 6 {
				t.Fatalf("Records after quarantine: %d, %v", len(all), err)
			}
			ob, _ := s.Outbox(ctx)
			if ob.Quarantined != 3 {
				t.Fatalf("outbox %+v: want 3 quarantined", ob)
			}
			if _, err := s.GetSealed(ctx, "holder.binding"); !errors.Is(err, ErrNotFound) {
				t.Fatalf("unreadable sealed value: %v, want ErrNotFound", err)
			}
			if v, err := s.Get(ctx, "plain"); err != nil || string(v) != "x" {
				t.Fatalf("plain value: %q %v", v, err)
			}
			// Release keeps the records whose personal fields are gone.
			r, err := s.Release(ctx, nil)
			if err != nil || r.Records != 0 || len(r.Unreadable) != 3 {
				t.Fatalf("Release: %+v, %v", r, err)
			}
			var moved int
			s.db.QueryRow(`SELECT COUNT(*) FROM unreadable`).Scan(&moved)
			if moved != 4 {
				t.Fatalf("unreadable table holds %d blobs, want 4", moved)
			}
		})
	}
}

// TestKeyReplacedBeforeAnythingSealed: a new key for a store that never
// sealed anything is not an incident.
func TestKeyReplacedBeforeAnythingSealed(t *testing.T) {
	o := testOptions(t, t.TempDir())
	s, err := Open(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	appendN(t, s, 3)
	s.Close()
	os.Remove(o.KeyFile)
	s = openT(t, o)
	if _, err := s.Records(context.Background(), "", 0, 0); err != nil {
		t.Fatal(err)
	}
}

// TestKeyCheckOfOldDatabase: a database sealed before the key check
// (schema 3) is bound to the key that opens it, and refuses another.
func TestKeyCheckOfOldDatabase(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	o := testOptions(t, dir)
	db, err := sql.Open("sqlite3", dsn(o.Path, false))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := migrateTo(ctx, db, 3); err != nil {
		t.Fatal(err)
	}
	key, err := createKey(o.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	sl, _ := newSealer(key)
	blob, _ := sl.seal("kiosk-test-01", 1, map[string]string{FieldIDNumber: fixtureID})
	if _, err := db.Exec(`INSERT INTO records (device_id, seq, kind, created_ns, boot_id, mono_ns, payload, sealed)
		VALUES ('kiosk-test-01', 1, 'k', 1, 'b', 1, '{}', ?)`, blob); err != nil {
		t.Fatal(err)
	}
	db.Exec(`INSERT INTO devices (device_id, last_seq) VALUES ('kiosk-test-01', 1)`)
	db.Close()

	other := o
	other.KeyFile = filepath.Join(dir, "other.key")
	createKey(other.KeyFile)
	if _, err := Open(ctx, other); !errors.Is(err, ErrKeyMismatch) {
		t.Fatalf("old database, wrong key: %v, want ErrKeyMismatch", err)
	}
	s := openT(t, o)
	rs, err := s.Records(ctx, "", 0, 0)
	if err != nil || len(rs) != 1 || rs[0].Personal[FieldIDNumber] != fixtureID {
		t.Fatalf("old database, right key: %+v %v", rs, err)
	}
}

// TestQuarantineBudgetPersists is issue 15 §5 at store level: the budget
// of records quarantined without an acknowledgement in between survives a
// restart; an acknowledgement or a Release resets it.
func TestQuarantineBudgetPersists(t *testing.T) {
	ctx := context.Background()
	o := testOptions(t, t.TempDir())
	s, err := Open(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	appendN(t, s, 10)
	for _, q := range []Seq{1, 2, 3} {
		if err := s.Quarantine(ctx, q, "HTTP 422"); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Quarantine(ctx, 3, "again"); err != nil { // already quarantined: not counted twice
		t.Fatal(err)
	}
	s.Close()
	s = openT(t, o)
	if n, err := s.QuarantineRun(ctx); err != nil || n != 3 {
		t.Fatalf("budget after restart: %d %v, want 3", n, err)
	}
	ob, _ := s.Outbox(ctx)
	if ob.QuarantineRun != 3 || ob.Quarantined != 3 {
		t.Fatalf("outbox %+v", ob)
	}
	if _, err := s.Ack(ctx, 4); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.QuarantineRun(ctx); n != 0 {
		t.Fatalf("budget after an acknowledgement: %d, want 0", n)
	}
	s.Quarantine(ctx, 5, "HTTP 422")
	r, err := s.Release(ctx, []Seq{2})
	if err != nil || r.Records != 1 {
		t.Fatalf("Release(2): %+v %v", r, err)
	}
	if n, _ := s.QuarantineRun(ctx); n != 0 {
		t.Fatalf("budget after Release: %d", n)
	}
	p, _ := s.Pending(ctx, 0)
	if len(p) != 6 || p[0].Seq != 2 { // 2 released; 1, 3, 5 quarantined; 4 acked
		seqs := []Seq{}
		for _, r := range p {
			seqs = append(seqs, r.Seq)
		}
		t.Fatalf("pending after release: %v", seqs)
	}
	if r, _ := s.Release(ctx, nil); r.Records != 3 {
		t.Fatalf("Release(all): %+v", r)
	}
}

// TestOriginRoundTrip: a re-homed record keeps its first identity.
func TestOriginRoundTrip(t *testing.T) {
	s := openT(t, testOptions(t, t.TempDir()))
	ctx := context.Background()
	r := rec("k", 1)
	r.Origin = &Origin{Epoch: "00112233445566778899aabbccddeeff", Seq: 41}
	if _, err := s.Append(ctx, r); err != nil {
		t.Fatal(err)
	}
	r.Origin = &Origin{Epoch: "short", Seq: 1}
	if _, err := s.Append(ctx, r); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad origin: %v", err)
	}
	p, _ := s.Pending(ctx, 0)
	if len(p) != 1 || p[0].Origin == nil || p[0].Origin.Seq != 41 {
		b, _ := json.Marshal(p)
		t.Fatalf("pending %s", b)
	}
}

// TestProvisionedKeyNeverCreated: a key that systemd passes (an empty file
// when the credential is missing) is never replaced by a new one.
func TestProvisionedKeyNeverCreated(t *testing.T) {
	ctx := context.Background()
	o := testOptions(t, t.TempDir())
	o.KeyProvisioned = true
	if err := os.WriteFile(o.KeyFile, nil, 0o400); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, o); !errors.Is(err, ErrKey) || errors.Is(err, ErrKeyLost) {
		t.Fatalf("empty provisioned key, nothing sealed: %v, want ErrKey", err)
	}
	if b, _ := os.ReadFile(o.KeyFile); len(b) != 0 {
		t.Fatal("a provisioned key was written")
	}
	key, _ := createKey(filepath.Join(t.TempDir(), "k"))
	os.Chmod(o.KeyFile, 0o600)
	os.WriteFile(o.KeyFile, key, 0o400)
	s := openT(t, o)
	appendSealed(t, s, 2)
	s.Close()
	os.WriteFile(o.KeyFile, []byte(KeyAbsent), 0o400)
	if _, err := Open(ctx, o); !errors.Is(err, ErrKeyLost) {
		t.Fatalf("the unit's fallback credential, sealed records: %v, want ErrKeyLost", err)
	}
}

// TestRefusalNote: the note kioskd leaves beside a refused database (what
// the unit's ExecCondition reads, without the key) stands until an Open
// succeeds.
func TestRefusalNote(t *testing.T) {
	ctx := context.Background()
	o := testOptions(t, t.TempDir())
	s, err := Open(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	appendSealed(t, s, 2)
	s.Close()
	if n, _ := Notes(o.Path); n != "" {
		t.Fatalf("notes after a good start: %q", n)
	}
	key, _ := os.ReadFile(o.KeyFile)
	os.Remove(o.KeyFile)
	_, err = Open(ctx, o)
	if !errors.Is(err, ErrKeyLost) || !Refused(err) {
		t.Fatal(err)
	}
	if err := WriteRefusalNote(o.Path, err.Error()+"; way out: …"); err != nil {
		t.Fatal(err)
	}
	if n, err := Notes(o.Path); err != nil || !strings.Contains(n, "key missing") || !strings.Contains(n, "way out") {
		t.Fatalf("notes after a refusal: %q %v", n, err)
	}
	if _, err := Open(ctx, o); err == nil {
		t.Fatal("opened without the key")
	}
	if n, _ := Notes(o.Path); n == "" {
		t.Fatal("a refused Open removed the note")
	}
	os.WriteFile(o.KeyFile, key, 0o600)
	openT(t, o).Close()
	if n, _ := Notes(o.Path); n != "" {
		t.Fatalf("notes after the key came back and the store opened: %q", n)
	}
}
