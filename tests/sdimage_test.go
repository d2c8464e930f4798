package tests

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/kiosk06/kiosk/firmware/store"
)

// sdPerson is one synthetic patient; every field is personal data.
func sdPerson(i int) map[string]string {
	return map[string]string{
		store.FieldName:        fmt.Sprintf("Nguyễn Thị Mẫu %04d", i),
		store.FieldIDNumber:    fmt.Sprintf("0791%08d", 90000000+i),
		store.FieldDateOfBirth: fmt.Sprintf("1988-02-%02d#%04d", i%28+1, i),
		store.FieldAddress:     fmt.Sprintf("Số %d Đường Mẫu, Phường %04d, Huế", i, i),
	}
}

const sdRecords = 1000

// sdExposure is what an attacker recovers from a copy of some directories.
type sdExposure struct {
	plainHits   int // personal values found in clear anywhere in the copy
	keyInCopy   bool
	unsealed    int // personal values recovered by unsealing with a key found in the copy
	totalFields int
}

// TestSDImageExposure measures issue 15 §3's "what an SD-card image
// exposes": 1000 hospital records with four personal fields each, written
// by the store, then read back as an attacker holding a copy of the data
// directory (a backup, a support bundle, a pulled card read on a PC) or of
// the whole card. The attacker's decryption is written here from the
// format (AES-256-GCM, AAD = label ‖ device ‖ 0 ‖ seq), not with the store.
// Layout "before": the key in the data directory (the old default). Layout
// "after": the key in /etc/credstore, passed by systemd (LoadCredential).
func TestSDImageExposure(t *testing.T) {
	root := t.TempDir()
	layouts := []struct {
		name, keyRel string
	}{
		{"before", "var/lib/kiosk06/seal.key"},
		{"after", "etc/credstore/kiosk06-seal.key"},
	}
	results := map[string]sdExposure{}
	for _, l := range layouts {
		card := filepath.Join(root, l.name)
		data := filepath.Join(card, "var/lib/kiosk06")
		os.MkdirAll(data, 0o700)
		os.MkdirAll(filepath.Dir(filepath.Join(card, l.keyRel)), 0o700)
		writeHospitalRecords(t, filepath.Join(data, "kiosk.db"), filepath.Join(card, l.keyRel))
		results[l.name+": data directory copy"] = exposure(t, data)
		results[l.name+": whole card, no TPM"] = exposure(t, card)
	}
	total := sdRecords * 4
	t.Logf("%-34s %12s %10s %12s", "what the attacker copied", "in clear", "key in it", "recovered")
	for _, k := range []string{"before: data directory copy", "before: whole card, no TPM", "after: data directory copy", "after: whole card, no TPM"} {
		e := results[k]
		t.Logf("%-34s %7d/%d %10v %7d/%d", k, e.plainHits, total, e.keyInCopy, e.unsealed, total)
		if e.plainHits != 0 {
			t.Errorf("%s: %d personal values in clear on disk", k, e.plainHits)
		}
	}
	if e := results["before: data directory copy"]; e.unsealed != total {
		t.Errorf("before, data directory: %d recovered — the measurement no longer reproduces the old exposure", e.unsealed)
	}
	if e := results["after: data directory copy"]; e.unsealed != 0 || e.keyInCopy {
		t.Errorf("after, data directory: %d recovered (key in copy: %v), want 0", e.unsealed, e.keyInCopy)
	}
	if e := results["after: whole card, no TPM"]; e.unsealed != total {
		t.Errorf("after, whole card without TPM: %d recovered; the doc says a plain credential on the card opens everything", e.unsealed)
	}
}

// writeHospitalRecords appends sdRecords records, four personal fields each.
func writeHospitalRecords(t *testing.T, db, key string) {
	t.Helper()
	s, err := store.Open(context.Background(), store.Options{Path: db, KeyFile: key, DeviceID: "bvtw-hue-kiosk-03",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var wg sync.WaitGroup
	for w := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < sdRecords; i += 20 {
				r := store.Record{Kind: "hospital.registration", Personal: sdPerson(i),
					Payload: json.RawMessage(fmt.Sprintf(`{"clinic":"K%02d","fee_vnd":%d,"person":%d}`, i%12, 30000+i, i))}
				if _, err := s.Append(context.Background(), r); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if _, err := s.Ack(context.Background(), sdRecords/2); err != nil { // half uploaded, within retention
		t.Fatal(err)
	}
}

// exposure plays the attacker on a copy of dir.
func exposure(t *testing.T, dir string) sdExposure {
	t.Helper()
	e := sdExposure{totalFields: sdRecords * 4}
	var blobs [][]byte
	var keys [][]byte
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := os.ReadFile(p)
		blobs = append(blobs, b)
		if len(b) == 32 { // anything shaped like an AES-256 key
			keys = append(keys, b)
		}
		return nil
	})
	for i := range sdRecords {
		for _, v := range sdPerson(i) {
			for _, b := range blobs {
				if bytes.Contains(b, []byte(v)) {
					e.plainHits++
					break
				}
			}
		}
	}
	e.keyInCopy = len(keys) > 0
	db := filepath.Join(dir, "kiosk.db")
	if _, err := os.Stat(db); err != nil {
		db = filepath.Join(dir, "var/lib/kiosk06/kiosk.db")
	}
	for _, key := range keys {
		if n := unsealAll(t, db, key); n > e.unsealed {
			e.unsealed = n
		}
	}
	return e
}

// unsealAll opens every sealed blob of db with key, as an attacker who read
// the format would, and counts the personal values recovered.
func unsealAll(t *testing.T, db string, key []byte) int {
	t.Helper()
	conn, err := sql.Open("sqlite3", "file:"+db+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	block, _ := aes.NewCipher(key)
	gcm, _ := cipher.NewGCM(block)
	rows, err := conn.Query(`SELECT device_id, seq, sealed FROM records WHERE sealed IS NOT NULL`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var (
			dev  string
			seq  int64
			blob []byte
		)
		rows.Scan(&dev, &seq, &blob)
		if len(blob) < 1+12+16 {
			continue
		}
		aad := append(append([]byte("kiosk06/store/seal/v1\x00"+dev), 0), binary.BigEndian.AppendUint64(nil, uint64(seq))...)
		plain, err := gcm.Open(nil, blob[1:13], blob[13:], aad)
		if err != nil {
			continue
		}
		var m map[string]string
		if json.Unmarshal(plain, &m) == nil {
			n += len(m)
		}
	}
	return n
}
