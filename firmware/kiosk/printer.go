package kiosk

import (
	"context"
	"sync"
	"time"

	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/firmware/heartbeat"
)

// printerStates are the values of the kiosk_printer_paper gauge.
var printerStates = []string{"ok", "near_end", "end", "cover_open", "offline"}

// monitorPrinter polls the printer's status every interval (DLE EOT, between
// jobs: the driver serialises them), exposes it as the kiosk_printer_paper
// state gauge and logs changes, so a roll running low is replaced before
// tickets stop. Paper out is not a health failure: restarting kioskd would
// not add paper.
func monitorPrinter(ctx context.Context, e *env, p *escpos.Printer, interval time.Duration) component {
	var mu sync.Mutex
	state := "offline"
	_ = e.m.StateGauge("printer_paper", "Receipt printer paper and cover state.", "state", printerStates, func() string {
		mu.Lock()
		defer mu.Unlock()
		return state
	})
	poll := func(ctx context.Context) {
		sctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		defer cancel()
		next := "offline"
		if st, err := p.Status(sctx); err == nil {
			switch {
			case st.CoverOpen:
				next = "cover_open"
			default:
				next = string(st.Paper)
			}
		}
		mu.Lock()
		prev := state
		state = next
		mu.Unlock()
		e.health.SetPaper(next)
		if next == "offline" {
			e.health.Set("printer", heartbeat.StateFault, "no status reply")
		} else {
			e.health.Set("printer", heartbeat.StateOK, "")
		}
		if next != prev {
			if next == "ok" {
				e.log.Info("printer ready", "state", next)
			} else {
				e.log.Warn("printer needs attention", "state", next)
			}
		}
	}
	return goComponent(ctx, "printer monitor", e.log, func(c context.Context) error {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			poll(c)
			select {
			case <-c.Done():
				return nil
			case <-t.C:
			}
		}
	})
}
