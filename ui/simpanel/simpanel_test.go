package simpanel

import (
	"context"
	"errors"
	"testing"

	"fyne.io/fyne/v2/test"
)

func TestPanelRunsActionsOffTheUIGoroutine(t *testing.T) {
	release := make(chan struct{})
	ran := make(chan string, 2)
	p := New(context.Background(), test.NewTempApp(t), "Simulator", []Group{
		{Title: "Thẻ CCCD", Actions: []Action{{Label: "Chạm thẻ thật", Do: func(context.Context) error {
			<-release // a blocking action must not block the tap
			ran <- "card"
			return nil
		}}}},
		{Title: "BHYT", Actions: []Action{{Label: "BHYT lỗi", Do: func(context.Context) error {
			ran <- "bhyt"
			return errors.New("service down")
		}}}},
	})
	defer p.Window().Close()
	b := p.Button("Chạm thẻ thật")
	test.Tap(b)
	if !b.Disabled() || p.Status() != "Chạm thẻ thật…" {
		t.Fatalf("while running: disabled=%v status=%q", b.Disabled(), p.Status())
	}
	close(release)
	p.Wait()
	if <-ran != "card" || b.Disabled() || p.Status() != "Chạm thẻ thật: OK" {
		t.Fatalf("after: disabled=%v status=%q", b.Disabled(), p.Status())
	}
	test.Tap(p.Button("BHYT lỗi"))
	p.Wait()
	if <-ran != "bhyt" || p.Status() != "BHYT lỗi: service down" {
		t.Fatalf("status %q", p.Status())
	}
	if p.Button("none") != nil {
		t.Error("Button(none) not nil")
	}
}
