package uplink

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/netclient"
	"github.com/kiosk06/kiosk/firmware/store"
	"github.com/kiosk06/kiosk/tests/collector"
	"github.com/kiosk06/kiosk/tests/collector/mqttcollector"
	"github.com/kiosk06/kiosk/tests/mqttbroker"
)

// envInt reads a positive integer from the environment, else def.
func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// BenchmarkMQTTFleetDrain is issue 22.5's fleet measurement: KIOSK_FLEET_DEVICES
// (default 1000) simulated devices, each its own MQTT client (client id =
// certificate CN = device id, persistent session, TLS) with a backlog of
// KIOSK_FLEET_RECORDS records (default 200) in a lightweight in-memory
// outbox, drain at once into one mosquitto on loopback, in batches of
// KIOSK_FLEET_BATCH (default 50), each waiting for the reference backend's
// verdict before the next. It reports records/s end to end (first publish
// to last verdict) and the broker's CPU (from /proc/PID/stat) in percent of
// one core. The devices, the backend and the broker share this machine.
//
//	go test -run '^$' -bench MQTTFleetDrain -benchtime 1x ./firmware/uplink/
func BenchmarkMQTTFleetDrain(b *testing.B) {
	devices := envInt("KIOSK_FLEET_DEVICES", 1000)
	perDevice := envInt("KIOSK_FLEET_RECORDS", 200)
	batch := envInt("KIOSK_FLEET_BATCH", 50)
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err == nil && lim.Cur < uint64(2*devices+256) {
		b.Skipf("skipped: %d devices need about %d file descriptors (client and broker side); ulimit -n is %d", devices, 2*devices+256, lim.Cur)
	}
	br := mqttbroker.Start(b, mqttbroker.Options{})
	cert, key := br.Client(mqttbroker.Backend)
	mc, err := mqttcollector.Start(mqttcollector.Options{BrokerURL: br.URL, CAFile: br.CAFile, CertFile: cert, KeyFile: key,
		Collector: collector.New(collector.Options{Logger: quiet()}), Logger: quiet()})
	if err != nil {
		b.Fatal(err)
	}
	defer mc.Close()

	// Connect the fleet (not timed: a province's devices are connected
	// before their backlogs matter).
	fleet := make([]*MQTT, devices)
	t0 := time.Now()
	for i := range fleet {
		id := fmt.Sprintf("bench-%04d", i)
		c, k := br.Client(id)
		tr, err := NewMQTT(MQTTOptions{BrokerURL: br.URL, DeviceID: id, Logger: quiet(), MaxReconnect: time.Second,
			TLS: netclient.TLS{CAFile: br.CAFile, ClientCert: c, ClientKey: k}})
		if err != nil {
			b.Fatal(err)
		}
		fleet[i] = tr
		defer tr.Close()
	}
	for _, tr := range fleet {
		for deadline := time.Now().Add(2 * time.Minute); !tr.Connected(); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				b.Fatalf("%s not connected after 2 min", tr.dev)
			}
		}
	}
	connectTime := time.Since(t0)
	const epoch = "0123456789abcdef0123456789abcdef"
	created := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)

	b.ResetTimer()
	cpu0, _ := br.CPUTime()
	start := time.Now()
	var wg sync.WaitGroup
	var failures, resends atomic.Int64
	for _, tr := range fleet {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next := 1; next <= perDevice; {
				var items []item
				for s := next; s < next+batch && s <= perDevice; s++ {
					r := store.Record{Seq: store.Seq(s), Kind: "transit.tap", CreatedAt: created.Add(time.Duration(s) * time.Second),
						Payload: []byte(fmt.Sprintf(`{"route":"47","fare_vnd":7000,"verdict":"accept","card":"pan-%s-%d"}`, tr.dev, s))}
					j, _ := encodeRecord(r)
					items = append(items, item{seq: r.Seq, json: j})
				}
				bt := Batch{DeviceID: tr.dev, Epoch: epoch, First: items[0].seq, Last: items[len(items)-1].seq,
					Body: batchBody(tr.dev, epoch, items)}
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				v, err := tr.Send(ctx, bt)
				cancel()
				if err != nil {
					resends.Add(1)
					continue
				}
				through, err := classify(v.Status, v.Body, epoch)
				if err != nil || through != bt.Last {
					failures.Add(1)
					return
				}
				next = int(bt.Last) + 1
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu1, _ := br.CPUTime()
	b.StopTimer()

	total := devices * perDevice
	st := mc.Stats()
	if failures.Load() > 0 || st.Stored != total || st.Conflicts != 0 {
		b.Fatalf("%d devices failed; collector %+v, want %d stored", failures.Load(), st, total)
	}
	b.ReportMetric(float64(total)/elapsed.Seconds(), "records/s")
	b.ReportMetric(float64(total/batch)/elapsed.Seconds(), "batches/s")
	b.ReportMetric(100*(cpu1-cpu0).Seconds()/elapsed.Seconds(), "broker-cpu-%")
	b.ReportMetric(float64(devices), "devices")
	b.Logf("%d devices × %d records (batches of %d) in %v: %.0f records/s; broker CPU %v (%.0f%% of one core); "+
		"connect %v; resends %d; collector %+v", devices, perDevice, batch, elapsed.Round(time.Millisecond),
		float64(total)/elapsed.Seconds(), cpu1-cpu0, 100*(cpu1-cpu0).Seconds()/elapsed.Seconds(), connectTime.Round(time.Millisecond),
		resends.Load(), st)
}
