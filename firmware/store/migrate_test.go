package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// fixtureRows inserts three records valid for schema version v.
func fixtureRows(t *testing.T, db *sql.DB, v int) {
	t.Helper()
	if v < 1 {
		return
	}
	for seq := 1; seq <= 3; seq++ {
		_, err := db.Exec(`INSERT INTO records (device_id, seq, kind, created_ns, boot_id, mono_ns, payload)
			VALUES ('kiosk-test-01', ?, 'queue.ticket', ?, 'boot', 1, '{"old":true}')`, seq, time.Now().UnixNano())
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec(`INSERT INTO devices (device_id, last_seq) VALUES ('kiosk-test-01', 3)`); err != nil {
		t.Fatal(err)
	}
	if v >= 2 {
		if _, err := db.Exec(`UPDATE records SET acked_ns = ? WHERE seq = 1`, time.Now().UnixNano()); err != nil {
			t.Fatal(err)
		}
	}
	if v >= 3 {
		if _, err := db.Exec(`INSERT INTO kv (key, value, updated_ns) VALUES ('k', 'v', 1)`); err != nil {
			t.Fatal(err)
		}
	}
}

func TestMigrateFromEveryVersion(t *testing.T) {
	latest := SchemaVersion()
	if latest < 3 {
		t.Fatalf("SchemaVersion = %d", latest)
	}
	for v := 0; v <= latest; v++ {
		t.Run(fmt.Sprintf("from_v%d", v), func(t *testing.T) {
			ctx := context.Background()
			o := testOptions(t, t.TempDir())
			db, err := sql.Open("sqlite3", dsn(o.Path, false))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := migrateTo(ctx, db, v); err != nil {
				t.Fatal(err)
			}
			fixtureRows(t, db, v)
			db.Close()

			s := openT(t, o)
			var got int
			if err := s.db.QueryRow("PRAGMA user_version").Scan(&got); err != nil || got != latest {
				t.Fatalf("user_version = %d, %v; want %d", got, err, latest)
			}
			checkIntegrity(t, s.db)
			if !hexEpoch.MatchString(s.Epoch()) {
				t.Fatalf("migrated database has epoch %q", s.Epoch())
			}
			want := Seq(1)
			if v >= 1 {
				want = 4
			}
			seq, err := s.Append(ctx, rec("queue.ticket", 9))
			if err != nil || seq != want {
				t.Fatalf("Append after migration: seq %d, %v; want %d", seq, err, want)
			}
			rs, err := s.Records(ctx, "queue.ticket", 0, 0)
			if err != nil || len(rs) != int(want) {
				t.Fatalf("Records: %d, %v", len(rs), err)
			}
			if err := s.Put(ctx, "k2", []byte("x")); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestCorruptRefused: a damaged file is refused at Open with ErrCorrupt
// (the way out is a salvage), never silently recreated.
func TestCorruptRefused(t *testing.T) {
	o := testOptions(t, t.TempDir())
	s, err := Open(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	f, err := os.OpenFile(o.Path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteAt([]byte("this is not an SQLite header, it is damage"), 0)
	f.Close()
	os.Remove(o.Path + "-wal")
	if _, err := Open(context.Background(), o); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Open of a damaged file: %v, want ErrCorrupt", err)
	}
}

func TestRefuseNewerSchema(t *testing.T) {
	o := testOptions(t, t.TempDir())
	db, _ := sql.Open("sqlite3", dsn(o.Path, false))
	if _, err := db.Exec(fmt.Sprintf("PRAGMA user_version = %d", SchemaVersion()+1)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := Open(context.Background(), o); !errors.Is(err, ErrSchema) {
		t.Fatalf("Open of a newer schema: %v, want ErrSchema", err)
	}
}

// TestENOSPC fills a real, tiny tmpfs: Append must refuse with ErrFull and
// the database must stay intact. It needs root (mount); elsewhere the
// SQLITE_FULL path is covered by TestDiskFullRefusesCleanly.
func TestENOSPC(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a tiny tmpfs; SQLITE_FULL path covered by TestDiskFullRefusesCleanly")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount tmpfs here (%v: %s); SQLITE_FULL path covered by TestDiskFullRefusesCleanly", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", "-l", dir).Run() })
	// A filler file stands for the rest of the disk's users; deleting it
	// later frees space without touching the store.
	filler := filepath.Join(dir, "filler")
	if err := os.WriteFile(filler, make([]byte, 64<<10), 0o600); err != nil {
		t.Fatal(err)
	}
	o := testOptions(t, dir)
	o.MinFreeBytes = -1 // no reserve: this test wants the real ENOSPC (TestMinFreeReserve covers the reserve)
	s, err := Open(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	var last Seq
	for i := 0; ; i++ {
		seq, err := s.Append(ctx, rec("transit.tap", i))
		if err != nil {
			if !errors.Is(err, ErrFull) {
				t.Fatalf("after %d records: %v, want ErrFull", i, err)
			}
			break
		}
		last = seq
		if i > 100000 {
			t.Fatal("tmpfs never filled")
		}
	}
	checkIntegrity(t, s.db)
	var n, maxSeq int64
	if err := s.db.QueryRow(`SELECT COUNT(*), MAX(seq) FROM records`).Scan(&n, &maxSeq); err != nil {
		t.Fatal(err)
	}
	if n != int64(last) || maxSeq != int64(last) {
		t.Fatalf("rows %d, max seq %d; want the %d acknowledged records", n, maxSeq, last)
	}
	t.Logf("disk full after %d records", last)
	// Space comes back: the same open store continues, gapless.
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	seq, err := s.Append(ctx, rec("transit.tap", -1))
	if err != nil || seq != last+1 {
		t.Fatalf("after freeing space: seq %d, %v; want %d", seq, err, last+1)
	}
	checkIntegrity(t, s.db)
}
