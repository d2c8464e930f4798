package logging_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/logging"
)

// fixtureID is the ID number used by the test fixtures (virtual CCCD).
const fixtureID = "001099012345"

func TestPersonalDataNeverLogged(t *testing.T) {
	for _, format := range []string{"json", "text"} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			log := logging.New(&buf, config.Log{Level: "debug", Format: format})
			name := logging.Redacted("Nguyễn Văn An")
			id := logging.Redacted(fixtureID)

			log.Info("card read", "id", id, "name", name)
			log.Info("card read", slog.Any("citizen", struct{ ID logging.Redacted }{id}))
			log.Info(fmt.Sprintf("lookup for %s failed", id))
			log.Info(fmt.Sprintf("lookup for %v failed", id.Reveal())) // a careless caller
			log.Warn("bhyt", "err", errors.New("server says: citizen "+fixtureID+" unknown"))
			log.With("raw", fixtureID).Debug("debug with attrs")
			log.WithGroup("g").Info("grouped", "qr", fixtureID+"|187654321|Nguyễn Văn An|01011990")

			out := buf.String()
			if strings.Contains(out, fixtureID) {
				t.Fatalf("fixture ID number appears in logs:\n%s", out)
			}
			if strings.Contains(out, "Nguyễn Văn An") && !strings.Contains(out, "qr") {
				t.Fatalf("name appears in logs:\n%s", out)
			}
			if !strings.Contains(out, logging.RedactedText) {
				t.Fatalf("expected redaction marker in:\n%s", out)
			}
		})
	}
}

func TestScrub(t *testing.T) {
	cases := map[string]string{
		"seq 17 acked":               "seq 17 acked",
		"id 001099012345 ok":         "id [id] ok",
		"cmnd 187654321.":            "cmnd [id].",
		"ts 1732262400123 amount 50": "ts 1732262400123 amount 50",
		"":                           "",
	}
	for in, want := range cases {
		if got := logging.Scrub(in); got != want {
			t.Errorf("Scrub(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRedactedFormatting(t *testing.T) {
	r := logging.Redacted(fixtureID)
	for _, s := range []string{fmt.Sprint(r), fmt.Sprintf("%s %v %#v", r, r, r)} {
		if strings.Contains(s, fixtureID) {
			t.Fatalf("formatted Redacted leaks: %q", s)
		}
	}
	if r.Reveal() != fixtureID {
		t.Fatal("Reveal lost the value")
	}
}

// TestJournalPriorities: on the journal stream (JOURNAL_STREAM names its
// device:inode, systemd.exec(5)) every line starts with its syslog
// priority as sd-daemon(3) defines the prefixes; elsewhere lines are bare.
func TestJournalPriorities(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		t.Fatal(err)
	}
	stream := fmt.Sprintf("%d:%d", st.Dev, st.Ino)
	if !logging.OnJournal(f, stream) || logging.OnJournal(f, stream+"1") || logging.OnJournal(&bytes.Buffer{}, stream) {
		t.Fatal("OnJournal does not compare the stream's device:inode")
	}
	t.Setenv("JOURNAL_STREAM", stream)
	log := logging.New(f, config.Log{Level: "debug", Format: "json"}).With("device", "k1").WithGroup("g")
	log.Debug("d")
	log.Info("i", "id", fixtureID)
	log.Warn("w")
	log.Error("e")
	raw, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
	want := []string{"<7>{", "<6>{", "<4>{", "<3>{"}
	if len(lines) != len(want) {
		t.Fatalf("%d lines:\n%s", len(lines), raw)
	}
	for i, l := range lines {
		if !strings.HasPrefix(l, want[i]) || !strings.Contains(l, `"device":"k1"`) {
			t.Errorf("line %d %q, want prefix %q and the logger's attrs", i, l, want[i])
		}
	}
	if strings.Contains(string(raw), fixtureID) {
		t.Fatal("the ID number reached the journal")
	}

	t.Setenv("JOURNAL_STREAM", "1:1") // inherited, but stderr goes elsewhere
	var buf bytes.Buffer
	logging.New(&buf, config.Log{Format: "json"}).Warn("w")
	if strings.HasPrefix(buf.String(), "<") {
		t.Fatalf("prefix off the journal: %q", buf.String())
	}
}
