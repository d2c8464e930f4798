package pn532

import (
	"context"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/pn532/pn532sim"
	"github.com/kiosk06/kiosk/drivers/serialport"
)

// BenchmarkAPDU223 measures one READ BINARY of 223 bytes (00 B0 00 00 DF,
// the chunk eMRTD readers use) over a real pty: driver, frames, simulator.
// With the timing model the simulator sleeps the UART time at 115200 baud,
// the RF time at the negotiated 424 kbps and the card's processing time,
// so ns/op estimates the real read time of one chunk.
func BenchmarkAPDU223(b *testing.B) {
	cases := []struct {
		name   string
		timing *pn532sim.Timing
	}{
		{"pty-only", nil},
		{"model-115200-424k-card0", &pn532sim.Timing{Baud: 115200, RF: true}},
		{"model-115200-424k-card3ms", &pn532sim.Timing{Baud: 115200, RF: true, CardProcessing: 3 * time.Millisecond}},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			srv, err := pn532sim.Start(context.Background(), &pn532sim.Options{Card: pn532sim.NewSimpleCard(), Timing: tc.timing, Logger: quiet})
			if err != nil {
				b.Fatal(err)
			}
			defer srv.Close()
			port, err := serialport.Open(serialport.Config{Path: srv.Path(), Baud: 115200, Logger: quiet})
			if err != nil {
				b.Fatal(err)
			}
			d, err := New(NewUART(port), &Opts{Logger: quiet})
			if err != nil {
				b.Fatal(err)
			}
			defer d.Close()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			c, err := d.WaitCard(ctx)
			if err != nil {
				b.Fatal(err)
			}
			apdu := []byte{0x00, 0xB0, 0x00, 0x00, 0xDF}
			b.SetBytes(223)
			b.ResetTimer()
			for b.Loop() {
				resp, err := c.Transmit(ctx, apdu)
				if err != nil || len(resp) != 225 {
					b.Fatalf("%d bytes, %v", len(resp), err)
				}
			}
		})
	}
}
