package kiosk

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/drivers/escpos/escpossim"
	"github.com/kiosk06/kiosk/firmware/metrics"
)

func TestPrinterPaperMetric(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sim, err := escpossim.Start(ctx, &escpossim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	p, err := escpos.Open(escpos.Device{Path: sim.Path(), Baud: escpos.DefaultBaud}, &escpos.Options{StatusTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	e := &env{log: slog.New(slog.DiscardHandler), m: metrics.New()}
	c := monitorPrinter(ctx, e, p, 20*time.Millisecond)
	defer c.stop(context.Background())

	gauge := func(state string) bool {
		rec := httptest.NewRecorder()
		e.m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		b, _ := io.ReadAll(rec.Body)
		return strings.Contains(string(b), `kiosk_printer_paper{state="`+state+`"} 1`)
	}
	waitFor := func(state string) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if gauge(state) {
				return
			}
		}
		t.Fatalf("printer_paper never became %s", state)
	}
	waitFor("ok")
	sim.SetPaper(escpos.PaperNearEnd)
	waitFor("near_end")
	sim.SetPaper(escpos.PaperEnd)
	waitFor("end")
	sim.SetCover(true)
	waitFor("cover_open")
}
