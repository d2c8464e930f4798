package hospital

import (
	"io"
	"log/slog"
	"testing"

	"github.com/kiosk06/kiosk/firmware/bhyt"
	"github.com/kiosk06/kiosk/firmware/his/hisfake"
)

// BenchmarkPublish renders and publishes the clinic screen to one
// subscriber: the flow-side cost of every intent and progress event.
func BenchmarkPublish(b *testing.B) {
	bc, _ := bhyt.New(bhyt.Config{BaseURL: "http://127.0.0.1:1", Username: "u", StaffName: "A", StaffID: "079190000001"})
	f, err := New(Config{DefaultQueue: "A", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))},
		Deps{Identifier: &fakeIdentifier{}, Insurance: bc, HIS: nilHIS{}, Queue: &flakyQueue{}, Printer: &fakePrinter{}, Recorder: &memRecorder{}, Clock: newClock()})
	if err != nil {
		b.Fatal(err)
	}
	f.m.v = &visit{id: elder, age: 81, answers: map[Question]bool{}, clinics: hisfake.DefaultClinics()}
	f.m.screen = ScreenClinic
	f.refreshClinic()
	ch, stop := f.Subscribe()
	defer stop()
	for b.Loop() {
		f.m.v.answers[QMerit] = !f.m.v.answers[QMerit] // a change, so it is published
		f.refreshClinic()
		f.publish()
		<-ch
	}
}
