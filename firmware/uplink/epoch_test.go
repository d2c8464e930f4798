package uplink

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/kiosk06/kiosk/firmware/store"
	"github.com/kiosk06/kiosk/tests/collector"
)

// openAt opens (or reopens) the store in dir.
func openAt(t *testing.T, dir string) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), store.Options{Path: filepath.Join(dir, "k.db"),
		KeyFile: filepath.Join(dir, "k.key"), DeviceID: device, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestNewDatabaseNotLost is issue 15's first attack through the uploader:
// kiosk.db deleted after 100 records were uploaded; the new database's 100
// records restart at seq 1. Every one of them must reach the backend.
func TestNewDatabaseNotLost(t *testing.T) {
	dir := t.TempDir()
	c, srv := serve(t, collector.Options{Token: "tok"})
	drain := func(s *store.Store) Result {
		t.Helper()
		u, err := New(s, Options{BaseURL: srv.URL, Token: "tok", Logger: quiet()})
		if err != nil {
			t.Fatal(err)
		}
		defer u.Close()
		res, err := u.Drain(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	s := openAt(t, dir)
	old := s.Epoch()
	fill(t, s, 100)
	drain(s)
	s.Close()
	os.Remove(filepath.Join(dir, "k.db"))
	os.Remove(filepath.Join(dir, "k.db-wal"))

	s = openAt(t, dir)
	defer s.Close()
	fill(t, s, 100)
	res := drain(s)
	if res.Acked != 101 { // the 100 and the store's own epoch-reset record
		t.Fatalf("second life: %+v", res)
	}
	if n := len(c.RecordsOf(device, s.Epoch())); n != 101 {
		t.Fatalf("collector holds %d records of the new epoch, want 101 (100 new + the reset record)", n)
	}
	if st := c.Stats(); st.Stored != 201 || st.Duplicates != 0 || st.EpochChanges != 1 {
		t.Fatalf("collector stats %+v", st)
	}
	var reset map[string]any
	for _, r := range c.RecordsOf(device, s.Epoch()) {
		if r.Kind == store.KindEpochReset {
			json.Unmarshal(r.Payload, &reset)
		}
	}
	if reset["previous_epoch"] != old {
		t.Fatalf("epoch reset record %v, want previous epoch %s", reset, old)
	}
}

// TestQuarantineBudgetSurvivesRestart is issue 15 §5: the budget of 4xx
// quarantines used to live in the process, so every watchdog restart
// quarantined ten more records of a backend that rejects everything.
func TestQuarantineBudgetSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	_, srv := serve(t, collector.Options{Token: "tok", Reject: func(string, collector.Record) bool { return true }})
	s := openAt(t, dir)
	fill(t, s, 100)
	s.Close()
	for restart := range 3 {
		s := openAt(t, dir)
		u, err := New(s, Options{BaseURL: srv.URL, Token: "tok", Logger: quiet()})
		if err != nil {
			t.Fatal(err)
		}
		_, err = u.Drain(context.Background())
		if !errors.Is(err, ErrRejecting) {
			t.Fatalf("start %d: %v, want ErrRejecting", restart, err)
		}
		if err := u.Check(); !errors.Is(err, ErrWedged) {
			t.Fatalf("start %d: Check %v, want ErrWedged", restart, err)
		}
		ob, _ := s.Outbox(context.Background())
		u.Close()
		s.Close()
		if ob.Quarantined != maxQuarantineRun {
			t.Fatalf("start %d: %d quarantined, want %d in all", restart, ob.Quarantined, maxQuarantineRun)
		}
	}
}

// TestWedgedOnOneRecord: a backend that answers but never acknowledges the
// head record wedges the uploader, and Check says so; a backend out of
// reach does not (records wait, as designed).
func TestWedgedOnOneRecord(t *testing.T) {
	s := newStore(t)
	fill(t, s, 5)
	answer := func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"acked_through":0,"store_epoch":%q}`, s.Epoch())
	}
	down := func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", http.StatusServiceUnavailable) }
	for _, tc := range []struct {
		name   string
		h      http.HandlerFunc
		wedged bool
	}{{"answers", answer, true}, {"unreachable", down, false}} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.h)
			defer srv.Close()
			u := newUploader(t, s, srv.URL, nil)
			defer u.Close()
			for range WedgeAfter {
				if _, err := u.Drain(context.Background()); err == nil {
					t.Fatal("drain succeeded")
				}
			}
			err := u.Check()
			if got := errors.Is(err, ErrWedged); got != tc.wedged {
				t.Fatalf("Check = %v, wedged %v", err, tc.wedged)
			}
			if st := u.Status(); tc.wedged && (st.HeadSeq != 1 || st.HeadFailures != WedgeAfter) {
				t.Fatalf("status %+v", st)
			}
		})
	}
}

// TestUnreadableRecordQuarantined: a record whose sealed blob rotted on disk
// is set aside, and the records behind it flow.
func TestUnreadableRecordQuarantined(t *testing.T) {
	dir := t.TempDir()
	s := openAt(t, dir)
	fill(t, s, 30) // seqs 1, 11, 21 sealed
	s.Close()
	db := openSQL(t, filepath.Join(dir, "k.db"))
	if _, err := db.Exec(`UPDATE records SET sealed = zeroblob(60) WHERE seq = 11`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s = openAt(t, dir)
	defer s.Close()
	c, srv := serve(t, collector.Options{Token: "tok"})
	res, err := newUploader(t, s, srv.URL, nil).Drain(context.Background())
	if err != nil || fmt.Sprint(res.Quarantined) != "[11]" {
		t.Fatalf("%+v %v", res, err)
	}
	wantSeqs(t, c.Seqs(device), 30, 11)
}

func openSQL(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	return db
}
