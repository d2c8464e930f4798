package tests

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/audio"
	"github.com/kiosk06/kiosk/firmware/hospital"
	"github.com/kiosk06/kiosk/firmware/profile"
	"github.com/kiosk06/kiosk/firmware/speech"
	"github.com/kiosk06/kiosk/queue"
)

// saidClip is one line of the loudspeaker simulator's said.txt: a WAV of
// var/sim/audio and what it says.
type saidClip struct {
	file, label, text string
	cut, overlapped   bool
}

// saidClips reads dir/said.txt (audiosim: "0001-<label>.wav\t7.8s[ cut]\t<text>").
func saidClips(dir string) []saidClip {
	b, _ := os.ReadFile(filepath.Join(dir, "said.txt"))
	var out []saidClip
	for _, l := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		f := strings.SplitN(l, "\t", 3)
		if len(f) != 3 {
			continue
		}
		label := strings.TrimSuffix(f[0], ".wav")
		if i := strings.IndexByte(label, '-'); i >= 0 {
			label = label[i+1:]
		}
		out = append(out, saidClip{file: filepath.Join(dir, f[0]), label: label, text: f[2], cut: strings.Contains(f[1], " cut"), overlapped: strings.Contains(f[1], " overlapped")})
	}
	return out
}

// clipWaiter finds clips in order: each wait looks past the clips the
// previous ones matched.
type clipWaiter struct {
	t      *testing.T
	dir    string
	cursor int
	stderr fmt.Stringer
}

// wait returns the next clip labelled label once the simulator has
// written it (the loudspeaker takes the clip's own time to say it).
func (w *clipWaiter) wait(label string) saidClip {
	w.t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	for {
		clips := saidClips(w.dir)
		for i := w.cursor; i < len(clips); i++ {
			if clips[i].label == label {
				w.cursor = i + 1
				return clips[i]
			}
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("no clip %q in %s after clip %d: %+v\nstderr:\n%s", label, w.dir, w.cursor, clips, w.stderr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestVoiceGuidanceEveryScreen runs the hospital kiosk (`kioskd run --sim`,
// its embedded configuration: [audio] device = "sim") and walks a patient
// through it over the control socket as TestHospitalKioskEndToEnd does,
// waiting at each screen until the loudspeaker simulator has written that
// screen's spoken guidance to var/sim/audio — and the spoken results: the
// card's verdict, the ticket number and room, the amount to pay. Every
// screen the patient stops at has its WAV, whose words are the guidance
// book's; the screen the chip read passes through too.
func TestVoiceGuidanceEveryScreen(t *testing.T) {
	t.Parallel() // waits for clips spoken in real time; its own kioskd, directory and ports
	dir := t.TempDir()
	sock := filepath.Join(dir, "control.sock")
	cmd, lines, stderr := startKioskd(t, dir, []string{"DISPLAY=", "WAYLAND_DISPLAY="}, "run", "--sim", "--control", sock)
	waitLine(t, lines, "ready", 30*time.Second, stderr)
	cc := dialControl(t, sock)
	audioDir := filepath.Join(dir, "var", "sim", "audio")
	w := &clipWaiter{t: t, dir: audioDir, stderr: stderr}

	handled := map[hospital.Screen]bool{}
	var ticket *hospital.Ticket
	presented, paid, finished := false, false, false
	deadline := time.After(4 * time.Minute)
	for !finished {
		l := cc.next(deadline, func() string { return fmt.Sprintf("screens %v", handled) }, stderr)
		if l.State == nil {
			if l.Reply == "pay" && !l.OK { // not uploaded yet: try again shortly
				time.Sleep(150 * time.Millisecond)
				cc.sim(profile.SimCommand{Sim: "pay"})
			}
			continue
		}
		s := l.State
		if presented && s.Screen != hospital.ScreenWelcome && s.Screen != hospital.ScreenIdentify {
			cc.sim(profile.SimCommand{Sim: "remove"})
		}
		offers := func(k hospital.IntentKind, yes bool) bool {
			for _, a := range s.Actions {
				if a.Kind == k && a.Yes == yes {
					return true
				}
			}
			return false
		}
		act := func(k hospital.IntentKind, yes bool) bool {
			for _, a := range s.Actions {
				if a.Kind == k && a.Yes == yes {
					cc.intent(a.Intent())
					return true
				}
			}
			return false
		}
		// stop: the patient listens to this screen's guidance first.
		stop := func() bool {
			if handled[s.Screen] {
				return false
			}
			handled[s.Screen] = true
			w.wait("guide.hospital." + string(s.Screen))
			return true
		}
		switch s.Screen {
		case hospital.ScreenWelcome:
			if paid {
				w.wait("guide.hospital.welcome") // back at the start: the next patient is greeted
				finished = true
			} else if stop() {
				presented = true
				cc.sim(profile.SimCommand{Sim: "scan", Variant: "genuine"})
				cc.sim(profile.SimCommand{Sim: "tap", Variant: "genuine"})
			}
		case hospital.ScreenCardResult:
			if offers(hospital.IntentContinue, false) && stop() {
				want, err := speech.Normalize(speech.Vietnamese, hospital.Messages()["card.genuine"].VI)
				if c := w.wait("card.genuine"); err != nil || c.text != want {
					t.Errorf("card verdict said %q, want %q (%v)", c.text, want, err)
				}
				act(hospital.IntentContinue, false)
			}
		case hospital.ScreenHolder:
			if (offers(hospital.IntentConsent, false) || offers(hospital.IntentSkip, false)) && stop() && !act(hospital.IntentConsent, false) {
				act(hospital.IntentSkip, false)
			}
		case hospital.ScreenInsurance:
			if offers(hospital.IntentContinue, false) && stop() {
				act(hospital.IntentContinue, false)
			}
		case hospital.ScreenClinic:
			if s.Clinic != nil && len(s.Clinic.Clinics) > 0 && stop() {
				cc.intent(hospital.Intent{Kind: hospital.IntentChoose, Clinic: s.Clinic.Clinics[0].Code})
			}
		case hospital.ScreenTicket:
			if (offers(hospital.IntentContinue, false) || offers(hospital.IntentDone, false)) && stop() {
				ticket = s.Ticket
				// "Số a, không, không, một, Phòng …": the number character by
				// character, then the room.
				if c := w.wait("goodbye.reminder"); !strings.HasPrefix(c.text, "Số a, không, không, ") || !strings.Contains(c.text, "Phòng") {
					t.Errorf("ticket %s room %s said %q", ticket.Number, ticket.Room, c.text)
				}
				if !act(hospital.IntentContinue, false) {
					act(hospital.IntentDone, false)
				}
			}
		case hospital.ScreenPayment:
			if s.Payment != nil && s.Payment.Phase == hospital.PaymentWaiting && stop() {
				if c := w.wait("payment.waiting"); !strings.Contains(c.text, "đồng") || strings.ContainsAny(c.text, "0123456789₫") {
					t.Errorf("amount %s said %q", s.Payment.AmountText, c.text)
				}
				cc.sim(profile.SimCommand{Sim: "pay"})
			}
		case hospital.ScreenReceipt:
			if offers(hospital.IntentDone, false) && stop() {
				paid = true
				act(hospital.IntentDone, false)
			}
		case hospital.ScreenGoodbye:
			if offers(hospital.IntentDone, false) && stop() {
				act(hospital.IntentDone, false)
			}
		case hospital.ScreenError:
			t.Fatalf("error screen %q; stderr:\n%s", s.Title.VI, stderr)
		}
	}
	for _, sc := range []hospital.Screen{hospital.ScreenWelcome, hospital.ScreenCardResult, hospital.ScreenHolder, hospital.ScreenInsurance,
		hospital.ScreenClinic, hospital.ScreenTicket, hospital.ScreenPayment, hospital.ScreenReceipt, hospital.ScreenGoodbye} {
		if !handled[sc] {
			t.Errorf("the walk never stopped at %s", sc)
		}
	}
	// Every guidance WAV says the guidance book's words (the file's own
	// comment agrees with said.txt), and the chip read's screen spoke too
	// (cut short when the verdict came).
	clips := saidClips(audioDir)
	spoke := map[string]bool{}
	for _, c := range clips {
		spoke[c.label] = true
		if !strings.HasPrefix(c.label, "guide.hospital.") {
			continue
		}
		f, err := os.Open(c.file)
		if err != nil {
			t.Fatal(err)
		}
		wav, err := audio.DecodeWAV(f)
		f.Close()
		if err != nil || wav.Text != c.text || wav.Label != c.label || len(wav.Samples) == 0 {
			t.Errorf("%s: %v label %q text %q, %d samples", c.file, err, wav.Label, wav.Text, len(wav.Samples))
		}
	}
	if !spoke["guide.hospital.identify"] {
		t.Errorf("no guidance while the card was read: %+v", clips)
	}
	if !spoke["guide.hospital.registering"] {
		t.Logf("the registering screen passed before its guidance sounded (it lasts as long as the HIS answers)")
	}
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
}

// TestVoiceCallsNumbers: the waiting-room call. A hospital kioskd with the
// queue API (TLS) and a staff client at room 101: a ticket is issued,
// staff calls the next number and recalls it over the API, and the
// loudspeaker simulator says, after the chime, "Mời số a, không, không,
// một đến phòng một trăm linh một." twice per call — once for the call,
// once more for the recall — each clip whole, never overlapping another.
func TestVoiceCallsNumbers(t *testing.T) {
	t.Parallel() // waits for clips spoken in real time; its own kioskd, directory and ports
	r := newQueueAPIRig(t, `
[[queue.services]]
code = "A"
name = "Khám bệnh"
counters = ["101"]

[[queue.clients]]
name = "kiosk-sanh"
role = "kiosk"
token_file = "kiosk-sanh.token"

[[queue.clients]]
name = "quay-101"
role = "staff"
token_file = "quay-101.token"
counters = ["101"]

[audio]
volume = 100
`)
	b := make([]byte, 32)
	rand.Read(b)
	r.tok["quay-101"] = hex.EncodeToString(b)
	if err := os.WriteFile(filepath.Join(r.dir, "quay-101.token"), []byte(r.tok["quay-101"]+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd, lines, stderr := startKioskd(t, r.dir, []string{"DISPLAY=", "WAYLAND_DISPLAY="}, "run", "--sim", "--config", "kiosk.toml")
	waitLine(t, lines, "ready", 30*time.Second, stderr)
	base := "https://" + r.addr
	var tk queue.Ticket
	if code, _, body := r.do(t, r.https, base, "kiosk-sanh", "POST", "/api/queue/tickets", `{"service":"A","priority":"normal"}`); code != http.StatusCreated {
		t.Fatalf("issue: HTTP %d %s; stderr:\n%s", code, body, stderr)
	}
	if code, _, body := r.do(t, r.https, base, "quay-101", "POST", "/api/queue/counters/101/next", ""); code != http.StatusOK {
		t.Fatalf("call: HTTP %d %s", code, body)
	} else if err := json.Unmarshal(body, &tk); err != nil || tk.ID != "A001" {
		t.Fatalf("called %s (%v), want A001", body, err)
	}
	if code, _, body := r.do(t, r.https, base, "quay-101", "POST", "/api/queue/counters/101/recall", ""); code != http.StatusOK {
		t.Fatalf("recall: HTTP %d %s", code, body)
	}
	w := &clipWaiter{t: t, dir: filepath.Join(r.dir, "var", "sim", "audio"), stderr: stderr}
	const words = "Mời số a, không, không, một đến phòng một trăm linh một."
	chime := audio.Chime(22050)
	for i, what := range []string{"call", "recall"} {
		c := w.wait("call")
		if c.text != words+" "+words || c.cut {
			t.Errorf("%s said %q (cut %v), want %q twice", what, c.text, c.cut, words)
		}
		f, err := os.Open(c.file)
		if err != nil {
			t.Fatal(err)
		}
		wav, err := audio.DecodeWAV(f)
		f.Close()
		if err != nil || wav.Text != c.text || len(wav.Samples) < len(chime) {
			t.Fatalf("%s: %v, %d samples", c.file, err, len(wav.Samples))
		}
		for j := range chime {
			if wav.Samples[j] != chime[j] {
				t.Fatalf("clip %d (%s) does not start with the chime (sample %d)", i, what, j)
			}
		}
	}
	// Nothing overlapped (audiosim marks a clip that sounded while another
	// did) and nothing was dropped.
	clips := saidClips(w.dir)
	for _, c := range clips {
		if c.overlapped {
			t.Errorf("%s overlapped another clip", c.file)
		}
	}
	if n := strings.Count(stderr.String(), "call not said"); n != 0 {
		t.Errorf("%d calls not said:\n%s", n, stderr)
	}
	calls := 0
	for _, c := range clips {
		if c.label == "call" {
			calls++
		}
	}
	if calls != 2 {
		t.Errorf("%d call clips, want 2 (the call and the recall): %+v", calls, clips)
	}
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
}

// TestVoiceAttractLoop: a hospital kioskd that starts idle says its attract
// loop (issue 20) — the welcome guidance, then each step's caption as the
// step shows (the screen's very words, a WAV each under var/sim/audio) —
// and a card presented ends it at once: from the moment the kiosk leaves
// the welcome screen no caption of the loop is said again (one being said
// is cut), while the card's own screens speak. The embedded --sim
// configuration leaves [hospital] attract_voice_every at its default (3
// min), so the first round after the start is said aloud.
func TestVoiceAttractLoop(t *testing.T) {
	t.Parallel() // waits for clips spoken in real time; its own kioskd, directory and ports
	dir := t.TempDir()
	sock := filepath.Join(dir, "control.sock")
	cmd, lines, stderr := startKioskd(t, dir, []string{"DISPLAY=", "WAYLAND_DISPLAY="}, "run", "--sim", "--control", sock)
	waitLine(t, lines, "ready", 30*time.Second, stderr)
	cc := dialControl(t, sock)
	audioDir := filepath.Join(dir, "var", "sim", "audio")
	w := &clipWaiter{t: t, dir: audioDir, stderr: stderr}
	msgs := hospital.Messages()

	w.wait("guide.hospital.welcome")
	for _, key := range []string{"attract.card", "attract.qr"} {
		c := w.wait(key)
		want, err := speech.Normalize(speech.Vietnamese, msgs[key].VI)
		if err != nil || c.text != want || c.cut || c.overlapped {
			t.Errorf("%s said %q (cut %v, overlapped %v), want the caption %q (%v)", key, c.text, c.cut, c.overlapped, want, err)
		}
		f, err := os.Open(c.file)
		if err != nil {
			t.Fatal(err)
		}
		wav, err := audio.DecodeWAV(f)
		f.Close()
		if err != nil || wav.Label != key || len(wav.Samples) == 0 {
			t.Errorf("%s: %v label %q, %d samples", c.file, err, wav.Label, len(wav.Samples))
		}
	}
	// The patient arrives: a card (its QR and its chip).
	cc.sim(profile.SimCommand{Sim: "scan", Variant: "genuine"})
	cc.sim(profile.SimCommand{Sim: "tap", Variant: "genuine"})
	deadline := time.After(60 * time.Second)
	for left := false; !left; {
		l := cc.next(deadline, func() string { return "waiting for the card result" }, stderr)
		if l.State == nil {
			continue
		}
		left = l.State.Screen == hospital.ScreenCardResult
	}
	// Its screens speak; a whole attract step later, still nothing of the
	// loop after the first clip of the card's screens.
	first := w.cursor
	w.wait("card.genuine")
	time.Sleep(7 * time.Second) // longer than one step of the loop (6 s)
	clips := saidClips(audioDir)
	after := -1
	for i := first; i < len(clips); i++ {
		if !strings.HasPrefix(clips[i].label, "attract.") {
			after = i
			break
		}
	}
	if after < 0 {
		t.Fatalf("nothing said for the card: %+v", clips[first:])
	}
	for i := after; i < len(clips); i++ {
		if c := clips[i]; strings.HasPrefix(c.label, "attract.") {
			t.Errorf("the attract loop goes on after the card: clip %d %s after %s; said: %+v", i, c.label, clips[after].label, clips[first:])
		}
	}
	for _, c := range clips {
		t.Logf("said %s%s: %s", c.label, map[bool]string{true: " (cut)"}[c.cut], c.text)
	}
	cc.sim(profile.SimCommand{Sim: "remove"})
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
}
