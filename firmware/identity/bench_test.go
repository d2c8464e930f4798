package identity_test

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/emrtd/emrtdsim"
	"github.com/kiosk06/kiosk/drivers/emrtd/testpki"
	"github.com/kiosk06/kiosk/drivers/pn532"
	"github.com/kiosk06/kiosk/drivers/pn532/pn532sim"
	"github.com/kiosk06/kiosk/firmware/identity"
)

const uartBaud = 115200

// linkBound is the least time the link needs for a session's traffic: every
// APDU crosses the UART inside PN532 frames (command: data+10 bytes, ACK 6,
// response: data+10, UM0701 §6.2.1) at 10 bits per byte, and the RF field as
// ISO/IEC 14443 frames (9 bits per byte plus 2 CRC bytes each way, and the
// minimum frame delay of ~86 µs each way), as pn532sim models them.
func linkBound(apdus, sent, recv, kbps int) time.Duration {
	uartBytes := sent + recv + apdus*26
	uart := time.Duration(uartBytes) * 10 * time.Second / uartBaud
	rfBits := (sent + recv + 4*apdus) * 9
	rf := time.Duration(rfBits)*time.Second/time.Duration(kbps*1000) + time.Duration(apdus)*172*time.Microsecond
	return uart + rf
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkReadOverPN532 is a full CCCD read (PACE-CAN, DG14, DG1, DG13,
// SOD, Passive Authentication, Chip Authentication) through the PN532 driver
// and pn532sim on a pty with its timing model: 115200 baud HSU, RF at 106 or
// 424 kbit/s, card processing time 0 so the link alone sets the bound.
func BenchmarkReadOverPN532(b *testing.B) {
	c := card(b, testpki.Genuine)
	ts := trust(b, c)
	qr := qrOf(b, c)
	for _, kbps := range []int{106, 424} {
		b.Run(fmt.Sprintf("%dkbps", kbps), func(b *testing.B) {
			ctx := context.Background()
			sim, err := pn532sim.Start(ctx, &pn532sim.Options{Timing: &pn532sim.Timing{Baud: uartBaud, RF: true}})
			if err != nil {
				b.Fatal(err)
			}
			defer sim.Close()
			dev, err := pn532.OpenSpec(sim.DeviceString(), &pn532.Opts{MaxBitRate: kbps, TypeAOnly: true})
			if err != nil {
				b.Fatal(err)
			}
			defer dev.Close()
			p := identity.NewPipeline(identity.Options{Trust: ts})
			var wall, bound, cpu time.Duration
			var apdus, wire int
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				sim.SetCard(chip(b, c, nil))
				card, err := dev.WaitCard(ctx)
				if err != nil {
					b.Fatal(err)
				}
				if got := card.Info().BitRate; got != kbps {
					b.Fatalf("negotiated %d kbit/s, want %d", got, kbps)
				}
				b.StartTimer()
				start, cpu0 := time.Now(), cpuTime()
				id, err := p.Read(ctx, card, identity.Keys{QR: qr})
				if err != nil {
					b.Fatal(err)
				}
				wall += time.Since(start)
				cpu += cpuTime() - cpu0
				if id.Verdict != identity.Genuine {
					b.Fatalf("verdict %s/%s", id.Verdict, id.Reason)
				}
				st := id.Stats
				apdus, wire = st.APDUs, st.BytesSent+st.BytesRecv
				bound += linkBound(st.APDUs, st.BytesSent, st.BytesRecv, kbps)
			}
			n := float64(b.N)
			b.ReportMetric(float64(apdus), "apdus/op")
			b.ReportMetric(float64(wire), "apdu-bytes/op")
			b.ReportMetric(float64(wall.Milliseconds())/n, "wall-ms/op")
			b.ReportMetric(float64(bound.Milliseconds())/n, "bound-ms/op")
			b.ReportMetric(float64(wall)/float64(bound), "wall/bound")
			b.ReportMetric(float64(cpu.Milliseconds())/n, "cpu-ms/op")
		})
	}
}

// BenchmarkReadInProcess is the CPU cost of a full read with no link at all
// (terminal and virtual chip in one process).
func BenchmarkReadInProcess(b *testing.B) {
	c := card(b, testpki.Genuine)
	p := identity.NewPipeline(identity.Options{Trust: trust(b, c)})
	qr := qrOf(b, c)
	for i := 0; i < b.N; i++ {
		if _, err := p.Read(context.Background(), emrtdsim.Card(chip(b, c, nil)), identity.Keys{QR: qr}); err != nil {
			b.Fatal(err)
		}
	}
}
